/** Pure helpers for the explore page: what a plan status means, and the shell command for `python -m furu.explore`. */
import type { Schemas } from "@/lib/api";

export type Exploration = Schemas["Exploration"];
export type CollectionInfo = Schemas["CollectionInfo"];
export type CollectionItem = Schemas["CollectionItem"];
export type PlanNode = Schemas["PlanNode"];
export type PlanStatus = PlanNode["status"];

/** A plan status in the words of the page: a cached node exists; the others would be (re)created. */
export const PLAN_LABELS: Record<PlanStatus, string> = {
  cached: "exists",
  missing: "missing",
  running: "running",
  failed: "failed",
};

/** The dot colors of the catalog's statuses that these mean (success, absent, running, failed). */
export const PLAN_COLORS: Record<PlanStatus, string> = {
  cached: "bg-emerald-500",
  missing: "bg-zinc-400",
  running: "bg-sky-500",
  failed: "bg-red-500",
};

/** Whether the item has an artifact directory (a detail page): every status but `missing`. */
export function hasArtifact(status: PlanStatus): boolean {
  return status !== "missing";
}

/** The CLI that prints what this page shows. */
export function exploreCommand(pkg?: string): string {
  return `python -m furu.explore${pkg ? ` ${pkg}` : ""}`;
}

/** Every node of a plan once (a shared dependency appears under each node that needs it). */
export function planNodes(plan: PlanNode): PlanNode[] {
  const seen = new Map<string, PlanNode>();
  const visit = (node: PlanNode) => {
    if (seen.has(node.hash)) return;
    seen.set(node.hash, node);
    node.dependencies.forEach(visit);
  };
  visit(plan);
  return [...seen.values()];
}
