import { describe, expect, it } from "vitest";
import type { Dag, DagNode } from "@/lib/api";
import { connected, groupByBase, layout, ranks } from "./layout";

const n = (id: string, count: number, bases: string[] = [], by_status: Record<string, number> = {}): DagNode => ({
  id, class_name: id.split(".").pop()!, namespace: "pipe", count, by_status, bases,
}); // prettier-ignore

// Evaluate -> Fit -> Data; FitLasso (a Fit subclass) -> Data; Report -> Evaluate
const DAG: Dag = {
  nodes: [n("pipe.Data", 3), n("pipe.Fit", 2, [], { success: 2 }), n("pipe.FitLasso", 1, ["pipe.Fit"], { failed: 1 }), n("pipe.Evaluate", 4), n("pipe.Report", 1)],
  edges: [
    { source: "pipe.Fit", target: "pipe.Data", count: 2 },
    { source: "pipe.FitLasso", target: "pipe.Data", count: 1 },
    { source: "pipe.Evaluate", target: "pipe.Fit", count: 3 },
    { source: "pipe.Evaluate", target: "pipe.FitLasso", count: 1 },
    { source: "pipe.Report", target: "pipe.Evaluate", count: 1 },
  ],
  source: "experiments",
  problems: [],
};

describe("DAG layout", () => {
  it("ranks each class by the longest path from a class with no dependencies", () => {
    expect(Object.fromEntries(ranks(DAG))).toEqual({ "pipe.Data": 0, "pipe.Fit": 1, "pipe.FitLasso": 1, "pipe.Evaluate": 2, "pipe.Report": 3 });
    const positions = layout(DAG);
    expect(positions.get("pipe.Fit")!.x).toBe(positions.get("pipe.FitLasso")!.x);
    expect(positions.get("pipe.Report")!.x).toBeGreaterThan(positions.get("pipe.Evaluate")!.x);
  });

  it("survives a cycle", () => {
    const cyclic = { nodes: [n("a", 1), n("b", 1)], edges: [{ source: "a", target: "b", count: 1 }, { source: "b", target: "a", count: 1 }] };
    expect(ranks(cyclic).size).toBe(2);
  });

  it("folds subclasses into their base, adding up counts and edges", () => {
    const grouped = groupByBase(DAG);
    const fit = grouped.nodes.find((x) => x.id === "pipe.Fit")!;
    expect(grouped.nodes.map((x) => x.id)).toEqual(["pipe.Data", "pipe.Fit", "pipe.Evaluate", "pipe.Report"]);
    expect(fit.count).toBe(3);
    expect(fit.by_status).toEqual({ success: 2, failed: 1 });
    expect(grouped.edges).toEqual([
      { source: "pipe.Fit", target: "pipe.Data", count: 3 },
      { source: "pipe.Evaluate", target: "pipe.Fit", count: 4 },
      { source: "pipe.Report", target: "pipe.Evaluate", count: 1 },
    ]);
  });

  it("highlights what a class depends on and what depends on it, not its siblings", () => {
    expect([...connected(DAG, "pipe.Fit")].sort()).toEqual(["pipe.Data", "pipe.Evaluate", "pipe.Fit", "pipe.Report"]);
    expect(connected(DAG, "pipe.Fit").has("pipe.FitLasso")).toBe(false);
  });
});
