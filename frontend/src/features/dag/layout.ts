/**
 * The class graph's layout and grouping, as pure functions: a layered layout of our own
 * (a class's rank is the longest path to it from a class with no dependencies, so every edge
 * points rightwards), subclasses folded into their base, and the nodes a click connects.
 */
import type { Dag, DagNode } from "@/lib/api";

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 92;
const GAP_X = 90;
const GAP_Y = 24;

/** Rank per node id: 0 for classes that depend on nothing, else 1 + the highest rank they depend on. */
export function ranks(dag: Pick<Dag, "nodes" | "edges">): Map<string, number> {
  const dependsOn = new Map<string, string[]>();
  for (const edge of dag.edges) dependsOn.set(edge.source, [...(dependsOn.get(edge.source) ?? []), edge.target]);
  const rank = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = rank.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle (should not happen): break it here
    visiting.add(id);
    const deps = dependsOn.get(id) ?? [];
    const value = deps.length ? 1 + Math.max(...deps.map(visit)) : 0;
    visiting.delete(id);
    rank.set(id, value);
    return value;
  };
  for (const node of dag.nodes) visit(node.id);
  return rank;
}

/** The group a class sits with: its topmost base among the nodes (itself when it has none). */
export function groupOf(node: DagNode, byId: Map<string, DagNode>): string {
  let current = node;
  const seen = new Set<string>([node.id]);
  for (;;) {
    const base = (current.bases ?? []).find((b) => byId.has(b) && !seen.has(b));
    if (!base) return current.id;
    seen.add(base);
    current = byId.get(base)!;
  }
}

/** Node positions: a column per rank, siblings of one base next to each other. */
export function layout(dag: Pick<Dag, "nodes" | "edges">): Map<string, { x: number; y: number }> {
  const rank = ranks(dag);
  const byId = new Map(dag.nodes.map((n) => [n.id, n]));
  const columns = new Map<number, DagNode[]>();
  for (const node of dag.nodes) {
    const r = rank.get(node.id) ?? 0;
    columns.set(r, [...(columns.get(r) ?? []), node]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [r, nodes] of columns) {
    nodes.sort((a, b) => groupOf(a, byId).localeCompare(groupOf(b, byId)) || a.id.localeCompare(b.id));
    nodes.forEach((node, i) => positions.set(node.id, { x: r * (NODE_WIDTH + GAP_X), y: i * (NODE_HEIGHT + GAP_Y) }));
  }
  return positions;
}

/** The graph with every subclass folded into its topmost base: counts and edges added up. */
export function groupByBase(dag: Dag): Dag {
  const byId = new Map(dag.nodes.map((n) => [n.id, n]));
  const group = new Map(dag.nodes.map((n) => [n.id, groupOf(n, byId)]));
  const nodes = new Map<string, DagNode>();
  for (const node of dag.nodes) {
    const id = group.get(node.id)!;
    const base = byId.get(id)!;
    const current = nodes.get(id) ?? { ...base, count: 0, by_status: {}, bases: [] };
    const by_status = { ...current.by_status };
    for (const [status, n] of Object.entries(node.by_status ?? {})) by_status[status] = (by_status[status] ?? 0) + n;
    nodes.set(id, { ...current, count: current.count + node.count, by_status });
  }
  const edges = new Map<string, Dag["edges"][number]>();
  for (const edge of dag.edges) {
    const source = group.get(edge.source) ?? edge.source;
    const target = group.get(edge.target) ?? edge.target;
    if (source === target) continue;
    const key = `${source}\u0000${target}`;
    const current = edges.get(key);
    edges.set(key, { source, target, count: (current?.count ?? 0) + edge.count });
  }
  return { ...dag, nodes: [...nodes.values()], edges: [...edges.values()] };
}

/** The subclasses folded into each group, for the node's label. */
export function members(dag: Dag): Map<string, string[]> {
  const byId = new Map(dag.nodes.map((n) => [n.id, n]));
  const out = new Map<string, string[]>();
  for (const node of dag.nodes) {
    const id = groupOf(node, byId);
    if (id !== node.id) out.set(id, [...(out.get(id) ?? []), node.id]);
  }
  return out;
}

/** The node and everything it reaches either way: what it depends on, and what depends on it. */
export function connected(dag: Pick<Dag, "edges">, id: string): Set<string> {
  const out = new Set([id]);
  for (const direction of ["up", "down"] as const) {
    const queue = [id];
    while (queue.length) {
      const current = queue.shift()!;
      for (const edge of dag.edges) {
        const [from, to] = direction === "up" ? [edge.source, edge.target] : [edge.target, edge.source];
        if (from === current && !out.has(to)) {
          out.add(to);
          queue.push(to);
        }
      }
    }
  }
  return out;
}
