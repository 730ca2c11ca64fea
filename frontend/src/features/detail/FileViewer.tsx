/** The result files: a listing (folders open in place) and a viewer for the chosen file. */
import { useQuery } from "@tanstack/react-query";
import { Download, File, Folder } from "lucide-react";
import { lazy, Suspense } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { client, type FileItem, fileUrl, getJson, getText, type TablePreview, unwrap } from "@/lib/api";
import { formatBytes, formatDate, formatValue } from "@/lib/utils";
import { chooseViewer, parseJsonl, prettyJson, type ViewerChoice } from "./viewer";

const Markdown = lazy(() => import("./Markdown"));

interface Props {
  hash: string;
  /** The folder listed (relative to the artifact directory) and the file shown, from the URL. */
  dir?: string;
  file?: string;
  onOpen: (place: { dir?: string; file?: string }) => void;
}

export function FileBrowser({ hash, dir, file, onOpen }: Props) {
  const listing = useQuery({
    queryKey: ["files", hash, dir],
    queryFn: () => unwrap(client.GET("/api/experiments/{ref}/files", { params: { path: { ref: hash }, query: dir ? { path: dir } : {} } })),
  });
  const selected = listing.data?.items.find((item) => item.path === file);
  return (
    <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
      <div className="rounded-md border border-border" data-testid="file-list">
        {dir && (
          <button type="button" className="block w-full px-3 py-1.5 text-left text-xs text-muted-foreground hover:bg-accent" onClick={() => onOpen({ dir: parentOf(dir) })}>
            ← {dir}
          </button>
        )}
        {listing.error && <div className="p-2"><ErrorNote error={listing.error} /></div>}
        {listing.data?.items.length === 0 && <p className="p-3 text-xs text-muted-foreground">No files.</p>}
        <ul className="divide-y divide-border text-sm">
          {listing.data?.items.map((item) => (
            <li key={item.path}>
              <button
                type="button"
                className="flex w-full items-center gap-2 px-3 py-1.5 text-left hover:bg-accent data-[active=true]:bg-accent"
                data-active={item.path === file}
                data-testid="file-item"
                data-path={item.path}
                onClick={() => onOpen(item.kind === "dir" ? { dir: item.path } : { dir, file: item.path })}
              >
                {item.kind === "dir" ? <Folder className="size-4 shrink-0" /> : <File className="size-4 shrink-0" />}
                <span className="min-w-0 flex-1 truncate">{item.path.split("/").pop()}</span>
                <span className="text-xs text-muted-foreground">{formatBytes(item.size)}</span>
              </button>
            </li>
          ))}
        </ul>
        {listing.data?.truncated && <p className="p-2 text-xs text-muted-foreground">More files not listed.</p>}
      </div>
      <div className="min-w-0">
        {selected && selected.kind !== "dir" ? <FileView hash={hash} item={selected} /> : <p className="text-sm text-muted-foreground">Pick a file.</p>}
      </div>
    </div>
  );
}

function parentOf(path: string | undefined): string | undefined {
  if (!path || !path.includes("/")) return undefined;
  return path.slice(0, path.lastIndexOf("/"));
}

export function FileView({ hash, item }: { hash: string; item: FileItem }) {
  const choice = chooseViewer(item);
  const url = fileUrl(hash, item.path);
  return (
    <div data-testid="file-viewer" data-viewer={choice}>
      <div className="mb-2 flex items-center gap-2 text-xs text-muted-foreground">
        <span className="font-mono text-foreground">{item.path}</span>
        <span>{formatBytes(item.size)}</span>
        <span>{formatDate(item.modified)}</span>
        <Button asChild variant="outline" size="xs" className="ml-auto">
          <a href={url} download data-testid="file-download"><Download /> Download</a>
        </Button>
      </div>
      <ViewerBody hash={hash} item={item} choice={choice} url={url} />
    </div>
  );
}

function ViewerBody({ hash, item, choice, url }: { hash: string; item: FileItem; choice: ViewerChoice; url: string }) {
  const needsText = ["json", "jsonl", "markdown", "text", "source"].includes(choice);
  const text = useQuery({ queryKey: ["file", hash, item.path], queryFn: ({ signal }) => getText(url, signal), enabled: needsText });
  const table = useQuery({
    queryKey: ["file-table", hash, item.path],
    queryFn: ({ signal }) => getJson<TablePreview>(fileUrl(hash, item.path, "table"), signal),
    enabled: choice === "table",
  });
  if (choice === "image") return <img src={url} alt={item.path} className="max-h-[40rem] max-w-full rounded-md border border-border" />;
  if (choice === "download" || choice === "dir") return <p className="text-sm text-muted-foreground">No preview for this file: download it.</p>;
  if (choice === "table") {
    if (table.error) return <ErrorNote error={table.error} />;
    if (!table.data) return <Loading />;
    const { columns, rows, total_rows, truncated } = table.data;
    return <DataTable columns={columns} rows={rows} note={truncated ? `First ${rows.length} of ${total_rows ?? "more"} rows.` : undefined} />;
  }
  if (text.error) return <ErrorNote error={text.error} />;
  if (text.data === undefined) return <Loading />;
  if (choice === "json") return <Pre>{prettyJson(text.data) ?? text.data}</Pre>;
  if (choice === "jsonl") {
    const parsed = parseJsonl(text.data);
    return <DataTable columns={parsed.columns} rows={parsed.rows} note={parsed.truncated ? `First ${parsed.rows.length} lines.` : undefined} />;
  }
  if (choice === "markdown") {
    return (
      <Suspense fallback={<Loading />}>
        <Markdown text={text.data} />
      </Suspense>
    );
  }
  return <Pre>{text.data}</Pre>;
}

function Loading() {
  return <p className="text-sm text-muted-foreground">Loading…</p>;
}

function Pre({ children }: { children: string }) {
  return <pre className="max-h-[40rem] overflow-auto rounded-md border border-border p-3 font-mono text-xs whitespace-pre-wrap" data-testid="file-text">{children}</pre>;
}

function DataTable({ columns, rows, note }: { columns: string[]; rows: unknown[][]; note?: string }) {
  return (
    <div>
      <div className="max-h-[40rem] overflow-auto rounded-md border border-border">
        <table className="w-full text-xs" data-testid="file-table">
          <thead className="sticky top-0 bg-background">
            <tr>{columns.map((c) => <th key={c} className="border-b border-border px-2 py-1 text-left font-medium">{c}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i} className="border-b border-border">
                {row.map((cell, j) => <td key={j} className="px-2 py-1 font-mono whitespace-nowrap">{formatValue(cell)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {note && <p className="mt-1 text-xs text-muted-foreground">{note}</p>}
    </div>
  );
}
