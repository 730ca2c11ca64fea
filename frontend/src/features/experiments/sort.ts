/**
 * The table's multi-key sort and its `sort` URL/API parameter: `key,-key` (a leading `-` is
 * descending), the order furu's `ls --sort` reads (furu/query/sorting.py).
 */

export interface SortKey {
  key: string;
  desc: boolean;
}

/** Columns the header lets you sort by; config columns sort by their path. */
export const SORTABLE = ["class", "created", "updated", "runtime", "status", "dependencies", "size"] as const;

export function parseSort(text: string | undefined | null): SortKey[] {
  if (!text) return [];
  const keys: SortKey[] = [];
  for (const part of text.split(",")) {
    const word = part.trim();
    const key = word.replace(/^-/, "").trim();
    if (!key || keys.some((k) => k.key === key)) continue;
    keys.push({ key, desc: word.startsWith("-") });
  }
  return keys;
}

export function formatSort(keys: readonly SortKey[]): string {
  return keys.map((k) => (k.desc ? `-${k.key}` : k.key)).join(",");
}

/**
 * The sort after a click on `key`'s header. A plain click sorts by that key alone (a second
 * click on the only key flips it, a third click removes it); a shift-click adds it as the next
 * key, or flips it where it is, or removes it once it was flipped.
 */
export function nextSort(current: readonly SortKey[], key: string, additive: boolean): SortKey[] {
  const existing = current.find((k) => k.key === key);
  if (!additive) {
    if (current.length === 1 && existing) {
      return existing.desc ? [] : [{ key, desc: true }];
    }
    return [{ key, desc: false }];
  }
  if (!existing) return [...current, { key, desc: false }];
  if (!existing.desc) return current.map((k) => (k.key === key ? { key, desc: true } : k));
  return current.filter((k) => k.key !== key);
}
