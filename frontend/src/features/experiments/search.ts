/**
 * The experiments page's whole view state, as URL search params, so a link reproduces it:
 * `filter` (furu ls text), `sort` (`key,-key`), `columns` (config paths, comma-joined),
 * `selected` (hashes, comma-joined), `stale` (ask the server to check staleness).
 * Anything malformed in a hand-edited URL is dropped rather than failing the page.
 */

export interface ExperimentsSearch {
  filter?: string;
  sort?: string;
  columns?: string;
  selected?: string;
  stale?: boolean;
}

function text(value: unknown): string | undefined {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
}

/** A comma list with empty and repeated parts removed (`lr,,lr, data.name` -> `lr,data.name`). */
function commaList(value: unknown, pattern: RegExp): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const parts = [...new Set(raw.split(",").map((p) => p.trim()).filter((p) => pattern.test(p)))];
  return parts.length ? parts.join(",") : undefined;
}

export function validateExperimentsSearch(raw: Record<string, unknown>): ExperimentsSearch {
  const search: ExperimentsSearch = {
    filter: text(raw.filter),
    sort: commaList(raw.sort, /^-?[A-Za-z0-9_.]+$/),
    columns: commaList(raw.columns, /^[A-Za-z0-9_.\-]+$/),
    selected: commaList(raw.selected, /^[0-9a-f]{4,64}$/),
    stale: raw.stale === true || raw.stale === "true" ? true : undefined,
  };
  // undefined keys are left out, so the URL holds only what differs from the default view
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined)) as ExperimentsSearch;
}

export function splitList(value: string | undefined): string[] {
  return value ? value.split(",").filter(Boolean) : [];
}

export function joinList(values: readonly string[]): string | undefined {
  return values.length ? values.join(",") : undefined;
}
