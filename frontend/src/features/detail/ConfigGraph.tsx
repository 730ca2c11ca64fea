/**
 * The config as a small DAG (see configGraph.ts): each node one Furu config with its own fields,
 * dependencies on the left. A click opens that dependency's page once its hash is known (the
 * details of the configs above it are fetched as needed). Loaded lazily with React Flow.
 */
import "@xyflow/react/dist/style.css";
import { useQueries } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { Background, Controls, type Edge, Handle, type Node, type NodeProps, Position, ReactFlow } from "@xyflow/react";
import { useEffect, useMemo, useState } from "react";
import { client, type LineageNode, unwrap } from "@/lib/api";
import { currentTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import {
  type ConfigGraphNode,
  configGraph,
  type DependencyDetail,
  formatField,
  GRAPH_NODE_WIDTH,
  graphLayout,
  MAX_FIELDS,
  nodeHeight,
  resolveHashes,
  ROOT_ID,
} from "./configGraph";

type FieldsNodeData = { node: ConfigGraphNode; hash?: string; current: boolean };
type FieldsNode = Node<FieldsNodeData, "fields">;

const nodeTypes = { fields: FieldsNodeView };

export function ConfigGraph({ config, lineage, hash }: { config: unknown; lineage?: LineageNode | null; hash: string }) {
  const navigate = useNavigate();
  const graph = useMemo(() => configGraph(config), [config]);
  const root: DependencyDetail = useMemo(() => ({ config, lineage }), [config, lineage]);

  // the details that name deeper dependencies' hashes: asked for as the ones above them resolve
  const [wanted, setWanted] = useState<string[]>([]);
  const fetched = useQueries({
    queries: wanted.map((h) => ({
      queryKey: ["experiment", h],
      queryFn: () => unwrap(client.GET("/api/experiments/{ref}", { params: { path: { ref: h } } })),
    })),
  });
  const details = new Map<string, DependencyDetail>([[hash, root]]);
  for (const result of fetched) {
    if (result.data) details.set(result.data.row.hash, { config: result.data.report.record.config, lineage: result.data.report.dependencies });
  }
  const resolved = resolveHashes(graph, hash, (h) => details.get(h));
  const more = resolved.wanted.filter((h) => !wanted.includes(h)).join(",");
  useEffect(() => {
    if (more) setWanted((known) => [...known, ...more.split(",").filter((h) => !known.includes(h))]);
  }, [more]);
  const hashes = resolved.hashes;
  const hashKey = [...hashes.entries()].map(([id, h]) => `${id}=${h}`).join(",");

  const flow = useMemo(() => {
    const { positions, height } = graphLayout(graph);
    const nodes: FieldsNode[] = graph.nodes.map((node) => ({
      id: node.id,
      type: "fields",
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: { node, hash: hashes.get(node.id), current: node.id === ROOT_ID },
      width: GRAPH_NODE_WIDTH,
      height: nodeHeight(node),
    }));
    const edges: Edge[] = graph.edges.map((edge) => ({
      id: `${edge.source}:${edge.field}`,
      source: edge.target,
      target: edge.source,
      label: edge.field,
      labelStyle: { fontSize: 10 },
    }));
    return { nodes, edges, height };
  }, [graph, hashKey]); // hashKey stands for the content of hashes

  if (graph.nodes.length === 0) return <p className="text-sm text-muted-foreground">No config recorded.</p>;
  return (
    <div className="rounded-md border border-border" style={{ height: Math.min(Math.max(flow.height + 80, 220), 640) }} data-testid="config-graph">
      <ReactFlow
        nodes={flow.nodes}
        edges={flow.edges}
        nodeTypes={nodeTypes}
        onNodeClick={(_, node) => {
          const target = hashes.get(node.id);
          if (target && target !== hash) void navigate({ to: "/experiments/$hash", params: { hash: target } });
        }}
        nodesConnectable={false}
        fitView
        fitViewOptions={{ padding: 0.15, maxZoom: 1 }}
        minZoom={0.2}
        colorMode={currentTheme()}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function FieldsNodeView({ data }: NodeProps<FieldsNode>) {
  const { node, hash, current } = data;
  const shown = node.fields.slice(0, MAX_FIELDS);
  const clickable = !!hash && !current;
  return (
    <div
      className={cn(
        "flex h-full w-full flex-col rounded-lg border bg-card px-3 py-2 text-card-foreground shadow-sm",
        current ? "border-primary ring-2 ring-ring" : "border-border",
        clickable && "cursor-pointer hover:border-sky-500",
      )}
      data-testid="config-graph-node"
      data-fqn={node.fqn}
      data-hash={hash ?? ""}
      data-path={node.paths[0]}
      title={clickable ? `Open ${node.className} ${hash.slice(0, 8)}` : node.fqn}
    >
      <Handle type="target" position={Position.Left} />
      <div className="flex items-baseline gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-semibold">{node.className}</span>
        <span className={cn("font-mono text-xs", hash ? "text-sky-600 dark:text-sky-400" : "text-muted-foreground")} data-testid="config-graph-hash">
          {hash ? hash.slice(0, 8) : "not found"}
        </span>
      </div>
      <div className="truncate text-[11px] text-muted-foreground">{node.paths[0] || "this experiment"}{node.paths.length > 1 && ` (+${node.paths.length - 1} more)`}</div>
      <ul className="mt-1 font-mono text-xs leading-[18px]">
        {shown.map(([path, value]) => (
          <li key={path} className="truncate" data-testid="config-graph-field" data-path={path}>
            <span className="text-muted-foreground">{path}:</span> {formatField(value)}
          </li>
        ))}
        {node.fields.length === 0 && <li className="text-muted-foreground">(no own fields)</li>}
        {node.fields.length > MAX_FIELDS && <li className="text-muted-foreground">+{node.fields.length - MAX_FIELDS} more (tree view)</li>}
      </ul>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}
