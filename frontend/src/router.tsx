/**
 * The routes (code-based), thin: each validates its URL search params and lazily loads its
 * page from src/features/, so the first chunk holds only the shell (React Flow stays in /dag's).
 */
import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from "@tanstack/react-router";
import { Layout, NotFound } from "@/components/layout";
import { validateChartsSearch } from "@/features/charts/search";
import { validateCompareSearch } from "@/features/compare/search";
import { validateDagSearch } from "@/features/dag/search";
import { validateExploreSearch } from "@/features/explore/search";
import { validateDetailSearch } from "@/features/detail/search";
import { validateExperimentsSearch } from "@/features/experiments/search";
import { validateJobsSearch } from "@/features/launch/search";

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

export const compareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/compare",
  validateSearch: validateCompareSearch,
  component: lazyRouteComponent(() => import("@/features/compare/ComparePage"), "ComparePage"),
});

export const chartsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/charts",
  validateSearch: validateChartsSearch,
  component: lazyRouteComponent(() => import("@/features/charts/ChartsPage"), "ChartsPage"),
});

export const exploreRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/explore",
  validateSearch: validateExploreSearch,
  component: lazyRouteComponent(() => import("@/features/explore/ExplorePage"), "ExplorePage"),
});

export const importRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/import",
  component: lazyRouteComponent(() => import("@/features/bundles/ImportPage"), "ImportPage"),
});

export const staleRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/stale",
  component: lazyRouteComponent(() => import("@/features/stale/StalePage"), "StalePage"),
});

export const launchRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/launch/$hash",
  component: lazyRouteComponent(() => import("@/features/launch/LaunchPage"), "LaunchPage"),
});

export const jobsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/jobs",
  validateSearch: validateJobsSearch,
  component: lazyRouteComponent(() => import("@/features/launch/JobsPage"), "JobsPage"),
});

const routeTree = rootRoute.addChildren([launchRoute, jobsRoute, overviewRoute, experimentsRoute, detailRoute, dagRoute, compareRoute, chartsRoute, exploreRoute, importRoute, staleRoute]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
