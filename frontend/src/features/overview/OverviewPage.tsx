/** Overview (`/`): counts per status and per class, what runs now, recent changes, disk usage, the project's saved charts. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { ErrorNote } from "@/components/layout";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { STATUS_COLORS, StatusBadge } from "@/components/ui/status-badge";
import { SavedCharts } from "@/features/charts/SavedCharts";
import { client, type ExperimentRow, type Stats, unwrap } from "@/lib/api";
import { cn, formatBytes, formatDate, formatDuration } from "@/lib/utils";

export function OverviewPage() {
  const stats = useQuery({ queryKey: ["stats"], queryFn: () => unwrap(client.GET("/api/stats")) });
  if (stats.error) return <div className="p-6"><ErrorNote error={stats.error} /></div>;
  if (!stats.data) return <div className="p-6 text-sm text-muted-foreground">Loading…</div>;
  const data = stats.data;
  return (
    <div className="mx-auto grid max-w-6xl gap-4 p-6 md:grid-cols-2" data-testid="overview">
      <Card className="md:col-span-2">
        <CardHeader>
          <CardTitle>{data.total} experiments</CardTitle>
          <span className="text-xs text-muted-foreground" data-testid="overview-disk">{formatBytes(data.disk_bytes)} on disk</span>
        </CardHeader>
        <CardContent className="flex flex-wrap gap-2">
          <StatusBar stats={data} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>Running now</CardTitle></CardHeader>
        <CardContent className="p-0"><RowList rows={data.running} empty="Nothing is running." testId="overview-running" /></CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>Recent activity</CardTitle></CardHeader>
        <CardContent className="p-0"><RowList rows={data.recent} empty="No experiments yet." testId="overview-recent" /></CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>Classes</CardTitle></CardHeader>
        <CardContent>
          <Bars items={data.by_class.map((c) => ({ label: c.value, value: c.count, text: String(c.count), filter: `class=${c.value}` }))} testId="overview-class" />
        </CardContent>
      </Card>
      <Card>
        <CardHeader><CardTitle>Disk usage by class</CardTitle></CardHeader>
        <CardContent>
          <Bars items={data.disk_by_class.map((c) => ({ label: c.value, value: c.count, text: formatBytes(c.count), filter: `class=${c.value}` }))} testId="overview-disk-class" />
        </CardContent>
      </Card>
      <div className="md:col-span-2"><SavedCharts compact /></div>
    </div>
  );
}

function StatusBar({ stats }: { stats: Stats }) {
  return (
    <>
      {stats.by_status.map((s) => (
        <Link
          key={s.value}
          to="/experiments"
          search={{ filter: `status=${s.value}` }}
          data-testid="overview-status"
          data-status={s.value}
          className="flex items-center gap-2 rounded-md border border-border px-3 py-2 hover:bg-accent"
        >
          <StatusBadge status={s.value} />
          <span className="text-lg font-semibold tabular-nums">{s.count}</span>
        </Link>
      ))}
    </>
  );
}

function Bars({ items, testId }: { items: { label: string; value: number; text: string; filter: string }[]; testId: string }) {
  if (!items.length) return <p className="text-sm text-muted-foreground">None.</p>;
  const max = Math.max(...items.map((i) => i.value), 1);
  return (
    <ul className="space-y-1.5 text-sm">
      {items.slice(0, 12).map((item) => (
        <li key={item.label} data-testid={testId}>
          <Link to="/experiments" search={{ filter: item.filter }} className="group block">
            <div className="flex justify-between gap-2">
              <span className="truncate group-hover:underline" title={item.label}>{item.label.split(".").pop()}</span>
              <span className="tabular-nums text-muted-foreground">{item.text}</span>
            </div>
            <div className="mt-0.5 h-1.5 rounded bg-muted">
              <div className={cn("h-1.5 rounded", STATUS_COLORS.running)} style={{ width: `${(100 * item.value) / max}%` }} />
            </div>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function RowList({ rows, empty, testId }: { rows: ExperimentRow[]; empty: string; testId: string }) {
  if (!rows.length) return <p className="p-4 text-sm text-muted-foreground">{empty}</p>;
  return (
    <ul className="divide-y divide-border text-sm">
      {rows.map((row) => (
        <li key={row.hash} data-testid={testId}>
          <Link to="/experiments/$hash" params={{ hash: row.hash }} className="flex items-center gap-3 px-4 py-2 hover:bg-accent">
            <StatusBadge status={row.status} className="w-20" />
            <span className="min-w-0 flex-1 truncate">
              {row.class_name} <span className="font-mono text-xs text-muted-foreground">{row.short_hash}</span>
              {row.name && <span className="ml-1 text-muted-foreground">“{row.name}”</span>}
            </span>
            <span className="text-xs text-muted-foreground tabular-nums">
              {row.status === "running" ? formatDuration(row.runtime_secs) : formatDate(row.updated)}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
