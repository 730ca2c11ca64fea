/** The config as a collapsible tree; nested dependencies link to their own pages. */
import { Link } from "@tanstack/react-router";
import { ChevronDown, ChevronRight, ExternalLink } from "lucide-react";
import { useMemo, useState } from "react";
import type { LineageNode } from "@/lib/api";
import { CLASS_KEY, dependencyHashes, isDependency, isDict, joinPath } from "./configTree";

/** Levels deeper than this start folded, so a huge config opens readable. */
const OPEN_DEPTH = 2;

export function ConfigTree({ config, lineage }: { config: unknown; lineage?: LineageNode | null }) {
  const links = useMemo(() => dependencyHashes(config, lineage), [config, lineage]);
  if (!isDict(config)) return <p className="text-sm text-muted-foreground">No config recorded.</p>;
  return (
    <ul className="font-mono text-xs leading-6" data-testid="config-tree">
      {entries(config).map(([key, value]) => (
        <ConfigNode key={key} name={key} value={value} path={[key]} links={links} depth={0} />
      ))}
    </ul>
  );
}

function entries(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (isDict(value)) return Object.entries(value).filter(([k]) => k !== CLASS_KEY);
  return [];
}

interface NodeProps {
  name: string;
  value: unknown;
  path: string[];
  links: Map<string, string>;
  depth: number;
}

function ConfigNode({ name, value, path, links, depth }: NodeProps) {
  const [open, setOpen] = useState(depth < OPEN_DEPTH);
  const children = entries(value);
  const dotted = joinPath(path);
  const nested = isDict(value) || Array.isArray(value);
  const hash = links.get(dotted);
  if (!nested) {
    return (
      <li className="pl-5" data-testid="config-node" data-path={dotted}>
        <span className="text-muted-foreground">{name}:</span> <Scalar value={value} />
      </li>
    );
  }
  return (
    <li data-testid="config-node" data-path={dotted}>
      <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="config-toggle">
        {open ? <ChevronDown className="size-4" /> : <ChevronRight className="size-4" />}
        <span className="text-muted-foreground">{name}:</span>
        {isDependency(value) ? (
          <span className="text-foreground">{value[CLASS_KEY].split(".").pop()}</span>
        ) : (
          <span className="text-muted-foreground">{Array.isArray(value) ? `[${children.length}]` : `{${children.length}}`}</span>
        )}
      </button>
      {hash && (
        <Link to="/experiments/$hash" params={{ hash }} className="ml-2 inline-flex items-center gap-0.5 text-sky-600 hover:underline dark:text-sky-400" data-testid="config-dep-link">
          {hash.slice(0, 8)} <ExternalLink className="size-3" />
        </Link>
      )}
      {open && (
        <ul className="ml-2 border-l border-border pl-2">
          {children.map(([key, inner]) => (
            <ConfigNode key={key} name={key} value={inner} path={[...path, key]} links={links} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (typeof value === "string") return <span className="text-emerald-700 dark:text-emerald-400">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="text-sky-700 dark:text-sky-400">{String(value)}</span>;
  if (typeof value === "boolean" || value === null) return <span className="text-violet-700 dark:text-violet-400">{String(value)}</span>;
  return <span>{JSON.stringify(value)}</span>;
}
