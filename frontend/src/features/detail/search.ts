/** The detail page's URL state: which tab is open and which folder and file are shown. */
export const DETAIL_TABS = ["overview", "attempts", "provenance", "files", "log"] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];

export interface DetailSearch {
  tab?: DetailTab;
  dir?: string;
  file?: string;
}

export function validateDetailSearch(raw: Record<string, unknown>): DetailSearch {
  const search: DetailSearch = {};
  if (typeof raw.tab === "string" && (DETAIL_TABS as readonly string[]).includes(raw.tab)) search.tab = raw.tab as DetailTab;
  for (const key of ["dir", "file"] as const) {
    const value = raw[key];
    if (typeof value === "string" && value && !value.split("/").includes("..")) search[key] = value;
  }
  return search;
}
