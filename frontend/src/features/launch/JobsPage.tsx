/**
 * Jobs (`/jobs`): the runs this dashboard started (launches and reruns), each with its progress
 * (configs with a result, of all it runs) and state; the open one (`?job=`) streams its output live.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { Square } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { API_ROOT, client, type Schemas, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { formatDate } from "@/lib/utils";

type JobView = Schemas["JobView"];

const STATE_STYLE: Record<string, string> = {
  running: "bg-sky-500/15 text-sky-700 dark:text-sky-300",
  succeeded: "bg-emerald-500/15 text-emerald-700 dark:text-emerald-300",
  failed: "bg-red-500/15 text-red-700 dark:text-red-300",
  cancelled: "bg-zinc-500/15 text-zinc-700 dark:text-zinc-300",
  interrupted: "bg-amber-500/15 text-amber-700 dark:text-amber-300",
};

export function JobState({ state }: { state: string }) {
  return <Badge className={STATE_STYLE[state] ?? ""} data-testid="job-state" data-state={state}>{state}</Badge>;
}

export function JobProgress({ view }: { view: JobView }) {
  const share = view.total ? Math.round((100 * view.done) / view.total) : 0;
  return (
    <span className="inline-flex items-center gap-2" data-testid="job-progress" data-done={view.done} data-total={view.total}>
      <span className="h-1.5 w-24 overflow-hidden rounded-full bg-muted">
        <span className="block h-full bg-emerald-500 transition-all" style={{ width: `${share}%` }} />
      </span>
      <span className="text-xs tabular-nums">{view.done}/{view.total}</span>
    </span>
  );
}

export function JobsPage() {
  const search = useSearch({ from: "/jobs" });
  const navigate = useNavigate({ from: "/jobs" });
  const jobs = useQuery({
    queryKey: ["jobs"],
    queryFn: () => unwrap(client.GET("/api/launch/jobs")),
    refetchInterval: (query) => (query.state.data?.some((view) => view.job.state === "running") ? 1000 : 5000),
    staleTime: 0,
  });
  const open = jobs.data?.find((view) => view.job.id === search.job) ?? jobs.data?.[0];
  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="jobs-page">
      <h1 className="text-xl font-semibold">Jobs</h1>
      {jobs.error && <ErrorNote error={jobs.error} />}
      {jobs.data && jobs.data.length === 0 && (
        <p className="text-sm text-muted-foreground" data-testid="jobs-empty">
          No jobs yet: start one with "New from this" or "Rerun" on an experiment.
        </p>
      )}
      {jobs.data && jobs.data.length > 0 && (
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-muted-foreground">
            <tr><th className="py-1">job</th><th>state</th><th>progress</th><th>started</th><th>command</th></tr>
          </thead>
          <tbody>
            {jobs.data.map((view) => (
              <tr
                key={view.job.id}
                className={`cursor-pointer border-t border-border hover:bg-accent/50 ${view.job.id === open?.job.id ? "bg-accent/60" : ""}`}
                onClick={() => void navigate({ search: { job: view.job.id }, replace: true })}
                data-testid="job-row"
                data-job={view.job.id}
                data-state={view.job.state}
              >
                <td className="py-1.5 pr-3">{view.job.title}</td>
                <td className="pr-3"><JobState state={view.job.state} /></td>
                <td className="pr-3"><JobProgress view={view} /></td>
                <td className="pr-3 text-xs text-muted-foreground">{formatDate(view.job.started_at)}</td>
                <td className="max-w-md truncate font-mono text-xs" title={view.job.shown}>{view.job.shown}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <JobDetail view={open} />}
    </div>
  );
}

function JobDetail({ view }: { view: JobView }) {
  const { job } = view;
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => unwrap(client.POST("/api/launch/jobs/{job_id}/cancel", { params: { path: { job_id: job.id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["jobs"] }),
  });
  return (
    <Card data-testid="job-detail" data-job={job.id}>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">{job.title} <JobState state={job.state} /> <JobProgress view={view} /></CardTitle>
        <div className="flex items-center gap-2">
          {job.exit_code != null && <span className="text-xs text-muted-foreground" data-testid="job-exit-code">exit {job.exit_code}</span>}
          <CopyButton text={job.shown} label="command" testId="job-copy-command" />
          {canWrite && job.state === "running" && (
            <Button variant="outline" size="sm" onClick={() => cancel.mutate()} disabled={cancel.isPending} data-testid="job-cancel"><Square /> Cancel</Button>
          )}
        </div>
      </CardHeader>
      <CardContent className="space-y-3">
        <pre className="overflow-auto whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-xs" data-testid="job-command">{job.shown}</pre>
        {cancel.error && <ErrorNote error={cancel.error} />}
        <ul className="flex flex-wrap gap-2 text-xs">
          {(job.configs ?? []).map((config) => (
            <li key={config.hash}>
              <Link to="/experiments/$hash" params={{ hash: config.hash }} className="font-mono underline" data-testid="job-config" title={config.assignments.join(" ")}>
                {config.hash.slice(0, 8)}
              </Link>
            </li>
          ))}
        </ul>
        <JobLog id={job.id} />
      </CardContent>
    </Card>
  );
}

/** Lines kept on screen; older ones scroll away. */
const KEEP = 5000;

export function JobLog({ id }: { id: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [ended, setEnded] = useState<string | null>(null);
  const bottom = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setLines([]);
    setEnded(null);
    if (typeof EventSource === "undefined") return;
    const source = new EventSource(`${API_ROOT}/launch/jobs/${encodeURIComponent(id)}/log/stream`);
    source.addEventListener("line", (event) => setLines((prev) => [...prev, (event as MessageEvent<string>).data].slice(-KEEP)));
    source.addEventListener("end", (event) => {
      setEnded((event as MessageEvent<string>).data);
      source.close();
    });
    return () => source.close();
  }, [id]);
  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: "end" });
  }, [lines.length]);
  return (
    <div>
      <div className="mb-1 text-xs text-muted-foreground" data-testid="job-log-status">{ended ? `finished: ${ended}` : "live"}</div>
      <pre className="max-h-[28rem] overflow-auto rounded-md border border-border bg-muted/40 p-3 font-mono text-xs leading-5" data-testid="job-log">
        {lines.join("\n")}
        <div ref={bottom} />
      </pre>
    </div>
  );
}
