/** The project's saved charts (`furu-data/charts.json`): on the charts page, and compact on the overview. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Trash2 } from "lucide-react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { client, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { searchOf } from "./search";

export function SavedCharts({ compact = false }: { compact?: boolean }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const saved = useQuery({ queryKey: ["charts-saved"], queryFn: () => unwrap(client.GET("/api/charts/saved")) });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(client.DELETE("/api/charts/saved/{chart_id}", { params: { path: { chart_id: id } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["charts-saved"] }),
  });
  const charts = saved.data?.charts ?? [];
  return (
    <Card data-testid="saved-charts">
      <CardHeader>
        <CardTitle>Saved charts</CardTitle>
        {saved.data && !compact && <span className="truncate font-mono text-xs text-muted-foreground" title={saved.data.path}>{saved.data.path}</span>}
      </CardHeader>
      <CardContent className="text-sm">
        {saved.error && <ErrorNote error={saved.error} />}
        {saved.data && charts.length === 0 && <p className="text-xs text-muted-foreground" data-testid="saved-charts-empty">None yet: make a chart and save it to the project.</p>}
        <ul className="flex flex-col gap-1">
          {charts.map((c) => (
            <li key={c.id} className="flex items-center gap-2" data-testid="saved-chart" data-id={c.id}>
              <Link to="/charts" search={searchOf(c.definition)} className="underline" data-testid="saved-chart-open">{c.definition.title || c.id}</Link>
              <span className="text-xs text-muted-foreground">{`${c.definition.kind} of ${c.definition.file}${c.saved_by ? ` · ${c.saved_by}` : ""}`}</span>
              {canWrite && !compact && (
                <Button variant="ghost" size="icon" className="ml-auto" aria-label={`Delete ${c.definition.title}`} data-testid="saved-chart-delete" onClick={() => remove.mutate(c.id)}>
                  <Trash2 />
                </Button>
              )}
            </li>
          ))}
        </ul>
        {remove.error && <ErrorNote error={remove.error} />}
      </CardContent>
    </Card>
  );
}
