/**
 * The config as a graph: one node per Furu config in it (the experiment, and each dependency nested
 * in its fields, however deep), each holding only its own fields, with an edge from every config
 * to the dependencies its fields name. Two equal nested configs are one artifact, so one node.
 *
 * Which artifact a node is: the report's lineage names the hashes of the root's direct
 * dependencies (see configTree.ts); a deeper one is named by the detail of its parent, so
 * {@link resolveHashes} walks down as the details arrive. The columns come from the DAG page's
 * ranks (features/dag/layout.ts): dependencies on the left, the experiment on the right.
 */
import type { Dag, DagNode, LineageNode } from "@/lib/api";
import { ranks } from "@/features/dag/layout";
import { CLASS_KEY, type ConfigDict, dependencyHashes, isDependency, isDict, joinPath } from "./configTree";

export const GRAPH_NODE_WIDTH = 250;
const GAP_X = 80;
const GAP_Y = 24;
const HEADER_HEIGHT = 44;
const FIELD_HEIGHT = 18;
/** More fields than this are folded into "+N more" (the tree view shows them all). */
export const MAX_FIELDS = 12;

export interface ConfigGraphNode {
  id: string;
  fqn: string;
  className: string;
  /** Its own values: scalars and plain data, as dotted paths relative to this config. */
  fields: [string, unknown][];
  /** Where it sits in the experiment's config ("" for the experiment itself). */
  paths: string[];
}

export interface ConfigGraphEdge {
  /** The config whose field names the dependency. */
  source: string;
  /** The dependency. */
  target: string;
  /** The field, relative to the source (`data`, `models.0`). */
  field: string;
}

export interface ConfigGraph {
  nodes: ConfigGraphNode[];
  edges: ConfigGraphEdge[];
}

export const ROOT_ID = "root";

/** A key that is equal for equal configs, whatever the order of their keys. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isDict(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

function containsDependency(value: unknown): boolean {
  if (isDependency(value)) return true;
  if (isDict(value)) return Object.values(value).some(containsDependency);
  if (Array.isArray(value)) return value.some(containsDependency);
  return false;
}

export function configGraph(config: unknown): ConfigGraph {
  const nodes = new Map<string, ConfigGraphNode>();
  const byKey = new Map<string, string>();
  const edges: ConfigGraphEdge[] = [];
  if (!isDict(config)) return { nodes: [], edges: [] };

  const add = (value: ConfigDict, at: (string | number)[]): string => {
    const key = canonical(value);
    const known = byKey.get(key);
    if (known !== undefined) {
      nodes.get(known)!.paths.push(joinPath(at));
      return known;
    }
    const id = at.length ? joinPath(at) : ROOT_ID;
    const fqn = typeof value[CLASS_KEY] === "string" ? value[CLASS_KEY] : "";
    const node: ConfigGraphNode = { id, fqn, className: fqn.split(".").pop() || "(config)", fields: [], paths: [joinPath(at)] };
    byKey.set(key, id);
    nodes.set(id, node);
    const visit = (inner: unknown, relative: (string | number)[]): void => {
      if (isDependency(inner)) {
        const edge = { source: id, target: "", field: joinPath(relative) };
        edges.push(edge); // before the dependency's own edges: parents first
        edge.target = add(inner, [...at, ...relative]);
      } else if ((isDict(inner) || Array.isArray(inner)) && containsDependency(inner)) {
        const items: [string | number, unknown][] = Array.isArray(inner) ? inner.map((v, i) => [i, v]) : Object.entries(inner);
        for (const [k, v] of items) visit(v, [...relative, k]);
      } else if (isDict(inner) && Object.keys(inner).length > 0) {
        for (const [k, v] of Object.entries(inner)) visit(v, [...relative, k]);
      } else if (Array.isArray(inner) && inner.length > 0 && inner.some((v) => isDict(v) || Array.isArray(v))) {
        inner.forEach((v, i) => visit(v, [...relative, i]));
      } else {
        node.fields.push([joinPath(relative), inner]);
      }
    };
    for (const [k, v] of Object.entries(value)) if (k !== CLASS_KEY) visit(v, [k]);
    return id;
  };
  add(config, []);
  return { nodes: [...nodes.values()], edges };
}

export interface DependencyDetail {
  config: unknown;
  lineage?: LineageNode | null;
}

/**
 * Node id -> artifact hash, as far as the given details tell, and the hashes whose detail would
 * tell more (a resolved node with dependencies not resolved yet).
 */
export function resolveHashes(
  graph: ConfigGraph,
  rootHash: string,
  detailOf: (hash: string) => DependencyDetail | undefined,
): { hashes: Map<string, string>; wanted: string[] } {
  const hashes = new Map<string, string>([[ROOT_ID, rootHash]]);
  const named = new Map<string, Map<string, string>>();
  const wanted = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const edge of graph.edges) {
      const source = hashes.get(edge.source);
      if (source === undefined || hashes.has(edge.target)) continue;
      let children = named.get(source);
      if (!children) {
        const detail = detailOf(source);
        if (!detail) {
          wanted.add(source);
          continue;
        }
        children = dependencyHashes(detail.config, detail.lineage);
        named.set(source, children);
      }
      const hash = children.get(edge.field);
      if (hash) {
        hashes.set(edge.target, hash);
        changed = true;
      }
    }
  }
  return { hashes, wanted: [...wanted].filter((hash) => !named.has(hash)) };
}

export function nodeHeight(node: ConfigGraphNode): number {
  const shown = Math.min(node.fields.length, MAX_FIELDS) + (node.fields.length > MAX_FIELDS ? 1 : 0);
  return HEADER_HEIGHT + Math.max(shown, 1) * FIELD_HEIGHT + 12;
}

/** Positions: a column per rank (the DAG page's), each column's nodes stacked by their own heights. */
export function graphLayout(graph: ConfigGraph): { positions: Map<string, { x: number; y: number }>; width: number; height: number } {
  const dag: Pick<Dag, "nodes" | "edges"> = {
    nodes: graph.nodes.map((n) => ({ id: n.id }) as DagNode),
    edges: graph.edges.map((e) => ({ source: e.source, target: e.target, count: 0 })),
  };
  const rank = ranks(dag);
  const heights = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const node of graph.nodes) {
    const r = rank.get(node.id) ?? 0;
    const y = heights.get(r) ?? 0;
    positions.set(node.id, { x: r * (GRAPH_NODE_WIDTH + GAP_X), y });
    heights.set(r, y + nodeHeight(node) + GAP_Y);
  }
  const columns = Math.max(0, ...rank.values()) + 1;
  return { positions, width: columns * (GRAPH_NODE_WIDTH + GAP_X) - GAP_X, height: Math.max(0, ...heights.values()) - GAP_Y };
}

/** A field's value in a node, short. */
export function formatField(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
