/**
 * Compare (`/compare?hashes=a,b,c`): two or more experiments side by side. The config fields that
 * differ (`furu diff`'s engine, each with every experiment's value), status, runtime and resources,
 * the numbers in their JSON result files, and the code diff between two of their snapshots.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { ErrorNote } from "@/components/layout";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { StatusBadge } from "@/components/ui/status-badge";
import { type ComparedExperiment, client, unwrap } from "@/lib/api";
import { cn, formatBytes, formatDate, formatDuration } from "@/lib/utils";
import { CodeDiff } from "./CodeDiff";
import { differsFromFirst, formatCell, formatMetric, letter } from "./compare";

export function ComparePage() {
  const search = useSearch({ from: "/compare" });
  const navigate = useNavigate({ from: "/compare" });
  const hashes = search.hashes ? search.hashes.split(",") : [];
  const query = useQuery({
    queryKey: ["compare", search.hashes],
    queryFn: () => unwrap(client.GET("/api/compare", { params: { query: { hashes: search.hashes ?? "" } } })),
    enabled: hashes.length >= 2,
  });

  const back = (
    <Link to="/experiments" search={{ selected: search.hashes }} className="text-sm underline" data-testid="compare-back">
      Back to the experiments
    </Link>
  );
  if (hashes.length < 2) {
    return (
      <div className="space-y-3 p-6" data-testid="compare-page">
        <p className="text-sm" data-testid="compare-empty">
          Select two or more experiments on the experiments page (their checkboxes, or <kbd>x</kbd> on a row), then Compare (<kbd>c</kbd>).
        </p>
        {back}
      </div>
    );
  }
  if (query.error) {
    return (
      <div className="space-y-3 p-6" data-testid="compare-page">
        <ErrorNote error={query.error} testId="compare-error" />
        {back}
      </div>
    );
  }
  if (!query.data) return <div className="p-6 text-sm text-muted-foreground" data-testid="compare-page">Loading…</div>;
  const { experiments, fields, metrics, commands, python } = query.data;
  const [codeA = "", codeB = ""] = search.code ? search.code.split(",") : experiments.slice(0, 2).map((e) => e.row.hash);

  return (
    <div className="mx-auto max-w-7xl space-y-4 p-6" data-testid="compare-page">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Compare {experiments.length} experiments</h1>
        {back}
        <div className="ml-auto flex flex-wrap gap-2">
          {commands.map((command) => (
            <span key={command} className="flex items-center gap-2">
              <code className="rounded bg-muted px-2 py-1 font-mono text-xs" data-testid="compare-command">{command}</code>
              <CopyButton text={command} label="copy" testId="compare-command-copy" />
            </span>
          ))}
          <CopyButton text={python} label="Python" testId="compare-python" />
        </div>
      </header>

      <Card>
        <CardHeader><CardTitle>Experiments</CardTitle></CardHeader>
        <CardContent className="overflow-x-auto p-0">
          <SideBySide experiments={experiments} testId="compare-summary">
            <Row label="class" cells={experiments.map((e) => <span title={e.row.fqn}>{e.row.class_name}</span>)} />
            <Row label="status" cells={experiments.map((e) => <StatusBadge status={e.row.status} />)} testId="compare-status" />
            <Row label="name, tags" cells={experiments.map((e) => [e.row.name, ...e.row.tags].filter(Boolean).join(", "))} />
            <Row label="runtime" cells={experiments.map((e) => formatDuration(e.row.runtime_secs))} testId="compare-runtime" />
            <Row label="created" cells={experiments.map((e) => formatDate(e.row.created))} />
            <Row label="attempts" cells={experiments.map((e) => String(e.row.attempts))} />
            <Row label="ran on" cells={experiments.map((e) => [e.backend, e.row.host && `${e.row.user ?? ""}@${e.row.host}`, e.row.job_id && `job ${e.row.job_id}`].filter(Boolean).join(" · "))} />
            <Row label="cpu (user + sys)" cells={experiments.map((e) => (e.resources ? formatDuration(e.resources.cpu_user_secs + e.resources.cpu_sys_secs) : ""))} testId="compare-cpu" />
            <Row label="peak memory" cells={experiments.map((e) => (e.resources ? formatBytes(e.resources.peak_rss_bytes) : ""))} testId="compare-memory" />
            <Row label="gpus" cells={experiments.map((e) => gpus(e))} />
            <Row label="size" cells={experiments.map((e) => formatBytes(e.row.size_bytes))} />
          </SideBySide>
          {experiments.some((e) => e.problems.length > 0 || e.row.problem) && (
            <ul className="border-t border-border px-4 py-2 text-xs text-muted-foreground" data-testid="compare-problems">
              {experiments.flatMap((e, i) => [e.row.problem, ...e.problems].filter(Boolean).map((p) => <li key={`${i}${p}`}>{letter(i)}: {p}</li>))}
            </ul>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Config: {fields.length === 1 ? "1 field differs" : `${fields.length} fields differ`}</CardTitle>
          <span className="text-xs text-muted-foreground">by dotted path, as <code>furu diff</code>; highlighted where it differs from A</span>
        </CardHeader>
        <CardContent className="overflow-x-auto p-0">
          {fields.length === 0 ? (
            <p className="p-4 text-sm text-muted-foreground" data-testid="compare-identical">
              {new Set(experiments.map((e) => e.row.fqn)).size === 1 ? "The configs are identical." : "No field differs."}
            </p>
          ) : (
            <SideBySide experiments={experiments} testId="compare-fields">
              {fields.map((field) => (
                <tr key={field.path} className="border-t border-border" data-testid="compare-field" data-path={field.path}>
                  <th className="px-3 py-1.5 text-left font-mono text-xs font-normal whitespace-nowrap">
                    {field.path}
                    {field.affects_hash === false && <span className="ml-2 text-muted-foreground">not hashed</span>}
                  </th>
                  {field.values.map((value, i) => (
                    <td
                      key={i}
                      className={cn("px-3 py-1.5 font-mono text-xs", differsFromFirst(field.values, field.absent, i) && "bg-amber-500/15")}
                      data-testid="compare-value"
                      data-index={i}
                      title={JSON.stringify(value)}
                    >
                      {formatCell(value, field.absent[i] ?? false)}
                    </td>
                  ))}
                </tr>
              ))}
            </SideBySide>
          )}
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Results: {metrics.length} number{metrics.length === 1 ? "" : "s"}</CardTitle>
          <span className="text-xs text-muted-foreground">from each one's top-level JSON files, as <code>file.key</code></span>
        </CardHeader>
        <CardContent className="overflow-x-auto p-0">
          {metrics.length === 0 ? (
            <p className="p-4 text-sm text-muted-foreground" data-testid="compare-no-metrics">None of them wrote a JSON file with numbers.</p>
          ) : (
            <SideBySide experiments={experiments} testId="compare-metrics">
              {metrics.map((name) => (
                <tr key={name} className="border-t border-border" data-testid="compare-metric" data-name={name}>
                  <th className="px-3 py-1.5 text-left font-mono text-xs font-normal whitespace-nowrap">{name}</th>
                  {experiments.map((e, i) => (
                    <td key={i} className="px-3 py-1.5 font-mono text-xs tabular-nums" data-testid="compare-metric-value" data-index={i}>
                      {formatMetric(e.metrics ?? {}, name)}
                    </td>
                  ))}
                </tr>
              ))}
            </SideBySide>
          )}
        </CardContent>
      </Card>

      <CodeDiff
        experiments={experiments}
        a={codeA}
        b={codeB}
        onPick={(a, b) => void navigate({ search: (prev) => ({ ...prev, code: `${a},${b}` }), replace: true })}
      />
    </div>
  );
}

function gpus(experiment: ComparedExperiment): string {
  const used = experiment.resources?.gpus;
  if (!used?.length) return experiment.resources ? "none" : "";
  return used.map((gpu) => `${gpu.name} ${Math.round(gpu.memory_used_mib)} MiB`).join(", ");
}

/** A table whose columns are the experiments (A, B, ...: class, short hash, a link to each detail page). */
function SideBySide({ experiments, testId, children }: { experiments: ComparedExperiment[]; testId: string; children: ReactNode }) {
  return (
    <table className="w-full text-sm" data-testid={testId}>
      <thead>
        <tr>
          <th className="w-48 px-3 py-2" />
          {experiments.map((e, i) => (
            <th key={e.row.hash} className="px-3 py-2 text-left font-medium" data-testid="compare-column" data-hash={e.row.hash}>
              <span className="mr-1.5 inline-flex size-5 items-center justify-center rounded bg-primary text-xs text-primary-foreground">{letter(i)}</span>
              <Link to="/experiments/$hash" params={{ hash: e.row.hash }} className="font-mono text-xs underline-offset-2 hover:underline">
                {e.row.short_hash}
              </Link>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

function Row({ label, cells, testId }: { label: string; cells: ReactNode[]; testId?: string }) {
  return (
    <tr className="border-t border-border" data-testid={testId}>
      <th className="px-3 py-1.5 text-left text-xs font-normal whitespace-nowrap text-muted-foreground">{label}</th>
      {cells.map((cell, i) => (
        <td key={i} className="px-3 py-1.5 text-xs" data-index={i}>{cell}</td>
      ))}
    </tr>
  );
}
