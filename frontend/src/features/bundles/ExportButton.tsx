/** "Export selected" on /experiments: the selection (with its dependencies) as one `furu export` bundle download. */
import { useMutation } from "@tanstack/react-query";
import { Download } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import { useCanWrite } from "@/lib/queries";
import { exportBundle, exportCommand, saveBlob } from "./bundles";

/** Absent on a read-only dashboard: the export is a POST, which --read-only refuses (use `furu export` there). */
export function ExportButton({ hashes }: { hashes: string[] }) {
  const canWrite = useCanWrite();
  const [open, setOpen] = useState(false);
  const [deps, setDeps] = useState(true);
  const [code, setCode] = useState(true);
  const run = useMutation({
    mutationFn: () => exportBundle({ hashes, deps, code: code ? "bundle" : "none", filter: "" }),
    onSuccess: (exported) => saveBlob(exported.blob, exported.fileName),
  });
  const command = exportCommand(hashes, deps) + (code ? "" : " --code none");
  if (!canWrite) return null;
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (!next) run.reset(); }}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" data-testid="export-selected"><Download /> Export selected</Button>
      </DialogTrigger>
      <DialogContent data-testid="export-dialog" className="max-w-xl">
        <DialogTitle>Export {hashes.length} experiment{hashes.length === 1 ? "" : "s"} as a bundle</DialogTitle>
        <DialogDescription>One file to send to someone: they import it with <code>furu import</code> (or on their dashboard's Import page), verified entry by entry.</DialogDescription>
        <label className="flex items-center gap-2 text-sm">
          <Switch checked={deps} onCheckedChange={setDeps} data-testid="export-deps" /> include their dependencies
        </label>
        <label className="flex items-center gap-2 text-sm">
          <Switch checked={code} onCheckedChange={setCode} data-testid="export-code" /> include the code snapshots (time travel works at the receiver)
        </label>
        <pre className="overflow-auto rounded-md bg-muted p-2 font-mono text-xs" data-testid="export-command">{command}</pre>
        {run.error && <ErrorNote error={run.error} testId="export-error" />}
        {run.data && (
          <p className="text-sm" data-testid="export-result">
            Downloaded <span className="font-mono">{run.data.fileName}</span> ({run.data.artifacts} artifact{run.data.artifacts === 1 ? "" : "s"}{deps ? " with dependencies" : ""}).
          </p>
        )}
        <DialogFooter>
          <CopyButton text={command} label="command" testId="export-copy-command" />
          <Button onClick={() => run.mutate()} disabled={run.isPending || hashes.length === 0} data-testid="export-download">
            <Download /> {run.isPending ? "Writing the bundle…" : "Download bundle"}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
