/**
 * Import (`/import`): upload a bundle, see the dry run (`furu import --dry-run`: what would be imported,
 * skipped, replaced or refused), then apply it. The server verifies every entry as the CLI does; a
 * hostile or damaged bundle is refused whole with the CLI's sentence.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Upload } from "lucide-react";
import { useRef, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Switch } from "@/components/ui/switch";
import { useCanWrite } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { ACTIONS, actionCounts, actionVerb, type ImportAction, type ImportReport, importCommand, uploadBundle } from "./bundles";

const ACTION_STYLES: Record<ImportAction, string> = {
  imported: "text-emerald-700 dark:text-emerald-400",
  replaced: "text-amber-700 dark:text-amber-400",
  skipped: "text-muted-foreground",
  refused: "text-red-700 dark:text-red-400",
};

export function ImportPage() {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [overwrite, setOverwrite] = useState(false);
  const dryRun = useMutation({ mutationFn: (chosen: { file: File; overwrite: boolean }) => uploadBundle(chosen.file, true, chosen.overwrite) });
  const apply = useMutation({
    mutationFn: (chosen: { file: File; overwrite: boolean }) => uploadBundle(chosen.file, false, chosen.overwrite),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const choose = (chosen: File | null, withOverwrite = overwrite) => {
    setFile(chosen);
    apply.reset();
    if (chosen) dryRun.mutate({ file: chosen, overwrite: withOverwrite });
    else dryRun.reset();
  };
  const plan = dryRun.data;
  const done = apply.data;
  const writes = plan ? actionCounts(plan).imported + actionCounts(plan).replaced : 0;
  const name = file?.name ?? "BUNDLE";
  return (
    <div className="mx-auto max-w-5xl space-y-4 p-6" data-testid="import-page">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Import a bundle</h1>
        <span className="text-sm text-muted-foreground">written by <code>furu export</code> (or Export selected on the experiments page)</span>
      </header>
      {!canWrite && <p className="text-sm text-muted-foreground" data-testid="import-read-only">This dashboard is read-only: a bundle can be checked with <code>furu import --dry-run</code>, not imported here.</p>}
      <div className="flex flex-wrap items-center gap-3">
        <input ref={input} type="file" accept=".tar,.furu,application/x-tar" className="hidden" onChange={(e) => choose(e.target.files?.[0] ?? null)} data-testid="import-file" />
        <Button onClick={() => input.current?.click()} disabled={!canWrite} data-testid="import-choose"><Upload /> Choose a bundle…</Button>
        {file && <span className="font-mono text-sm" data-testid="import-file-name">{file.name}</span>}
        <label className="flex items-center gap-2 text-sm" title="Replace artifacts that have the same hash but a different result (--overwrite)">
          <Switch checked={overwrite} onCheckedChange={(on) => { setOverwrite(on); if (file) choose(file, on); }} data-testid="import-overwrite" disabled={!canWrite} />
          overwrite differing results
        </label>
      </div>
      <div className="flex flex-wrap gap-2">
        <CopyButton text={importCommand(name, true) + (overwrite ? " --overwrite" : "")} label={importCommand(name, true)} testId="import-copy-dry-run" />
        <CopyButton text={importCommand(name, false) + (overwrite ? " --overwrite" : "")} label={importCommand(name, false)} testId="import-copy-command" />
      </div>
      {dryRun.isPending && <p className="text-sm text-muted-foreground">Verifying the bundle…</p>}
      {dryRun.error && <ErrorNote error={dryRun.error} testId="import-error" />}
      {plan && <Report report={done ?? plan} testId={done ? "import-done" : "import-report"} />}
      {plan && !done && (
        <div className="flex items-center gap-3">
          <Button onClick={() => file && apply.mutate({ file, overwrite })} disabled={!canWrite || apply.isPending || writes === 0} data-testid="import-apply">
            {apply.isPending ? "Importing…" : `Apply: import ${writes} artifact${writes === 1 ? "" : "s"}`}
          </Button>
          {writes === 0 && <span className="text-sm text-muted-foreground">Nothing to import.</span>}
        </div>
      )}
      {apply.error && <ErrorNote error={apply.error} testId="import-apply-error" />}
    </div>
  );
}

function Report({ report, testId }: { report: ImportReport; testId: string }) {
  const counts = actionCounts(report);
  const code = report.code;
  return (
    <Card data-testid={testId} data-dry-run={report.dry_run}>
      <CardHeader>
        <CardTitle>
          {report.dry_run ? "Dry run: nothing written yet" : "Imported"} · <span className="font-mono">{report.bundle}</span>
        </CardTitle>
        <span className="text-xs text-muted-foreground">
          exported by {report.exported_by} on {new Date(report.exported_at).toLocaleString()} (furu {report.exporter_furu_version})
        </span>
      </CardHeader>
      <CardContent className="space-y-3 p-0">
        <p className="px-4 pt-3 text-sm" data-testid="import-counts">
          {ACTIONS.map((action) => `${counts[action]} ${actionVerb(action, report.dry_run)}`).join(", ")}
        </p>
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-muted-foreground">
            <tr className="border-b border-border">
              <th className="px-4 py-1.5 font-medium">action</th>
              <th className="px-2 py-1.5 font-medium">experiment</th>
              <th className="px-4 py-1.5 font-medium">why</th>
            </tr>
          </thead>
          <tbody>
            {report.experiments.map((e) => (
              <tr key={e.hash} className="border-b border-border last:border-0" data-testid="import-row" data-action={e.action} data-hash={e.hash}>
                <td className={cn("px-4 py-1.5 text-xs font-medium", ACTION_STYLES[e.action])}>{actionVerb(e.action, report.dry_run)}</td>
                <td className="px-2 py-1.5 font-mono text-xs">
                  {!report.dry_run && (e.action === "imported" || e.action === "replaced" || e.action === "skipped") ? (
                    <Link to="/experiments/$hash" params={{ hash: e.hash }} className="text-sky-600 hover:underline dark:text-sky-400" data-testid="import-row-link">
                      {e.fqn.split(".").pop()} {e.hash.slice(0, 8)}
                    </Link>
                  ) : (
                    <span title={e.fqn}>{e.fqn.split(".").pop()} {e.hash.slice(0, 8)}</span>
                  )}
                  {!e.requested && <span className="ml-2 text-muted-foreground">(dependency)</span>}
                  {e.unpickles_code.map((p) => (
                    <div key={p} className="text-amber-700 dark:text-amber-400">unpickles code on load: {p} (load it only if you trust the sender)</div>
                  ))}
                </td>
                <td className="px-4 py-1.5 text-xs text-muted-foreground">{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="space-y-1 px-4 pb-3 text-xs text-muted-foreground" data-testid="import-code">
          {code.fetched?.length || code.already_present?.length ? (
            <p>code: {code.fetched?.length ?? 0} snapshot(s) fetched into refs/furu/snapshots/, {code.already_present?.length ?? 0} already there; <code>furu timetravel &lt;hash&gt;</code> works</p>
          ) : code.snapshot_ids.length && report.dry_run ? (
            <p>code: would fetch {code.snapshot_ids.length} snapshot(s){code.note ? ` (${code.note})` : ""}</p>
          ) : code.note ? (
            <p>code: {code.note}</p>
          ) : null}
          {report.missing_dependencies.map((ref) => (
            <p key={ref.hash} className="text-amber-700 dark:text-amber-400">the exporter did not have dependency {ref.fqn} {ref.hash.slice(0, 8)}</p>
          ))}
        </div>
      </CardContent>
    </Card>
  );
}
