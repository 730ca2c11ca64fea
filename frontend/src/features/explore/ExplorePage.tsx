/**
 * Explore code (`/explore`): the experiments the code defines (each `furu.FuruList` of the project's
 * package, and its `Furu` classes) against what exists; a missing item opens its dry-run plan
 * (`furu.plan`: what running it would create). The server imports the package afresh on each visit.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { ChevronDown, ChevronRight, RefreshCw } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Input } from "@/components/ui/input";
import { client, type Schemas, unwrap } from "@/lib/api";
import { cn } from "@/lib/utils";
import { type CollectionInfo, type CollectionItem, exploreCommand, hasArtifact, PLAN_COLORS, PLAN_LABELS, type PlanNode, type PlanStatus } from "./plan";

export function ExplorePage() {
  const search = useSearch({ from: "/explore" });
  const navigate = useNavigate({ from: "/explore" });
  const [draft, setDraft] = useState(search.package ?? "");
  const query = useQuery({
    queryKey: ["explore", search.package ?? null],
    queryFn: () => unwrap(client.GET("/api/explore", { params: { query: search.package ? { package: search.package } : {} } })),
    staleTime: 30_000,
  });
  const data = query.data;
  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="explore-page">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Explore code</h1>
        <form
          className="flex items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            void navigate({ search: { package: draft.trim() || undefined } });
          }}
        >
          <Input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="package (default: all of the project's)" className="h-8 w-80 font-mono text-xs" data-testid="explore-package" />
          <Button type="submit" size="sm" variant="outline">Explore</Button>
        </form>
        <Button size="sm" variant="ghost" onClick={() => void query.refetch()} disabled={query.isFetching} data-testid="explore-refresh" title="Import the code again">
          <RefreshCw className={cn(query.isFetching && "animate-spin")} /> Reload code
        </Button>
        <div className="ml-auto"><CopyButton text={exploreCommand(search.package)} label={exploreCommand(search.package)} testId="explore-command" /></div>
      </header>
      <p className="text-sm text-muted-foreground">
        Each visit imports the package's modules in a fresh process (with <code>FURU_DRY_RUN=1</code>, so nothing is computed) and
        lists its <code>furu.FuruList</code> collections and <code>Furu</code> classes against the results on disk.
      </p>
      {query.error && <ErrorNote error={query.error} testId="explore-error" />}
      {!data && !query.error && <p className="text-sm text-muted-foreground">Importing the code…</p>}
      {data && (
        <>
          {data.problems.length > 0 && (
            <ul className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm" data-testid="explore-problems">
              {data.problems.map((p) => (
                <li key={`${p.module}:${p.problem}`} data-testid="explore-problem" data-module={p.module}>
                  {p.module && <span className="font-mono">{p.module}: </span>}{p.problem}
                </li>
              ))}
            </ul>
          )}
          {data.collections.length === 0 && (
            <p className="text-sm text-muted-foreground" data-testid="explore-no-collections">
              No <code>furu.FuruList</code> in {data.modules.length} module{data.modules.length === 1 ? "" : "s"}. Declare one:
              <code className="ml-1">class Sweep(furu.FuruList[Train]): baseline = Train()</code>
            </p>
          )}
          {data.collections.map((c) => <Collection key={c.fqn} collection={c} />)}
          <Classes classes={data.classes} />
        </>
      )}
    </div>
  );
}

function Collection({ collection }: { collection: CollectionInfo }) {
  return (
    <Card data-testid="explore-collection" data-fqn={collection.fqn}>
      <CardHeader>
        <div className="min-w-0">
          <CardTitle className="font-mono">{collection.fqn}</CardTitle>
          {collection.doc && <p className="text-xs text-muted-foreground">{collection.doc}</p>}
        </div>
        <span className="text-xs" data-testid="explore-collection-summary">
          {collection.existing} of {collection.items.length} exist
          {collection.missing > 0 && ` · running the ${collection.missing} missing would create ${collection.to_compute} artifact${collection.to_compute === 1 ? "" : "s"}`}
        </span>
      </CardHeader>
      <CardContent className="space-y-3 p-0">
        <table className="w-full text-sm">
          <thead className="text-left text-xs text-muted-foreground">
            <tr className="border-b border-border">
              <th className="px-4 py-1.5 font-medium">name</th>
              <th className="px-2 py-1.5 font-medium">class</th>
              <th className="px-2 py-1.5 font-medium">hash</th>
              <th className="px-2 py-1.5 font-medium">status</th>
              <th className="px-4 py-1.5 font-medium">would create</th>
            </tr>
          </thead>
          <tbody>{collection.items.map((item) => <Item key={item.name} item={item} />)}</tbody>
        </table>
        {collection.missing > 0 && (
          <div className="space-y-2 px-4 pb-4">
            <p className="text-xs text-muted-foreground">Run the missing ones (the existing ones load from the cache):</p>
            <pre className="overflow-auto rounded-md bg-muted p-3 font-mono text-xs" data-testid="explore-snippet">{collection.python}</pre>
            <div className="flex flex-wrap gap-2">
              <CopyButton text={collection.python} label="Python" testId="explore-copy-python" />
              <CopyButton text={collection.command} label="shell command" testId="explore-copy-command" />
              <CopyButton text={`FURU_DRY_RUN=1 ${collection.command}`} label="dry run" testId="explore-copy-dry-run" />
            </div>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function Item({ item }: { item: CollectionItem }) {
  const [open, setOpen] = useState(false);
  const plan = item.plan;
  return (
    <>
      <tr className="border-b border-border last:border-0" data-testid="explore-item" data-name={item.name} data-status={item.status}>
        <td className="px-4 py-1.5 font-mono text-xs">
          {plan ? (
            <button type="button" className="inline-flex items-center gap-1 hover:underline" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="explore-item-toggle">
              {open ? <ChevronDown className="size-4" /> : <ChevronRight className="size-4" />}{item.name}
            </button>
          ) : (
            <span className="pl-5">{item.name}</span>
          )}
        </td>
        <td className="px-2 py-1.5 text-xs" title={item.fqn}>{item.fqn.split(".").pop()}</td>
        <td className="px-2 py-1.5 font-mono text-xs">
          {hasArtifact(item.status) ? (
            <Link to="/experiments/$hash" params={{ hash: item.hash }} className="text-sky-600 hover:underline dark:text-sky-400" data-testid="explore-item-link">{item.hash.slice(0, 8)}</Link>
          ) : (
            <span className="text-muted-foreground">{item.hash.slice(0, 8)}</span>
          )}
        </td>
        <td className="px-2 py-1.5"><PlanBadge status={item.status} /></td>
        <td className="px-4 py-1.5 text-xs text-muted-foreground" data-testid="explore-item-to-compute">
          {item.to_compute.length === 0 ? "nothing" : item.to_compute.map((s) => s.fqn.split(".").pop()).join(", ")}
        </td>
      </tr>
      {plan && open && (
        <tr className="border-b border-border bg-muted/40">
          <td colSpan={5} className="px-4 py-2">
            <p className="mb-1 text-xs text-muted-foreground">
              What <code>load_or_create()</code> would do ({item.to_compute.length} to create; <code>furu.plan(obj)</code>):
            </p>
            <ul className="font-mono text-xs leading-6" data-testid="explore-plan"><PlanTree node={plan} /></ul>
            <details className="mt-1">
              <summary className="cursor-pointer text-xs text-muted-foreground">Python for this config</summary>
              <pre className="mt-1 overflow-auto rounded-md bg-muted p-2 font-mono text-xs" data-testid="explore-item-python">{item.python}</pre>
            </details>
          </td>
        </tr>
      )}
    </>
  );
}

function PlanTree({ node }: { node: PlanNode }) {
  return (
    <li data-testid="explore-plan-node" data-status={node.status} data-fqn={node.fqn}>
      <span className="inline-flex items-center gap-2">
        <PlanBadge status={node.status} />
        <span title={node.fqn}>{node.fqn.split(".").pop()}</span>
        {node.status === "cached" ? (
          <Link to="/experiments/$hash" params={{ hash: node.hash }} className="text-sky-600 hover:underline dark:text-sky-400">{node.hash.slice(0, 8)}</Link>
        ) : (
          <span className="text-muted-foreground">{node.hash.slice(0, 8)}</span>
        )}
      </span>
      {node.dependencies.length > 0 && (
        <ul className="ml-2 border-l border-border pl-4">
          {node.dependencies.map((child) => <PlanTree key={child.hash} node={child} />)}
        </ul>
      )}
    </li>
  );
}

function PlanBadge({ status }: { status: PlanStatus }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs font-medium" data-testid="plan-status" data-status={status}>
      <span className={cn("size-2 rounded-full", PLAN_COLORS[status], status === "running" && "animate-pulse")} />
      {PLAN_LABELS[status]}
    </span>
  );
}

function Classes({ classes }: { classes: Schemas["ClassInfo"][] }) {
  return (
    <Card data-testid="explore-classes">
      <CardHeader><CardTitle>Classes ({classes.length})</CardTitle></CardHeader>
      <CardContent className="p-0">
        {classes.length === 0 ? (
          <p className="p-4 text-sm text-muted-foreground">No <code>furu.Furu</code> subclass in these modules.</p>
        ) : (
          <table className="w-full text-sm">
            <thead className="text-left text-xs text-muted-foreground">
              <tr className="border-b border-border">
                <th className="px-4 py-1.5 font-medium">class</th>
                <th className="px-2 py-1.5 text-right font-medium">results</th>
                <th className="px-2 py-1.5 text-right font-medium">artifacts</th>
                <th className="px-4 py-1.5 text-right font-medium">in collections</th>
              </tr>
            </thead>
            <tbody>
              {classes.map((c) => (
                <tr key={c.fqn} className="border-b border-border last:border-0" data-testid="explore-class" data-fqn={c.fqn}>
                  <td className="px-4 py-1.5 font-mono text-xs">
                    <Link to="/experiments" search={{ filter: `class=${c.fqn}` }} className="hover:underline">{c.fqn}</Link>
                  </td>
                  <td className="px-2 py-1.5 text-right tabular-nums" data-testid="explore-class-existing">{c.existing}</td>
                  <td className="px-2 py-1.5 text-right tabular-nums">{c.artifacts}</td>
                  <td className="px-4 py-1.5 text-right tabular-nums">{c.in_collections}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </CardContent>
    </Card>
  );
}
