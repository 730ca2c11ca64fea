/**
 * The experiments table driven from the keyboard: the focused row (the cursor, an index into the
 * whole answer, so `G` reaches the last of 100,000 rows), what each key does with it, and the
 * short message a key that cannot act leaves (`c` with fewer than two selected).
 */
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import type { ExperimentRow } from "@/lib/api";
import { clampCursor, moveCursor, useKeyboard } from "./keyboard";

interface Options {
  count: number;
  rowAt: (index: number) => ExperimentRow | undefined;
  selected: readonly string[];
  toggle: (hash: string) => void;
  open: (row: ExperimentRow) => void;
  compare: (hashes: readonly string[]) => void;
  /** Holds the filter's text field, which `/` focuses. */
  filterRef: RefObject<HTMLElement | null>;
}

const MESSAGE_MS = 4000;

export function useTableKeyboard({ count, rowAt, selected, toggle, open, compare, filterRef }: Options) {
  const [cursor, setCursor] = useState<number | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => setCursor((c) => clampCursor(c, count)), [count]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const say = useCallback((text: string) => {
    setMessage(text);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setMessage(null), MESSAGE_MS);
  }, []);

  const focused = () => (cursor === null ? undefined : rowAt(cursor));
  const move = (action: "down" | "up" | "top" | "bottom") => setCursor((c) => moveCursor(c, action, count));

  useKeyboard(
    {
      down: () => move("down"),
      up: () => move("up"),
      top: () => move("top"),
      bottom: () => move("bottom"),
      open: () => {
        const row = focused();
        if (row) open(row);
        else say("No row is focused: j and k move the focus.");
      },
      toggle: () => {
        const row = focused();
        if (row) toggle(row.hash);
        else say("No row is focused: j and k move the focus, x selects it.");
      },
      compare: () => {
        if (selected.length >= 2) compare(selected);
        else say(`Compare needs two or more selected experiments (${selected.length} selected): x selects the focused row.`);
      },
      filter: () => {
        const field = filterRef.current?.querySelector<HTMLInputElement>("input[data-testid='filter-text']") ?? filterRef.current?.querySelector("input");
        field?.focus();
        field?.select();
      },
      help: () => setHelpOpen(true),
    },
    !helpOpen,
  );

  return { cursor, setCursor, helpOpen, setHelpOpen, message };
}
