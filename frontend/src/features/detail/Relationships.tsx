/** What a result depends on (parents) and what depends on it (children), each a link. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { ErrorNote } from "@/components/layout";
import { StatusBadge } from "@/components/ui/status-badge";
import { client, type Related, unwrap } from "@/lib/api";

export function Relationships({ hash }: { hash: string }) {
  const query = useQuery({
    queryKey: ["relationships", hash],
    queryFn: () => unwrap(client.GET("/api/experiments/{ref}/relationships", { params: { path: { ref: hash } } })),
  });
  if (query.error) return <ErrorNote error={query.error} />;
  if (!query.data) return <p className="text-sm text-muted-foreground">Loading…</p>;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <RelatedList title="Depends on" items={query.data.parents} testId="parent" />
      <RelatedList title="Used by" items={query.data.children} testId="child" />
    </div>
  );
}

function RelatedList({ title, items, testId }: { title: string; items: Related[]; testId: string }) {
  return (
    <div>
      <h3 className="mb-1 text-xs font-semibold text-muted-foreground">{title} ({items.length})</h3>
      {items.length === 0 && <p className="text-sm text-muted-foreground">None.</p>}
      <ul className="space-y-1 text-sm">
        {items.map((item) => (
          <li key={`${item.hash}-${item.edge}`} data-testid={testId}>
            <Link to="/experiments/$hash" params={{ hash: item.hash }} className="flex items-center gap-2 hover:underline">
              <StatusBadge status={item.row?.status ?? "absent"} className="w-20" />
              <span className="truncate" title={item.fqn}>{item.fqn.split(".").pop()}</span>
              <span className="font-mono text-xs text-muted-foreground">{item.hash.slice(0, 8)}</span>
              {item.row?.name && <span className="text-muted-foreground">“{item.row.name}”</span>}
              {item.edge !== "declared" && <span className="text-xs text-muted-foreground">({item.edge})</span>}
              {!item.row && <span className="text-xs text-destructive">not on disk</span>}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
