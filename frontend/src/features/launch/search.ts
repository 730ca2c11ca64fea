/** `/jobs?job=<id>`: the job whose log is open. */
export type JobsSearch = { job?: string };

export function validateJobsSearch(search: Record<string, unknown>): JobsSearch {
  return typeof search.job === "string" && search.job ? { job: search.job } : {};
}
