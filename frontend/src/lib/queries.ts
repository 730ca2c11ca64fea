/** Queries more than one page uses, and the query client's defaults. */
import { QueryClient, useQuery } from "@tanstack/react-query";
import { ApiError, client, unwrap } from "@/lib/api";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        // a 4xx is the server's answer (a bad filter, a missing artifact): asking again won't change it
        retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      },
    },
  });
}

export function useHealth() {
  return useQuery({
    queryKey: ["health"],
    queryFn: () => unwrap(client.GET("/api/health")),
    staleTime: 60_000,
  });
}

/** Actions are shown only once the server said it accepts them. */
export function useCanWrite(): boolean {
  const { data } = useHealth();
  return data !== undefined && !data.read_only;
}
