/** Detail (`/experiments/$hash`): one result's status, labels, copy buttons, actions, and its tabs. */
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { ErrorNote } from "@/components/layout";
import { CopyButton } from "@/components/ui/copy-button";
import { StatusBadge } from "@/components/ui/status-badge";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Marks } from "@/features/experiments/columns";
import { client, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { formatBytes, formatDate, formatDuration } from "@/lib/utils";
import { NewFromThisButton, RerunButton } from "@/features/launch/RerunButton";
import { DeleteButton, InvalidateButton, NameEditor, TagsEditor } from "./Actions";
import { Attempts } from "./Attempts";
import { DriftBanner } from "./DriftBanner";
import { ConfigSection } from "./ConfigSection";
import { FileBrowser } from "./FileViewer";
import { LogView } from "./LogView";
import { Provenance } from "./Provenance";
import { Relationships } from "./Relationships";
import type { DetailTab } from "./search";

export function DetailPage() {
  const { hash } = useParams({ from: "/experiments/$hash" });
  const search = useSearch({ from: "/experiments/$hash" });
  const navigate = useNavigate({ from: "/experiments/$hash" });
  const canWrite = useCanWrite();
  const query = useQuery({
    queryKey: ["experiment", hash],
    queryFn: () => unwrap(client.GET("/api/experiments/{ref}", { params: { path: { ref: hash } } })),
  });
  if (query.error) {
    return (
      <div className="space-y-3 p-6">
        <ErrorNote error={query.error} testId="detail-error" />
        <Link to="/experiments" className="text-sm underline">All experiments</Link>
      </div>
    );
  }
  if (!query.data) return <div className="p-6 text-sm text-muted-foreground">Loading…</div>;
  const detail = query.data;
  const { row, report, commands } = detail;
  const tab: DetailTab = search.tab ?? "overview";
  const problems = [row.problem, ...(report.problems ?? []), ...(detail.stale_reasons ?? [])].filter((p): p is string => !!p);

  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="detail-page" data-hash={row.hash}>
      <header className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge status={row.status} className="text-sm" />
          <h1 className="text-xl font-semibold" title={row.fqn}>{row.class_name}</h1>
          <span className="font-mono text-sm text-muted-foreground" data-testid="detail-hash">{row.hash}</span>
          <Marks row={{ ...row, name: null, tags: [] }} />
          {canWrite && (
            <div className="ml-auto flex gap-2">
              <NewFromThisButton hash={row.hash} />
              <RerunButton hashes={[row.hash]} />
              <InvalidateButton hash={row.hash} />
              <DeleteButton hash={row.hash} label={`${row.class_name} ${row.short_hash}`} />
            </div>
          )}
        </div>
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <NameEditor hash={row.hash} name={row.name} canWrite={canWrite} />
          <TagsEditor hash={row.hash} tags={row.tags} canWrite={canWrite} />
        </div>
        <div className="flex flex-wrap gap-2">
          <CopyButton text={row.hash} label="hash" testId="copy-hash" />
          {commands.python && <CopyButton text={commands.python} label="Python" testId="copy-python" />}
          <CopyButton text={commands.directory} label="directory" testId="copy-directory" />
          <CopyButton text={commands.timetravel} label="furu timetravel" testId="copy-timetravel" />
        </div>
        <p className="text-xs text-muted-foreground">
          {row.namespace} · created {formatDate(row.created)} · updated {formatDate(row.updated)}
          {row.runtime_secs != null && ` · ran ${formatDuration(row.runtime_secs)}`}
          {row.size_bytes != null && ` · ${formatBytes(row.size_bytes)}`} · {row.attempts} attempt{row.attempts === 1 ? "" : "s"}
          {row.host && ` · ${row.user ?? ""}@${row.host}`}
        </p>
        {problems.length > 0 && (
          <ul className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm" data-testid="detail-problems">
            {problems.map((p) => <li key={p}>{p}</li>)}
          </ul>
        )}
        {report.code_drift && <DriftBanner hash={row.hash} drift={report.code_drift} stale={row.stale} />}
      </header>

      <Tabs value={tab} onValueChange={(value) => void navigate({ search: (prev) => ({ ...prev, tab: value === "overview" ? undefined : (value as DetailTab) }), replace: true })}>
        <TabsList>
          <TabsTrigger value="overview" data-testid="tab-overview">Config</TabsTrigger>
          <TabsTrigger value="attempts" data-testid="tab-attempts">Attempts ({report.state?.attempts?.length ?? 0})</TabsTrigger>
          <TabsTrigger value="provenance" data-testid="tab-provenance">Provenance</TabsTrigger>
          <TabsTrigger value="files" data-testid="tab-files">Files</TabsTrigger>
          <TabsTrigger value="log" data-testid="tab-log">Log</TabsTrigger>
        </TabsList>
        <TabsContent value="overview" className="space-y-6">
          <ConfigSection config={report.record.config} lineage={report.dependencies} hash={row.hash} />
          <Relationships hash={row.hash} />
          {report.python && (
            <details>
              <summary className="cursor-pointer text-sm text-muted-foreground">Python that rebuilds this config</summary>
              <pre className="mt-1 overflow-auto rounded-md bg-muted p-3 font-mono text-xs" data-testid="detail-python">{report.python}</pre>
            </details>
          )}
        </TabsContent>
        <TabsContent value="attempts"><Attempts state={report.state} /></TabsContent>
        <TabsContent value="provenance"><Provenance detail={detail} /></TabsContent>
        <TabsContent value="files">
          <FileBrowser hash={row.hash} dir={search.dir} file={search.file} onOpen={(place) => void navigate({ search: (prev) => ({ ...prev, dir: place.dir, file: place.file }), replace: true })} />
        </TabsContent>
        <TabsContent value="log"><LogView hash={row.hash} running={row.status === "running"} /></TabsContent>
      </Tabs>
    </div>
  );
}
