/**
 * Code drift on the detail page: what changed in its class's code since the result was made, and the
 * diff of its module file then (its git snapshot) and now, as `furu show HASH --code-diff` prints it.
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { GitCompareArrows } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { client, type Schemas, unwrap } from "@/lib/api";
import { DiffView } from "./DiffView";

export function DriftBanner({ hash, drift, stale }: { hash: string; drift: Schemas["Drift"]; stale?: boolean | null }) {
  const [open, setOpen] = useState(true);
  const diff = useQuery({
    queryKey: ["code-diff", hash],
    queryFn: () => unwrap(client.GET("/api/experiments/{ref}/code-diff", { params: { path: { ref: hash } } })),
    enabled: open,
  });
  const command = `furu show ${hash.slice(0, 8)} --code-diff`;
  return (
    <section className="space-y-2 rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm" data-testid="drift-banner" data-kind={drift.kind}>
      <div className="flex flex-wrap items-center gap-2">
        <GitCompareArrows className="size-4 shrink-0 text-amber-600" />
        <span className="font-medium" data-testid="drift-sentence">Code drift: {drift.sentence}.</span>
        {stale ? (
          <span className="text-xs text-muted-foreground">
            Its config is stale too, so load_or_create no longer finds it: <Link to="/stale" className="underline" data-testid="drift-stale-link">migrate it</Link>, or compute it again.
          </span>
        ) : (
          <span className="text-xs text-muted-foreground">Its config still hashes the same, so it is still loaded: invalidate it to compute it with today's code.</span>
        )}
        <span className="ml-auto flex gap-2">
          <CopyButton text={command} label="furu show --code-diff" testId="copy-code-diff" />
          <Button size="sm" variant="outline" onClick={() => setOpen(!open)} data-testid="drift-toggle">{open ? "Hide the diff" : "Show the diff"}</Button>
        </span>
      </div>
      {open && diff.error && <ErrorNote error={diff.error} testId="drift-error" />}
      {open && diff.data && (diff.data.diff
        ? <DiffView patch={diff.data.diff} testId="drift-diff" caption={`lines of ${diff.data.path} changed since it was made (${diff.data.commit.slice(0, 12)} → the working tree)`} />
        : <p className="text-xs text-muted-foreground" data-testid="drift-diff-empty">{diff.data.path} is as it was in {diff.data.commit.slice(0, 12)}.</p>)}
    </section>
  );
}
