import { useMemo, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import { type DiffLineKind, diffStat, highlightDiff } from "./diff";

const KIND_CLASS: Record<DiffLineKind, string> = {
  file: "font-semibold text-foreground",
  hunk: "text-sky-600 dark:text-sky-400",
  add: "bg-emerald-500/10 text-emerald-700 dark:text-emerald-300",
  del: "bg-red-500/10 text-red-700 dark:text-red-300",
  context: "text-muted-foreground",
  meta: "italic text-muted-foreground",
};

/** Lines drawn at first: a snapshot of a large change can be tens of thousands of lines. */
const FIRST_LINES = 3000;

/** A unified diff, coloured; `caption` says what its lines are (by default: the uncommitted changes a result was made with). */
export function DiffView({ patch, caption = "uncommitted lines it was made with", testId = "patch" }: { patch: string; caption?: string; testId?: string }) {
  const lines = useMemo(() => highlightDiff(patch), [patch]);
  const [all, setAll] = useState(false);
  const stat = diffStat(lines);
  const shown = all ? lines : lines.slice(0, FIRST_LINES);
  return (
    <div data-testid={testId}>
      <p className="mb-1 text-xs text-muted-foreground">
        <span className="text-emerald-600">+{stat.added}</span> <span className="text-red-600">−{stat.removed}</span> {caption}
      </p>
      <pre className="max-h-[32rem] overflow-auto rounded-md border border-border p-2 font-mono text-xs leading-5">
        {shown.map((line, i) => (
          <div key={i} className={cn("px-1 whitespace-pre", KIND_CLASS[line.kind])} data-kind={line.kind}>
            {line.text || " "}
          </div>
        ))}
      </pre>
      {shown.length < lines.length && (
        <Button variant="outline" size="sm" className="mt-1" onClick={() => setAll(true)} data-testid="patch-show-all">
          Show all {lines.length} lines
        </Button>
      )}
    </div>
  );
}
