/** Renders a component inside a real (memory-history) router and a query client, as the app does. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryHistory, createRootRoute, createRoute, createRouter, Outlet, RouterProvider } from "@tanstack/react-router";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";

export function renderWithProviders(ui: ReactNode, { queryData = [] as [unknown[], unknown][] } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  for (const [key, data] of queryData) queryClient.setQueryData(key, data);
  const rootRoute = createRootRoute({ component: () => <Outlet /> });
  const routes = ["/", "/experiments", "/experiments/$hash", "/dag"].map((path) =>
    createRoute({ getParentRoute: () => rootRoute, path, component: () => <>{ui}</> }),
  );
  const router = createRouter({ routeTree: rootRoute.addChildren(routes), history: createMemoryHistory({ initialEntries: ["/"] }) });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...result, router, queryClient };
}
