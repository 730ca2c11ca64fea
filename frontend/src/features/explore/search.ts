/** The explore page's URL state: the package to import (default: every package under the project root). */
export interface ExploreSearch {
  package?: string;
}

export function validateExploreSearch(raw: Record<string, unknown>): ExploreSearch {
  const search: ExploreSearch = {};
  if (typeof raw.package === "string" && /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(raw.package)) search.package = raw.package;
  return search;
}
