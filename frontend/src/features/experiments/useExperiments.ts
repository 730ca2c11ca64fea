/** The experiments table's data: pages of rows fetched as the table scrolls (useInfiniteQuery). */
import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import { client, unwrap } from "@/lib/api";
import type { ExperimentsSearch } from "./search";

export const PAGE_SIZE = 100;

export function experimentsQueryKey(search: ExperimentsSearch) {
  return ["experiments", { filter: search.filter ?? "", sort: search.sort ?? "", columns: search.columns ?? "", stale: !!search.stale }] as const;
}

export function useExperimentPages(search: ExperimentsSearch) {
  return useInfiniteQuery({
    queryKey: experimentsQueryKey(search),
    queryFn: ({ pageParam, signal }) => {
      const query: { filter?: string; sort?: string; columns?: string; stale?: boolean; limit: number; offset: number } = { limit: PAGE_SIZE, offset: pageParam };
      if (search.filter) query.filter = search.filter;
      if (search.sort) query.sort = search.sort;
      if (search.columns) query.columns = search.columns;
      if (search.stale) query.stale = true;
      return unwrap(client.GET("/api/experiments", { params: { query }, signal }));
    },
    initialPageParam: 0,
    getNextPageParam: (last) => {
      const next = last.offset + last.items.length;
      return last.items.length > 0 && next < last.total ? next : undefined;
    },
    // a new filter keeps the old rows on screen until its first page arrives
    placeholderData: keepPreviousData,
  });
}
