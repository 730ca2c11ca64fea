/**
 * The routes (code-based), thin: each validates its URL search params and lazily loads its
 * page from src/features/, so the first chunk holds only the shell (React Flow stays in /dag's).
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from "@tanstack/react-router";
import { Layout, NotFound } from "@/components/layout";
import { validateDagSearch } from "@/features/dag/search";
import { validateDetailSearch } from "@/features/detail/search";
import { validateExperimentsSearch } from "@/features/experiments/search";

const rootRoute = createRootRoute({ component: Layout, notFoundComponent: NotFound });

const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  component: lazyRouteComponent(() => import("@/features/overview/OverviewPage"), "OverviewPage"),
});

export const experimentsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/experiments",
  validateSearch: validateExperimentsSearch,
  component: lazyRouteComponent(() => import("@/features/experiments/ExperimentsPage"), "ExperimentsPage"),
});

export const detailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/experiments/$hash",
  validateSearch: validateDetailSearch,
  component: lazyRouteComponent(() => import("@/features/detail/DetailPage"), "DetailPage"),
});

export const dagRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/dag",
  validateSearch: validateDagSearch,
  component: lazyRouteComponent(() => import("@/features/dag/DagPage"), "DagPage"),
});

const routeTree = rootRoute.addChildren([overviewRoute, experimentsRoute, detailRoute, dagRoute]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
