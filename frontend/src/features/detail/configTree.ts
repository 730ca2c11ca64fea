/**
 * Which nested configs are dependencies, and their hashes, so the config tree can link them.
 *
 * furu writes a dependency inside a config as a dict with `"__class__"`; the report's
 * `dependencies` tree (root: this artifact) says which artifacts those are, by class. Config
 * and tree are walked together: the k-th nested dict of a class is the k-th declared
 * dependency of that class in the tree, the same order furu records them in.
 */
import type { LineageNode } from "@/lib/api";

export const CLASS_KEY = "__class__";

export type ConfigDict = Record<string, unknown>;

export function isDict(value: unknown): value is ConfigDict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isDependency(value: unknown): value is ConfigDict & { __class__: string } {
  return isDict(value) && typeof value[CLASS_KEY] === "string";
}

/** A path in the config as the filter language writes it: `model.data.seed`, `layers.0`. */
export function joinPath(path: readonly (string | number)[]): string {
  return path.join(".");
}

/** Config path -> hash of the artifact the nested config at that path is. */
export function dependencyHashes(config: unknown, lineage: LineageNode | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  walkDependency(config, lineage ?? undefined, [], out);
  return out;
}

function walkDependency(config: unknown, node: LineageNode | undefined, path: (string | number)[], out: Map<string, string>): void {
  const used = new Map<string, number>();
  const visit = (value: unknown, at: (string | number)[]): void => {
    if (isDependency(value)) {
      const fqn = value[CLASS_KEY];
      const children = node?.children ?? [];
      const declared = children.filter((c) => c.fqn === fqn && c.edge !== "loaded");
      const candidates = declared.length ? declared : children.filter((c) => c.fqn === fqn);
      const k = used.get(fqn) ?? 0;
      used.set(fqn, k + 1);
      const child = candidates[k];
      if (child) out.set(joinPath(at), child.hash);
      walkDependency(value, child, at, out);
    } else if (isDict(value)) {
      for (const [key, inner] of Object.entries(value)) visit(inner, [...at, key]);
    } else if (Array.isArray(value)) {
      value.forEach((inner, index) => visit(inner, [...at, index]));
    }
  };
  if (isDict(config)) {
    for (const [key, inner] of Object.entries(config)) if (key !== CLASS_KEY) visit(inner, [...path, key]);
  }
}
