/**
 * Which viewer shows a result file. The server names a viewer per file (FileItem.viewer); this
 * decides how the page shows it, and refuses to inline what could run code: HTML (and SVG, which
 * may hold scripts) are shown as source, never rendered into the page.
 */
import type { FileItem } from "@/lib/api";

export type ViewerChoice = "json" | "jsonl" | "table" | "markdown" | "text" | "image" | "source" | "download" | "dir";

/** Text larger than this is offered as a download: a browser tab stalls on a few MB of <pre>. */
export const MAX_INLINE_BYTES = 2_000_000;

export function chooseViewer(item: Pick<FileItem, "path" | "viewer" | "size" | "kind">): ViewerChoice {
  if (item.kind === "dir" || item.viewer === "dir") return "dir";
  const svg = item.path.toLowerCase().endsWith(".svg");
  if (item.viewer === "image") return svg ? "source" : "image";
  if (item.viewer === "csv" || item.viewer === "parquet") return "table"; // previewed server-side, any size
  if (item.viewer === "binary") return "download";
  if (item.size !== null && item.size !== undefined && item.size > MAX_INLINE_BYTES) return "download";
  switch (item.viewer) {
    case "json":
      return "json";
    case "jsonl":
      return "jsonl";
    case "markdown":
      return "markdown";
    case "html":
      return "source";
    case "text":
      return "text";
    default:
      return "download";
  }
}

/** A JSON text indented two spaces; null when it is not JSON (shown as it is then). */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** JSON Lines as rows: objects become columns (in order of first appearance); a bad line is kept as text. */
export function parseJsonl(text: string, limit = 1000): { columns: string[]; rows: unknown[][]; truncated: boolean } {
  const lines = text.split("\n").filter((line) => line.trim());
  const records = lines.slice(0, limit).map((line) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return { "(line)": line };
    }
  });
  const columns: string[] = [];
  for (const record of records) {
    const keys = record && typeof record === "object" && !Array.isArray(record) ? Object.keys(record) : ["(value)"];
    for (const key of keys) if (!columns.includes(key)) columns.push(key);
  }
  const rows = records.map((record) =>
    columns.map((column) =>
      record && typeof record === "object" && !Array.isArray(record) ? (record as Record<string, unknown>)[column] : column === "(value)" ? record : undefined,
    ),
  );
  return { columns, rows, truncated: lines.length > limit };
}
