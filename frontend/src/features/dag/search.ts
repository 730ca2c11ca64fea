/** The DAG page's URL state: the graph from experiments or from source code, and its package. */
export interface DagSearch {
  source?: "code";
  package?: string;
  focus?: string;
  grouped?: boolean;
}

export function validateDagSearch(raw: Record<string, unknown>): DagSearch {
  const search: DagSearch = {};
  if (raw.source === "code") search.source = "code";
  if (typeof raw.package === "string" && /^[A-Za-z0-9_.]+$/.test(raw.package)) search.package = raw.package;
  if (typeof raw.focus === "string" && raw.focus) search.focus = raw.focus;
  if (raw.grouped === true || raw.grouped === "true") search.grouped = true;
  return search;
}
