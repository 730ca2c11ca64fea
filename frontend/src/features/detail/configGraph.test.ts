import { describe, expect, it } from "vitest";
import type { LineageNode } from "@/lib/api";
import { canonical, configGraph, graphLayout, nodeHeight, resolveHashes, ROOT_ID } from "./configGraph";

const data = (name: string) => ({ __class__: "lab.steps.Data", name, rows: 10 });
const config = {
  __class__: "lab.steps.Report",
  title: "weekly",
  model: { __class__: "lab.steps.Model", lr: 0.001, data: data("e"), weights: {}, layers: [64, 32], opt: { name: "adam", beta: 0.9 } },
  baselines: [{ __class__: "lab.steps.Model", lr: 0.1, data: data("e"), weights: {}, layers: [], opt: { name: "sgd", beta: 0 } }],
  holdout: data("f"),
};

const lineage = (hash: string, children: [string, string][]): LineageNode =>
  ({ fqn: "x", hash, status: "success", dir: "", edge: "root", repeated: false, children: children.map(([fqn, h]) => ({ fqn, hash: h, status: "success", dir: "", edge: "declared+loaded", repeated: false, children: [] })) }) as LineageNode;

describe("configGraph", () => {
  const graph = configGraph(config);

  it("makes one node per config, each with only its own fields", () => {
    expect(graph.nodes.map((n) => [n.id, n.className])).toEqual([
      [ROOT_ID, "Report"], ["model", "Model"], ["model.data", "Data"], ["baselines.0", "Model"], ["holdout", "Data"],
    ]);
    expect(graph.nodes[0]!.fields).toEqual([["title", "weekly"]]);
    expect(graph.nodes[1]!.fields).toEqual([["lr", 0.001], ["weights", {}], ["layers", [64, 32]], ["opt.name", "adam"], ["opt.beta", 0.9]]);
    expect(graph.nodes[2]!.fields).toEqual([["name", "e"], ["rows", 10]]);
  });

  it("draws an edge per dependency field, and equal configs are one node", () => {
    expect(graph.edges).toEqual([
      { source: ROOT_ID, target: "model", field: "model" },
      { source: "model", target: "model.data", field: "data" },
      { source: ROOT_ID, target: "baselines.0", field: "baselines.0" },
      { source: "baselines.0", target: "model.data", field: "data" },
      { source: ROOT_ID, target: "holdout", field: "holdout" },
    ]);
    expect(graph.nodes[2]!.paths).toEqual(["model.data", "baselines.0.data"]);
    expect(canonical({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(canonical({ a: [1, { c: 3, d: 2 }], b: 1 }));
  });

  it("has no nodes without a config", () => {
    expect(configGraph(null)).toEqual({ nodes: [], edges: [] });
  });

  it("resolves hashes level by level from the details it is given", () => {
    const root = { config, lineage: lineage("r", [["lab.steps.Model", "m1"], ["lab.steps.Model", "m2"], ["lab.steps.Data", "f"]]) };
    const first = resolveHashes(graph, "r", (h) => (h === "r" ? root : undefined));
    expect(Object.fromEntries(first.hashes)).toEqual({ root: "r", model: "m1", "baselines.0": "m2", holdout: "f" });
    expect(first.wanted).toEqual(["m1", "m2"]);
    const model = { config: config.model, lineage: lineage("m1", [["lab.steps.Data", "e"]]) };
    const second = resolveHashes(graph, "r", (h) => ({ r: root, m1: model })[h]);
    expect(second.hashes.get("model.data")).toBe("e");
    expect(second.wanted).toEqual([]);
  });

  it("lays dependencies out left of what depends on them, stacked by height", () => {
    const { positions, width } = graphLayout(graph);
    expect(positions.get("model.data")!.x).toBe(0);
    expect(positions.get("holdout")).toEqual({ x: 0, y: nodeHeight(graph.nodes[2]!) + 24 });
    expect(positions.get("model")!.x).toBe(330);
    expect(positions.get(ROOT_ID)!.x).toBe(660);
    expect(width).toBe(910);
  });
});
