/**
 * DAG (`/dag`): the class-level graph (from the experiments on disk, or read from source code),
 * with counts per class. A click highlights what the class is connected to; each node's
 * button lists its experiments. React Flow lives in this route's chunk only.
 */
import "@xyflow/react/dist/style.css";
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { Background, Controls, type Edge, Handle, type Node, type NodeProps, Position, ReactFlow } from "@xyflow/react";
import { List } from "lucide-react";
import { useMemo } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { STATUS_COLORS } from "@/components/ui/status-badge";
import { Switch } from "@/components/ui/switch";
import { client, type DagNode, unwrap } from "@/lib/api";
import { currentTheme } from "@/lib/theme";
import { cn } from "@/lib/utils";
import { connected, groupByBase, layout, members, NODE_HEIGHT, NODE_WIDTH } from "./layout";
import type { DagSearch } from "./search";

type ClassNodeData = {
  node: DagNode;
  members: string[];
  dimmed: boolean;
  focused: boolean;
  onList: (fqn: string) => void;
};
type ClassNode = Node<ClassNodeData, "class">;

const nodeTypes = { class: ClassNodeView };

export function DagPage() {
  const search = useSearch({ from: "/dag" });
  const navigate = useNavigate({ from: "/dag" });
  const setSearch = (change: Partial<DagSearch>) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace: true });
  const source = search.source ?? "experiments";
  const query = useQuery({
    queryKey: ["dag", source, search.package ?? null],
    queryFn: () => unwrap(client.GET("/api/dag", { params: { query: { source, ...(search.package ? { package: search.package } : {}) } } })),
  });

  const graph = useMemo(() => {
    if (!query.data) return undefined;
    const dag = search.grouped ? groupByBase(query.data) : query.data;
    const folded = search.grouped ? members(query.data) : new Map<string, string[]>();
    const positions = layout(dag);
    const lit = search.focus && dag.nodes.some((n) => n.id === search.focus) ? connected(dag, search.focus) : undefined;
    const onList = (fqn: string) => void navigate({ to: "/experiments", search: { filter: `class=${fqn}` } });
    const nodes: ClassNode[] = dag.nodes.map((node) => ({
      id: node.id,
      type: "class",
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: { node, members: folded.get(node.id) ?? [], dimmed: !!lit && !lit.has(node.id), focused: node.id === search.focus, onList },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
    }));
    // drawn from the dependency (left) to the class that depends on it (right)
    const edges: Edge[] = dag.edges.map((edge) => {
      const on = !lit || (lit.has(edge.source) && lit.has(edge.target));
      return {
        id: `${edge.target}->${edge.source}`,
        source: edge.target,
        target: edge.source,
        label: edge.count ? String(edge.count) : undefined,
        animated: !!lit && on,
        style: { opacity: on ? 1 : 0.15 },
      };
    });
    return { nodes, edges, problems: query.data.problems };
  }, [query.data, search.grouped, search.focus, navigate]);

  return (
    <div className="flex h-full flex-col" data-testid="dag-page">
      <div className="flex flex-wrap items-center gap-4 border-b border-border px-4 py-2 text-sm">
        <label className="flex items-center gap-1.5">
          <Switch checked={source === "code"} onCheckedChange={(on) => setSearch({ source: on ? "code" : undefined, focus: undefined })} data-testid="dag-source-toggle" />
          read from source code
        </label>
        <label className="flex items-center gap-1.5">
          <Switch checked={!!search.grouped} onCheckedChange={(on) => setSearch({ grouped: on || undefined })} data-testid="dag-group-toggle" />
          group subclasses
        </label>
        {search.focus && <Button variant="ghost" size="sm" onClick={() => setSearch({ focus: undefined })} data-testid="dag-clear-focus">Clear highlight</Button>}
        {graph && <span className="ml-auto text-xs text-muted-foreground">{graph.nodes.length} classes · {graph.edges.length} edges</span>}
      </div>
      {query.error && <div className="p-4"><ErrorNote error={query.error} /></div>}
      {graph && graph.problems.length > 0 && (
        <ul className="border-b border-border bg-amber-500/10 px-4 py-1 text-xs" data-testid="dag-problems">
          {graph.problems.map((p) => <li key={p}>{p}</li>)}
        </ul>
      )}
      {graph && graph.nodes.length === 0 && <p className="p-4 text-sm text-muted-foreground">No classes to show.</p>}
      {graph && (
        <div className="min-h-0 flex-1" data-testid="dag-graph">
          <ReactFlow
            nodes={graph.nodes}
            edges={graph.edges}
            nodeTypes={nodeTypes}
            onNodeClick={(_, node) => setSearch({ focus: node.id === search.focus ? undefined : node.id })}
            onPaneClick={() => search.focus && setSearch({ focus: undefined })}
            nodesConnectable={false}
            fitView
            minZoom={0.1}
            colorMode={currentTheme()}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
      )}
    </div>
  );
}

function ClassNodeView({ data }: NodeProps<ClassNode>) {
  const { node, dimmed, focused, onList } = data;
  const statuses = Object.entries(node.by_status ?? {}).filter(([, n]) => n > 0);
  return (
    <div
      className={cn(
        "flex h-full w-full flex-col gap-1 rounded-lg border bg-card px-3 py-2 text-card-foreground shadow-sm transition-opacity",
        focused ? "border-primary ring-2 ring-ring" : "border-border",
        dimmed && "opacity-30",
      )}
      data-testid="dag-node"
      data-fqn={node.id}
    >
      <Handle type="target" position={Position.Left} />
      <div className="flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-semibold" title={node.id}>{node.class_name}</span>
        <span className="text-sm tabular-nums" data-testid="dag-node-count">{node.count}</span>
      </div>
      <div className="truncate text-xs text-muted-foreground" title={node.namespace}>
        {node.namespace}
        {(node.bases ?? []).length > 0 && ` · extends ${(node.bases ?? []).map((b) => b.split(".").pop()).join(", ")}`}
        {data.members.length > 0 && ` · +${data.members.length} subclasses`}
      </div>
      <div className="flex items-center gap-2">
        <div className="flex h-1.5 flex-1 overflow-hidden rounded bg-muted">
          {statuses.map(([status, n]) => (
            <div key={status} className={STATUS_COLORS[status] ?? "bg-zinc-400"} style={{ width: `${(100 * n) / Math.max(node.count, 1)}%` }} title={`${n} ${status}`} />
          ))}
        </div>
        <Button
          variant="outline"
          size="xs"
          className="nodrag nopan"
          data-testid="dag-node-list"
          onClick={(event) => {
            event.stopPropagation();
            onList(node.id);
          }}
        >
          <List /> experiments
        </Button>
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
}
