/**
 * Bundles: `furu export` as a download and `furu import` as an upload (`/api/bundles`). The export
 * is a POST (it names a selection), so the page fetches it and saves the blob itself; the upload
 * is multipart. Both send the mutation token like every other change.
 */
import { API_ROOT, ApiError, detailOf, mutationToken, type Schemas } from "@/lib/api";

export type ImportReport = Schemas["ImportReport"];
export type ImportAction = Schemas["ImportedExperiment"]["action"];
export type ExportBody = Schemas["ExportBody"];

export const ACTIONS: ImportAction[] = ["imported", "replaced", "skipped", "refused"];

/** What the CLI prints for each action, in a dry run and for real (furu/cli/share.py). */
export function actionVerb(action: ImportAction, dryRun: boolean): string {
  if (!dryRun) return action;
  return { imported: "would import", replaced: "would replace", skipped: "would skip", refused: "would refuse" }[action];
}

export function actionCounts(report: ImportReport): Record<ImportAction, number> {
  const out: Record<ImportAction, number> = { imported: 0, replaced: 0, skipped: 0, refused: 0 };
  for (const experiment of report.experiments) out[experiment.action] += 1;
  return out;
}

/** The file name the server chose (`attachment; filename="furu-2-artifacts.furu.tar"`). */
export function fileNameOf(disposition: string | null, fallback = "furu-bundle.furu.tar"): string {
  const found = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? "");
  return found?.[1] ? decodeURIComponent(found[1]) : fallback;
}

export function exportFileName(count: number): string {
  return `furu-${count}-artifact${count === 1 ? "" : "s"}.furu.tar`;
}

/** `furu export <hashes> -o <file>`: what the Export button does, from a shell. */
export function exportCommand(hashes: string[], deps = true): string {
  return `furu export ${hashes.join(" ")} -o ${exportFileName(hashes.length)}${deps ? "" : " --no-deps"}`;
}

export function importCommand(file: string, dryRun: boolean): string {
  return `furu import ${dryRun ? "--dry-run " : ""}${/^[\w./-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`}`;
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = mutationToken();
  return token ? { ...extra, "X-Furu-Token": token } : extra;
}

async function failure(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => undefined);
  return new ApiError(response.status, detailOf(body, `${response.status} ${response.statusText}`));
}

export interface Exported {
  blob: Blob;
  fileName: string;
  artifacts: number;
  command: string;
}

export async function exportBundle(body: ExportBody): Promise<Exported> {
  const response = await fetch(`${API_ROOT}/bundles/export`, {
    method: "POST",
    credentials: "same-origin",
    headers: headers({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await failure(response);
  return {
    blob: await response.blob(),
    fileName: fileNameOf(response.headers.get("Content-Disposition")),
    artifacts: Number(response.headers.get("X-Furu-Artifacts") ?? "0"),
    command: response.headers.get("X-Furu-Command") ?? exportCommand(body.hashes ?? []),
  };
}

/** Hands the blob to the browser as a download (an anchor with `download`, clicked once). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.download = fileName;
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function uploadBundle(file: File, dryRun: boolean, overwrite = false): Promise<ImportReport> {
  const form = new FormData();
  form.append("bundle", file, file.name);
  const query = new URLSearchParams({ dry_run: String(dryRun), overwrite: String(overwrite) });
  const response = await fetch(`${API_ROOT}/bundles/import?${query}`, { method: "POST", credentials: "same-origin", headers: headers(), body: form });
  if (!response.ok) throw await failure(response);
  return (await response.json()) as ImportReport;
}
