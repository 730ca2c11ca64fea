/**
 * The experiments table's data, fetched by window: only the pages under the rows in view, and
 * the pages around them ahead of the scroll, so scrolling never waits on the server, and a jump
 * to the far end of 100,000 rows fetches the page there, not every page in between.
 */
import { keepPreviousData, useQueries, useQueryClient } from "@tanstack/react-query";
import { client, type ExperimentPage, type ExperimentRow, unwrap } from "@/lib/api";
import type { ExperimentsSearch } from "./search";

export const PAGE_SIZE = 100;
/** Pages fetched beyond each edge of the rows in view: 200 rows, several screens of wheel scrolling. */
export const PAGES_AHEAD = 2;

export interface RowRange {
  start: number;
  end: number;
}

export interface ExperimentWindow {
  /** The first page's answer: total, sort, filter (the previous filter's while a new one loads). */
  head: ExperimentPage | undefined;
  /** Rows matching the filter: the table's height. */
  total: number;
  rowAt: (index: number) => ExperimentRow | undefined;
  isLoading: boolean;
  error: Error | null;
}

export function experimentsQueryKey(search: ExperimentsSearch) {
  return ["experiments", { filter: search.filter ?? "", sort: search.sort ?? "", columns: search.columns ?? "", stale: !!search.stale }] as const;
}

/** The page numbers the rows ``range`` lie on, widened by PAGES_AHEAD each way (page 0 always: it carries the answer's head). */
export function pagesFor(range: RowRange, total: number | undefined): number[] {
  const lastPage = total === undefined ? 0 : Math.max(0, Math.ceil(total / PAGE_SIZE) - 1);
  const from = Math.max(0, Math.floor(range.start / PAGE_SIZE) - PAGES_AHEAD);
  const to = Math.min(lastPage, Math.floor(Math.max(range.end, range.start) / PAGE_SIZE) + PAGES_AHEAD);
  const pages = new Set([0]);
  for (let page = from; page <= to; page++) pages.add(page);
  return [...pages].sort((a, b) => a - b);
}

function fetchPage(search: ExperimentsSearch, page: number, signal: AbortSignal) {
  const query: { filter?: string; sort?: string; columns?: string; stale?: boolean; limit: number; offset: number } = {
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
  };
  if (search.filter) query.filter = search.filter;
  if (search.sort) query.sort = search.sort;
  if (search.columns) query.columns = search.columns;
  if (search.stale) query.stale = true;
  return unwrap(client.GET("/api/experiments", { params: { query }, signal }));
}

export function useExperimentWindow(search: ExperimentsSearch, range: RowRange): ExperimentWindow {
  const key = experimentsQueryKey(search);
  const known = useQueryClient().getQueryData<ExperimentPage>([...key, 0]);
  const pages = pagesFor(range, known?.total);
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: [...key, page] as const,
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchPage(search, page, signal),
      // page 0 of a new filter keeps the old rows on screen until its answer arrives
      placeholderData: page === 0 ? keepPreviousData : undefined,
    })),
  });
  const head = results[0]?.data;
  const byPage = new Map<number, ExperimentRow[]>();
  pages.forEach((page, i) => {
    const answer = results[i]?.data;
    if (answer) byPage.set(page, answer.items);
  });
  return {
    head,
    total: head?.total ?? 0,
    rowAt: (index) => byPage.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE],
    isLoading: results[0]?.isLoading ?? true,
    error: results.find((result) => result.error)?.error ?? null,
  };
}
