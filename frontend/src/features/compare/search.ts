/**
 * The compare page's URL state: `hashes` (two or more hashes or prefixes, comma-joined, in the
 * order they are shown) and `code` (the two of them whose code snapshots are diffed; default the
 * first two). Malformed parts of a hand-edited URL are dropped rather than failing the page.
 */

export interface CompareSearch {
  hashes?: string;
  code?: string;
}

const HASH = /^[0-9a-f]{4,64}$/;

function hashList(value: unknown): string[] {
  if (typeof value !== "string") return [];
  return [...new Set(value.split(",").map((part) => part.trim().toLowerCase()).filter((part) => HASH.test(part)))];
}

export function validateCompareSearch(raw: Record<string, unknown>): CompareSearch {
  const search: CompareSearch = {};
  const hashes = hashList(raw.hashes);
  if (hashes.length) search.hashes = hashes.join(",");
  const code = hashList(raw.code);
  if (code.length === 2) search.code = code.join(",");
  return search;
}

/** The `/compare` search for a selection (the experiments page's `c` and Compare button). */
export function compareSearch(hashes: readonly string[]): CompareSearch {
  return { hashes: hashes.join(",") };
}
