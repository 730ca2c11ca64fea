/**
 * Charts (`/charts`): pick a result file across a selection and plot it; the definition lives in
 * the URL (a link reproduces the chart), and a chart can be saved to the project for everyone.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Input } from "@/components/ui/input";
import { client, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { cn } from "@/lib/utils";
import { SavedCharts } from "./SavedCharts";
import { withLists } from "./options";
import {
  CHART_KINDS,
  type ChartDefinition,
  type ChartsSearch,
  dataQuery,
  definitionOf,
  missingPart,
  splitList,
} from "./search";

const ChartView = lazy(() => import("./ChartView").then((m) => ({ default: m.ChartView })));
const selectClass = "h-8 w-full rounded-md border border-input bg-background px-1.5 text-xs";

export function ChartsPage() {
  const search = useSearch({ from: "/charts" });
  const navigate = useNavigate({ from: "/charts" });
  const setSearch = useCallback(
    (change: Partial<ChartsSearch>) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace: true }),
    [navigate],
  );
  const definition = definitionOf(search);
  const missing = missingPart(definition);

  const files = useQuery({
    queryKey: ["chart-files", search.filter ?? "", search.hashes ?? ""],
    queryFn: () => unwrap(client.GET("/api/charts/files", { params: { query: { filter: search.filter ?? "", hashes: search.hashes ?? "" } } })),
    placeholderData: keepPreviousData,
  });
  const query = dataQuery(definition);
  const data = useQuery({
    queryKey: ["chart-data", query],
    queryFn: async () => withLists(await unwrap(client.GET("/api/charts/data", { params: { query: query as { file: string } } }))),
    enabled: missing === null,
    placeholderData: keepPreviousData,
  });

  const file = files.data?.files.find((f) => f.path === definition.file);
  const columns = file?.columns ?? [];
  const numeric = columns.filter((c) => c.numeric).map((c) => c.name);
  const configFields = files.data?.config_fields ?? [];
  const kind = definition.kind;
  const xChoices = kind === "scatter" || kind === "line" ? configFields : kind === "bar" || kind === "series" ? columns.map((c) => c.name) : [];
  const fieldChoices = kind === "parallel" ? configFields : kind === "bar" ? numeric : [];
  const shown = missing === null ? data.data : undefined;

  return (
    <div className="flex flex-col gap-4 p-4" data-testid="charts-page">
      <Selection search={search} setSearch={setSearch} runs={files.data?.runs} truncated={files.data?.truncated ?? false} />
      {files.error && <ErrorNote error={files.error} testId="chart-files-error" />}
      <div className="flex flex-col gap-4 lg:flex-row">
        <Card className="w-full shrink-0 lg:w-72" data-testid="chart-picker">
          <CardHeader><CardTitle>Chart</CardTitle></CardHeader>
          <CardContent className="flex flex-col gap-3 text-xs">
            <div className="flex flex-wrap gap-1" role="group" aria-label="Kind">
              {CHART_KINDS.map((k) => (
                <Button
                  key={k.kind}
                  size="xs"
                  variant={kind === k.kind ? "default" : "outline"}
                  data-testid="chart-kind"
                  data-kind={k.kind}
                  aria-pressed={kind === k.kind}
                  onClick={() => setSearch({ kind: k.kind })}
                >
                  {k.label}
                </Button>
              ))}
            </div>
            <Field label="Result file">
              <select className={selectClass} value={definition.file} data-testid="chart-file" onChange={(e) => setSearch({ file: e.target.value || undefined })}>
                <option value="">…</option>
                {(files.data?.files ?? []).map((f) => (
                  <option key={f.path} value={f.path}>{`${f.path} (${f.runs} run${f.runs === 1 ? "" : "s"})`}</option>
                ))}
                {definition.file && !file && <option value={definition.file}>{definition.file}</option>}
              </select>
              {file?.problem && <p className="text-destructive" data-testid="chart-file-problem">{file.problem}</p>}
            </Field>
            {xChoices.length > 0 || definition.x ? (
              <Choice
                label={kind === "scatter" || kind === "line" ? "x: config field" : kind === "series" ? "x: column (empty: row number)" : "x: category column"}
                testId="chart-x" value={definition.x} choices={xChoices} onChange={(x) => setSearch({ x })}
              />
            ) : null}
            <Choice label="y: metric" testId="chart-y" value={definition.y} choices={numeric} onChange={(y) => setSearch({ y })} />
            {kind !== "parallel" && (
              <Choice label={kind === "scatter" || kind === "line" ? "group by (config field)" : `name ${kind === "bar" ? "bars" : "lines"} by (config field)`} testId="chart-group" value={definition.group} choices={configFields} onChange={(group) => setSearch({ group })} />
            )}
            {fieldChoices.length > 0 && (
              <Field label={kind === "parallel" ? "axes: config fields" : "or metrics (bars)"}>
                <div className="flex max-h-40 flex-col gap-0.5 overflow-auto rounded-md border border-border p-1.5">
                  {fieldChoices.map((name) => {
                    const chosen = definition.fields?.includes(name) ?? false;
                    return (
                      <label key={name} className="flex items-center gap-1.5 font-mono">
                        <input
                          type="checkbox"
                          checked={chosen}
                          data-testid="chart-field"
                          data-field={name}
                          onChange={() => {
                            const fields = definition.fields ?? [];
                            setSearch({ fields: (chosen ? fields.filter((f) => f !== name) : [...fields, name]).join(",") || undefined });
                          }}
                        />
                        {name}
                      </label>
                    );
                  })}
                </div>
              </Field>
            )}
            <SaveChart definition={definition} ready={missing === null} setTitle={(title) => setSearch({ title })} python={shown?.python} />
          </CardContent>
        </Card>
        <div className="flex min-w-0 flex-1 flex-col gap-3">
          <Card>
            <CardContent>
              {missing !== null ? (
                <p className="py-16 text-center text-sm text-muted-foreground" data-testid="chart-empty">{missing}</p>
              ) : data.error ? (
                <ErrorNote error={data.error} testId="chart-error" />
              ) : shown ? (
                <Suspense fallback={<p className="py-16 text-center text-sm text-muted-foreground">Loading the chart…</p>}>
                  <ChartView data={shown} pending={data.isPlaceholderData} />
                </Suspense>
              ) : (
                <p className="py-16 text-center text-sm text-muted-foreground">Reading the result files…</p>
              )}
            </CardContent>
          </Card>
          {shown && (
            <div className="flex flex-col gap-2 text-xs">
              <p className="text-muted-foreground" data-testid="chart-summary">
                {`${shown.plotted} of ${shown.runs} experiments plotted · ${shown.points.toLocaleString("en-US")} points`}
                {shown.series.some((s) => s.downsampled) ? " (long series down-sampled, spikes kept)" : ""}
                {shown.truncated ? " · only the first 500 experiments were read" : ""}
              </p>
              {shown.skipped.length > 0 && (
                <details data-testid="chart-skipped">
                  <summary className="cursor-pointer text-muted-foreground">{`${shown.skipped.length} experiments have nothing to plot`}</summary>
                  <ul className="mt-1 flex flex-col gap-0.5">
                    {shown.skipped.map((s) => (
                      <li key={s.hash}>
                        <Link to="/experiments/$hash" params={{ hash: s.hash }} className="font-mono underline">{s.label}</Link>{` (${s.status}): ${s.reason}`}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
              <div className="flex items-start gap-2">
                <pre className="flex-1 overflow-auto rounded-md bg-muted p-3 font-mono text-xs" data-testid="chart-python">{shown.python}</pre>
                <CopyButton text={shown.python} label="Python" testId="chart-python-copy" />
              </div>
            </div>
          )}
          <SavedCharts />
        </div>
      </div>
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <span className="text-muted-foreground">{label}</span>
      {children}
    </div>
  );
}

function Choice({ label, testId, value, choices, onChange }: { label: string; testId: string; value: string; choices: string[]; onChange: (value: string | undefined) => void }) {
  return (
    <Field label={label}>
      <select className={cn(selectClass, "font-mono")} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">…</option>
        {choices.map((c) => <option key={c} value={c}>{c}</option>)}
        {value && !choices.includes(value) && <option value={value}>{value}</option>}
      </select>
    </Field>
  );
}

function Selection({ search, setSearch, runs, truncated }: { search: ChartsSearch; setSearch: (change: Partial<ChartsSearch>) => void; runs?: number; truncated: boolean }) {
  const [text, setText] = useState(search.filter ?? "");
  useEffect(() => setText(search.filter ?? ""), [search.filter]);
  const hashes = splitList(search.hashes);
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="chart-selection">
      <span className="font-semibold">Charts</span>
      {hashes.length > 0 ? (
        <>
          <span className="text-xs" data-testid="chart-hashes">{`${hashes.length} selected experiments`}</span>
          <Button variant="ghost" size="xs" onClick={() => setSearch({ hashes: undefined })} data-testid="chart-hashes-clear">Use a filter instead</Button>
        </>
      ) : (
        <form
          className="flex flex-1 items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch({ filter: text.trim() || undefined });
          }}
        >
          <Input
            className="h-8 max-w-xl font-mono text-xs"
            placeholder="furu ls filter: class=Train status=success"
            value={text}
            onChange={(e) => setText(e.target.value)}
            onBlur={() => text.trim() !== (search.filter ?? "") && setSearch({ filter: text.trim() || undefined })}
            data-testid="chart-filter"
            aria-label="Selection filter"
          />
        </form>
      )}
      {runs !== undefined && (
        <span className="text-xs text-muted-foreground" data-testid="chart-runs">{`${runs} experiments${truncated ? " (the first 500)" : ""}`}</span>
      )}
    </div>
  );
}

function SaveChart({ definition, ready, setTitle, python }: { definition: ChartDefinition; ready: boolean; setTitle: (title: string | undefined) => void; python?: string }) {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [title, setLocal] = useState(definition.title);
  useEffect(() => setLocal(definition.title), [definition.title]);
  const save = useMutation({
    mutationFn: () => unwrap(client.POST("/api/charts/saved", { body: { definition: { ...definition, title: title.trim() } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["charts-saved"] }),
  });
  const snippet = python?.replace("import ChartDefinition, chart", "import ChartDefinition\nfrom furu.saved_charts import save_chart").replace("\nchart(", "\nsave_chart(");
  return (
    <div className="flex flex-col gap-1.5 border-t border-border pt-3">
      <Field label="Title">
        <Input className="h-8 text-xs" value={title} onChange={(e) => setLocal(e.target.value)} onBlur={() => setTitle(title.trim() || undefined)} data-testid="chart-title" />
      </Field>
      {canWrite ? (
        <Button
          size="sm"
          disabled={!ready || !title.trim() || save.isPending}
          onClick={() => {
            setTitle(title.trim() || undefined);
            save.mutate();
          }}
          data-testid="chart-save"
          title={snippet}
        >
          Save to the project
        </Button>
      ) : (
        <p className="text-muted-foreground" data-testid="chart-save-read-only">Read-only: charts cannot be saved here.</p>
      )}
      {save.isSuccess && <p className="text-muted-foreground" data-testid="chart-saved">{`Saved as ${save.data.id}.`}</p>}
      {save.error && <ErrorNote error={save.error} testId="chart-save-error" />}
      {snippet && <pre className="whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-[10px]" data-testid="chart-save-python">{snippet}</pre>}
    </div>
  );
}

/** The charts saved to the project (furu-data/charts.json): everyone using this data root sees them. */
