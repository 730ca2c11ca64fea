/**
 * Rerun: invalidate experiments and run them again. The dialog first shows the plan (which
 * would rerun, which cannot and why, and the `furu invalidate ... && furu run ...` it stands
 * for), and changes nothing until confirmed; then the jobs page follows the run.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { FilePlus2, RotateCcw } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { StatusBadge } from "@/components/ui/status-badge";
import { client, unwrap } from "@/lib/api";

/** Rerun one experiment (`hashes`) or every one a `furu ls` filter matches (`filter`). */
export function RerunButton({ hashes, filter, label = "Rerun" }: { hashes?: string[]; filter?: string; label?: string }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const byFilter = filter !== undefined;
  const plan = useQuery({
    queryKey: ["rerun-plan", hashes ?? null, filter ?? null],
    queryFn: () => unwrap(client.GET("/api/launch/rerun", { params: { query: byFilter ? { filter } : { hash: hashes ?? [] } } })),
    enabled: open,
    staleTime: 0,
  });
  const run = useMutation({
    mutationFn: () => unwrap(client.POST("/api/launch/rerun", { body: byFilter ? { filter } : { hashes: hashes ?? [] } })),
    onSuccess: (reran) => {
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "health" });
      setOpen(false);
      void navigate({ to: "/jobs", search: { job: reran.job.job.id } });
    },
  });
  const items = plan.data?.items ?? [];
  const runnable = items.filter((item) => !item.problem);
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (!next) run.reset(); }}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid={byFilter ? "rerun-filtered-button" : "rerun-button"}><RotateCcw /> {label}</Button>
      </DialogTrigger>
      <DialogContent data-testid="rerun-dialog" className="max-w-3xl">
        <DialogTitle>Rerun {byFilter ? "the filtered experiments" : "this experiment"}?</DialogTitle>
        <DialogDescription>
          Each one is invalidated (its result counts as absent; the files stay until the run overwrites them), then run again with `furu run`.
          One that is being created right now is left alone.
        </DialogDescription>
        {plan.error && <ErrorNote error={plan.error} />}
        {!plan.data && !plan.error && <p className="text-sm text-muted-foreground">Planning…</p>}
        {plan.data && (
          <div className="space-y-3 text-sm">
            <p data-testid="rerun-count">
              {runnable.length} of {items.length} would rerun{byFilter && filter ? <> (filter <span className="font-mono">{filter}</span>)</> : null}.
            </p>
            <ul className="max-h-64 space-y-1 overflow-auto">
              {items.map((item) => (
                <li key={item.hash} className="flex items-center gap-2 text-xs" data-testid="rerun-item" data-hash={item.hash} data-runnable={!item.problem}>
                  <StatusBadge status={item.status} />
                  <span className="whitespace-nowrap font-mono">{item.fqn.split(".").pop()} {item.hash.slice(0, 8)}</span>
                  {item.problem ? (
                    <span className="text-amber-700 dark:text-amber-300">{item.problem}</span>
                  ) : (
                    <span className="truncate font-mono text-muted-foreground">{item.assignments.join(" ") || "(defaults)"}</span>
                  )}
                </li>
              ))}
            </ul>
            {plan.data.command && (
              <div className="flex items-start gap-2">
                <pre className="max-h-32 min-w-0 flex-1 overflow-auto whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-xs" data-testid="rerun-command">{plan.data.command}</pre>
                <CopyButton text={plan.data.command} label="command" testId="rerun-copy-command" />
              </div>
            )}
          </div>
        )}
        {run.error && <ErrorNote error={run.error} testId="rerun-error" />}
        <DialogFooter>
          <DialogClose asChild><Button variant="ghost">Cancel</Button></DialogClose>
          <Button onClick={() => run.mutate()} disabled={run.isPending || runnable.length === 0} data-testid="rerun-confirm">
            Rerun {runnable.length || ""}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** The detail page's way in to the launch form. */
export function NewFromThisButton({ hash }: { hash: string }) {
  return (
    <Button variant="outline" size="sm" asChild>
      <Link to="/launch/$hash" params={{ hash }} data-testid="new-from-this"><FilePlus2 /> New from this</Link>
    </Button>
  );
}
