/**
 * A chart's whole definition, as URL search params, so a link reproduces the chart:
 * `kind`, `file`, `x`, `y`, `fields` (comma-joined), `group`, the selection (`filter`, a
 * `furu ls` filter, or `hashes`, comma-joined) and `title`. The same fields as the server's
 * ChartDefinition, which `GET /api/charts/data` takes as its query. Anything malformed in a
 * hand-edited URL is dropped rather than failing the page.
 */
import type { Schemas } from "@/lib/api";

export type ChartDefinition = Schemas["ChartDefinition"];
export type ChartKind = ChartDefinition["kind"];

export const CHART_KINDS: { kind: ChartKind; label: string }[] = [
  { kind: "scatter", label: "Scatter" },
  { kind: "line", label: "Line" },
  { kind: "bar", label: "Bar" },
  { kind: "parallel", label: "Parallel" },
  { kind: "series", label: "Series" },
];

export interface ChartsSearch {
  kind?: ChartKind;
  file?: string;
  x?: string;
  y?: string;
  fields?: string;
  group?: string;
  filter?: string;
  hashes?: string;
  title?: string;
}

/** A field or column name: anything printable but a comma (the separator of `fields`). */
const NAME = /^[^\x00-\x1f,]{1,200}$/;
const HASH = /^[0-9a-f]{1,32}$/;

function text(value: unknown): string | undefined {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
}

function name(value: unknown): string | undefined {
  const raw = text(value);
  return raw && NAME.test(raw) ? raw : undefined;
}

function commaList(value: unknown, pattern: RegExp): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const parts = [...new Set(raw.split(",").map((p) => p.trim()).filter((p) => pattern.test(p)))];
  return parts.length ? parts.join(",") : undefined;
}

function filePath(value: unknown): string | undefined {
  const raw = text(value);
  if (!raw || raw.startsWith("/") || raw.includes("\\") || raw.split("/").some((p) => p === "" || p === "." || p === "..")) return undefined;
  return raw;
}

export function validateChartsSearch(raw: Record<string, unknown>): ChartsSearch {
  const kind = CHART_KINDS.find((k) => k.kind === raw.kind)?.kind;
  const search: ChartsSearch = {
    kind,
    file: filePath(raw.file),
    x: name(raw.x),
    y: name(raw.y),
    fields: commaList(raw.fields, NAME),
    group: name(raw.group),
    filter: text(raw.filter),
    hashes: commaList(raw.hashes, HASH),
    title: text(raw.title),
  };
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined)) as ChartsSearch;
}

export function splitList(value: string | undefined): string[] {
  return value ? value.split(",").filter(Boolean) : [];
}

/** The definition the URL holds (what the server is asked to draw). */
export function definitionOf(search: ChartsSearch): ChartDefinition {
  return {
    kind: search.kind ?? "scatter",
    file: search.file ?? "",
    x: search.x ?? "",
    y: search.y ?? "",
    fields: splitList(search.fields),
    group: search.group ?? "",
    filter: search.filter ?? "",
    hashes: splitList(search.hashes),
    title: search.title ?? "",
  };
}

/** A saved definition as the URL's search params (empty fields left out). */
export function searchOf(definition: ChartDefinition): ChartsSearch {
  return validateChartsSearch({
    kind: definition.kind,
    file: definition.file,
    x: definition.x,
    y: definition.y,
    fields: (definition.fields ?? []).join(","),
    group: definition.group,
    filter: definition.filter,
    hashes: (definition.hashes ?? []).join(","),
    title: definition.title,
  });
}

/** What the chart needs before the server can draw it; null when it is complete. */
export function missingPart(definition: ChartDefinition): string | null {
  if (!definition.file) return "Pick a result file.";
  const { kind, x, y } = definition;
  const fields = definition.fields ?? [];
  if (kind !== "bar" && !y) return "Pick a metric (y).";
  if ((kind === "scatter" || kind === "line") && !x) return "Pick a config field for x.";
  if (kind === "parallel" && fields.length === 0) return "Pick the config fields for the axes.";
  if (kind === "bar" && !(x && y) && fields.length === 0) return "Pick a category column and a metric, or metrics.";
  return null;
}

/** The query of `GET /api/charts/data` for a definition. */
export function dataQuery(definition: ChartDefinition): Record<string, string> {
  const query: Record<string, string> = { kind: definition.kind ?? "scatter", file: definition.file };
  for (const key of ["x", "y", "group", "filter", "title"] as const) {
    const value = definition[key];
    if (value) query[key] = value;
  }
  if (definition.fields?.length) query.fields = definition.fields.join(",");
  if (definition.hashes?.length) query.hashes = definition.hashes.join(",");
  return query;
}
