/** The detail page's config: the collapsible tree, or the graph of its configs (React Flow, loaded on first use). */
import { lazy, Suspense, useState } from "react";
import { Button } from "@/components/ui/button";
import type { LineageNode } from "@/lib/api";
import { ConfigTree } from "./ConfigTree";

const ConfigGraph = lazy(() => import("./ConfigGraph").then((module) => ({ default: module.ConfigGraph })));

type View = "tree" | "graph";

export function ConfigSection({ config, lineage, hash }: { config: unknown; lineage?: LineageNode | null; hash: string }) {
  const [view, setView] = useState<View>("tree");
  return (
    <section className="space-y-2" data-testid="config-section" data-view={view}>
      <div className="inline-flex rounded-md border border-border p-0.5" role="group" aria-label="Show the config as">
        {(["tree", "graph"] as const).map((option) => (
          <Button
            key={option}
            size="xs"
            variant={view === option ? "secondary" : "ghost"}
            aria-pressed={view === option}
            onClick={() => setView(option)}
            data-testid={`config-view-${option}`}
          >
            {option}
          </Button>
        ))}
      </div>
      {view === "tree" ? (
        <ConfigTree config={config} lineage={lineage} />
      ) : (
        <Suspense fallback={<p className="text-sm text-muted-foreground">Loading the graph…</p>}>
          <ConfigGraph key={hash} config={config} lineage={lineage} hash={hash} />
        </Suspense>
      )}
    </section>
  );
}
