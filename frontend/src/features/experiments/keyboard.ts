/**
 * The experiments page's keyboard: which key does what (`SHORTCUTS`, also what the `?` dialog
 * lists), when a key is left alone (typing in a field, a modifier held, focus on a control that
 * handles it), how the focused row moves, and `useKeyboard`, which binds them to the window.
 */
import { useEffect, useRef } from "react";

export type KeyAction = "down" | "up" | "filter" | "open" | "toggle" | "compare" | "top" | "bottom" | "help";

export interface Shortcut {
  action: KeyAction;
  keys: string[];
  /** What the key does, for the help dialog. */
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "down", keys: ["j", "ArrowDown"], description: "Focus the next row" },
  { action: "up", keys: ["k", "ArrowUp"], description: "Focus the previous row" },
  { action: "top", keys: ["g"], description: "Go to the first row" },
  { action: "bottom", keys: ["G"], description: "Go to the last row" },
  { action: "open", keys: ["Enter"], description: "Open the focused row's detail page" },
  { action: "toggle", keys: ["x"], description: "Select or unselect the focused row" },
  { action: "compare", keys: ["c"], description: "Compare the selected experiments (two or more)" },
  { action: "filter", keys: ["/"], description: "Edit the filter (Escape leaves it)" },
  { action: "help", keys: ["?"], description: "Show these shortcuts" },
];

const BY_KEY = new Map(SHORTCUTS.flatMap((s) => s.keys.map((key) => [key, s.action] as const)));

/** The part of a KeyboardEvent the decision needs (so tests can pass plain objects). */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  target?: EventTarget | null;
}

const TEXT_INPUT_TYPES = new Set(["text", "search", "email", "number", "password", "tel", "url", "date", "datetime-local", "month", "time", "week", ""]);

/** Whether keys typed at `target` are text for it (an input, a textarea, a select, anything editable). */
export function isTyping(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  const element = target as HTMLElement;
  if (element.isContentEditable || element.closest("[contenteditable=''], [contenteditable='true']")) return true;
  const tag = element.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return TEXT_INPUT_TYPES.has(((element as HTMLInputElement).getAttribute("type") ?? "").toLowerCase());
  return false;
}

/** Whether `target` handles Enter itself (a button, a link, a checkbox): Enter there is its click, not "open". */
function ownsEnter(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as Element).closest !== "function") return false;
  return (target as Element).closest("button, a[href], input, select, textarea, summary, [role='button'], [role='checkbox'], [role='switch'], [role='tab'], [role='menuitem'], [role='option']") !== null;
}

/** The action a key press asks for, or null when the page should leave it alone. */
export function actionFor(event: KeyInput): KeyAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return null;
  if (isTyping(event.target)) return null;
  const target = event.target as Element | null | undefined;
  if (target && typeof target.closest === "function" && target.closest("[role='dialog']")) return null; // a dialog has its own keys
  const action = BY_KEY.get(event.key) ?? null;
  if (action === "open" && ownsEnter(event.target)) return null;
  return action;
}

/** Where the focused row goes for a movement: clamped to the rows there are (null: no row to focus). */
export function moveCursor(cursor: number | null, action: "down" | "up" | "top" | "bottom", count: number): number | null {
  if (count <= 0) return null;
  const last = count - 1;
  switch (action) {
    case "top":
      return 0;
    case "bottom":
      return last;
    case "down":
      return cursor === null ? 0 : Math.min(cursor + 1, last);
    case "up":
      return cursor === null ? 0 : Math.max(cursor - 1, 0);
  }
}

/** The cursor kept inside the rows after the rows changed (a new filter matched fewer). */
export function clampCursor(cursor: number | null, count: number): number | null {
  if (cursor === null || count <= 0) return null;
  return Math.min(cursor, count - 1);
}

export type KeyHandlers = Partial<Record<KeyAction, () => void>>;

/**
 * Binds `handlers` to key presses on the window while `enabled`. A handled key's default is
 * prevented (so `/` is not typed into the filter it focuses). Escape in a text field leaves it,
 * so the keys work again without the mouse.
 */
export function useKeyboard(handlers: KeyHandlers, enabled = true): void {
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if (event.key === "Escape" && isTyping(event.target) && !(event.target as Element).closest("[role='dialog']")) {
        (event.target as HTMLElement).blur();
        return;
      }
      const action = actionFor(event);
      const handler = action ? current.current[action] : undefined;
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [enabled]);
}
