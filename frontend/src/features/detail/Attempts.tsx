/** Every attempt at computing the result, newest first, with its error and traceback. */
import { StatusBadge } from "@/components/ui/status-badge";
import type { Schemas } from "@/lib/api";
import { formatDate } from "@/lib/utils";

export function Attempts({ state }: { state: Schemas["ArtifactState"] | null | undefined }) {
  const attempts = [...(state?.attempts ?? [])].reverse();
  if (!attempts.length) return <p className="text-sm text-muted-foreground">No attempts recorded.</p>;
  return (
    <ol className="space-y-3">
      {attempts.map((a) => (
        <li key={a.id} className="rounded-md border border-border p-3 text-sm" data-testid="attempt">
          <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
            <span className="font-semibold">#{a.number}</span>
            <StatusBadge status={a.status} />
            <span className="text-muted-foreground">{a.backend} on {a.host} · pid {a.pid} · {a.user}</span>
            {a.job_id && <span className="text-muted-foreground">job {a.job_id}</span>}
            <span className="ml-auto text-xs text-muted-foreground">{formatDate(a.started_at)} → {formatDate(a.ended_at) || "…"}</span>
          </div>
          {a.reason && <p className="mt-1 text-muted-foreground">{a.reason}</p>}
          {a.error && (
            <details className="mt-2" open data-testid="attempt-error">
              <summary className="cursor-pointer font-mono text-xs text-destructive">{a.error.type}: {a.error.message}</summary>
              <pre className="mt-1 max-h-96 overflow-auto rounded bg-muted p-2 font-mono text-xs" data-testid="traceback">{a.error.traceback}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}
