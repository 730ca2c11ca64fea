/**
 * New from this (`/launch/$hash`): a form generated from the class's fields, filled with this
 * experiment's values; a sweep box; the server validates as the class would (errors by dotted
 * path, inline), shows the configs, the `furu run ... --sweep` command and the Python snippet,
 * and Run starts the job (then the jobs page follows it).
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { Play } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Input } from "@/components/ui/input";
import { client, type Schemas, unwrap } from "@/lib/api";
import { useCanWrite, useHealth } from "@/lib/queries";
import { changedValues, type FormField, initialValues } from "./form";

type LaunchPlan = Schemas["LaunchPlan"];
type Executor = Schemas["LaunchBody"]["executor"];

/** Typing settles for this long before the server checks the form. */
const CHECK_DELAY_MS = 250;

function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

export function LaunchPage() {
  const { hash } = useParams({ from: "/launch/$hash" });
  const canWrite = useCanWrite();
  const health = useHealth();
  const form = useQuery({
    queryKey: ["launch-form", hash],
    queryFn: () => unwrap(client.GET("/api/launch/form/{ref}", { params: { path: { ref: hash } } })),
    staleTime: Infinity,
  });
  if (form.error) return <div className="p-6"><ErrorNote error={form.error} testId="launch-error" /></div>;
  if (!form.data) return <div className="p-6 text-sm text-muted-foreground">Loading…</div>;
  if (health.data?.read_only) {
    return (
      <div className="p-6 text-sm" data-testid="launch-read-only">
        This dashboard is read-only (furu dashboard --read-only): nothing can be started from it.
      </div>
    );
  }
  return <LaunchForm hash={hash} form={form.data} canWrite={canWrite} />;
}

function LaunchForm({ hash, form, canWrite }: { hash: string; form: Schemas["LaunchFormView"]; canWrite: boolean }) {
  const navigate = useNavigate();
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(form.fields));
  const [sweep, setSweep] = useState("");
  const [executor, setExecutor] = useState<Executor>("local");
  const changed = useMemo(() => changedValues(form.fields, values), [form.fields, values]);
  const wanted = JSON.stringify({ ref: hash, values: changed, sweep, executor });
  const settledText = useDebounced(wanted, CHECK_DELAY_MS);
  const body = useMemo(() => JSON.parse(settledText) as Schemas["LaunchBody"], [settledText]);
  const plan = useQuery({
    queryKey: ["launch-plan", body],
    queryFn: () => unwrap(client.POST("/api/launch/plan", { body })),
    enabled: canWrite,
    placeholderData: (previous) => previous,
    staleTime: 0,
  });
  const run = useMutation({
    mutationFn: () => unwrap(client.POST("/api/launch/run", { body: { ref: hash, values: changed, sweep, executor } })),
    onSuccess: (launched) => void navigate({ to: "/jobs", search: { job: launched.job.job.id } }),
  });
  const current = plan.data;
  const errors = current?.errors ?? {};
  const configs = current?.configs ?? [];
  const warnings = current?.warnings ?? [];
  const swept = new Set((current?.sweeps ?? []).map((word) => word.split("=")[0]?.trim() ?? ""));
  const settled = settledText === wanted;
  const ready = !!current && settled && !plan.isFetching && Object.keys(errors).length === 0 && configs.length > 0;

  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="launch-page" data-target={form.target}>
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">New from this</h1>
        <span className="font-mono text-sm text-muted-foreground">{form.target}</span>
        <Link to="/experiments/$hash" params={{ hash }} className="text-sm underline" data-testid="launch-base">
          from {hash.slice(0, 8)}
        </Link>
      </header>
      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <Card>
          <CardHeader><CardTitle>Fields</CardTitle><span className="text-xs text-muted-foreground">as `furu run` reads them</span></CardHeader>
          <CardContent className="space-y-3" data-testid="launch-form">
            <Fields fields={form.fields} values={values} errors={errors} swept={swept} onChange={(path, text) => setValues((prev) => ({ ...prev, [path]: text }))} />
            <div className="space-y-1 border-t border-border pt-3">
              <label className="text-sm font-medium" htmlFor="launch-sweep">Sweep</label>
              <Input
                id="launch-sweep"
                value={sweep}
                onChange={(event) => setSweep(event.target.value)}
                placeholder="lr=1e-3,3e-4 seed=0,1"
                className="font-mono"
                aria-invalid={!!errors.sweep}
                data-testid="launch-sweep"
              />
              <p className="text-xs text-muted-foreground">key=v1,v2 per field, separated by spaces: one config per combination.</p>
              {errors.sweep && <p className="text-xs text-destructive" data-testid="launch-sweep-error">{errors.sweep}</p>}
            </div>
          </CardContent>
        </Card>
        <div className="space-y-4">
          <Card>
            <CardHeader>
              <CardTitle data-testid="launch-count">
                {current ? `${configs.length} config${configs.length === 1 ? "" : "s"}` : "Checking…"}
              </CardTitle>
              {current && configs.some((c) => c.exists) && (
                <span className="text-xs text-muted-foreground">{configs.filter((c) => c.exists).length} exist already (only loaded)</span>
              )}
            </CardHeader>
            <CardContent className="space-y-3">
              {plan.error && <ErrorNote error={plan.error} />}
              {errors.config && <p className="text-sm text-destructive" data-testid="launch-config-error">{errors.config}</p>}
              {warnings.map((warning) => <p key={warning} className="text-xs text-amber-700 dark:text-amber-300" data-testid="launch-warning">{warning}</p>)}
              {current && configs.length > 0 && (
                <ul className="max-h-48 space-y-0.5 overflow-auto font-mono text-xs">
                  {configs.map((config) => (
                    <li key={config.hash} data-testid="launch-config-row" className="flex gap-2">
                      <span className="text-muted-foreground">{config.hash.slice(0, 8)}</span>
                      <span className="truncate">{config.assignments.join(" ") || "(defaults)"}</span>
                      {config.exists && <Badge variant="outline">exists</Badge>}
                    </li>
                  ))}
                </ul>
              )}
              {current && <Equivalents plan={current} />}
              <div className="flex flex-wrap items-center gap-3 border-t border-border pt-3">
                {form.executors.length > 1 ? (
                  <>
                    <select className="h-8 rounded-md border border-input bg-transparent px-2 text-sm" value={executor} onChange={(event) => setExecutor(event.target.value as Executor)} data-testid="launch-executor">
                      {form.executors.map((name) => <option key={name} value={name}>{name}</option>)}
                    </select>
                    <span className="text-xs text-muted-foreground" data-testid="launch-executor-description">
                      {executor === "submitit" ? `${form.executor_description ?? "submitit"}: submits each config as a job, follows the jobs` : "runs here: `furu run` as a subprocess"}
                    </span>
                  </>
                ) : (
                  <span className="text-xs text-muted-foreground" data-testid="launch-executor">runs here: `furu run` as a subprocess</span>
                )}
                <Button className="ml-auto" onClick={() => run.mutate()} disabled={!canWrite || !ready || run.isPending} data-testid="launch-run">
                  <Play /> Run {current && configs.length > 1 ? `${configs.length} configs` : ""}
                </Button>
              </div>
              {run.error && <ErrorNote error={run.error} testId="launch-run-error" />}
            </CardContent>
          </Card>
        </div>
      </div>
    </div>
  );
}

/** The `furu run` command (with the executor's options: the dashboard's job runs exactly it) and the Python. */
function Equivalents({ plan }: { plan: LaunchPlan }) {
  const command = plan.command;
  return (
    <div className="space-y-2">
      <div className="flex items-start gap-2">
        <pre className="min-w-0 flex-1 overflow-auto whitespace-pre-wrap break-all rounded-md bg-muted p-2 font-mono text-xs" data-testid="launch-command">{command}</pre>
        <CopyButton text={command} label="command" testId="launch-copy-command" />
      </div>
      {plan.python && (
        <div className="flex items-start gap-2">
          <pre className="max-h-56 min-w-0 flex-1 overflow-auto rounded-md bg-muted p-2 font-mono text-xs" data-testid="launch-python">{plan.python}</pre>
          <CopyButton text={plan.python} label="Python" testId="launch-copy-python" />
        </div>
      )}
    </div>
  );
}

function Fields({ fields, values, errors, swept, onChange }: {
  fields: readonly FormField[];
  values: Record<string, string>;
  errors: Record<string, string>;
  swept: Set<string>;
  onChange: (path: string, text: string) => void;
}) {
  return (
    <>
      {fields.map((field) =>
        field.kind === "config" ? (
          <fieldset key={field.path} className="space-y-3 rounded-md border border-border p-3" data-testid="launch-group" data-path={field.path}>
            <legend className="px-1 text-sm font-medium">
              {field.name} <span className="font-mono text-xs text-muted-foreground">{field.target}</span>
            </legend>
            <Fields fields={field.fields ?? []} values={values} errors={errors} swept={swept} onChange={onChange} />
          </fieldset>
        ) : (
          <FieldInput key={field.path} field={field} text={values[field.path]} error={errors[field.path]} swept={swept.has(field.path)} onChange={(text) => onChange(field.path, text)} />
        ),
      )}
    </>
  );
}

function FieldInput({ field, text, error, swept, onChange }: {
  field: FormField;
  text: string | undefined;
  error?: string;
  swept: boolean;
  onChange: (text: string) => void;
}) {
  const id = `field-${field.path}`;
  const edited = text !== undefined && text !== field.value;
  const common = { id, "aria-invalid": !!error, "data-testid": "launch-input", "data-path": field.path };
  let input;
  if (field.editable === false) {
    input = <Input {...common} value="(no key=value form: kept as it is)" disabled />;
  } else if (field.kind === "boolean" || field.kind === "enum") {
    const choices = field.kind === "boolean" ? ["true", "false"] : (field.choices ?? []);
    input = (
      <select {...common} className="h-9 w-full rounded-md border border-input bg-transparent px-2 text-sm" value={text ?? ""} onChange={(event) => onChange(event.target.value)}>
        {[...choices, ...(field.nullable ? ["none"] : [])].map((choice) => <option key={choice} value={choice}>{choice}</option>)}
      </select>
    );
  } else if (field.kind === "json") {
    input = <textarea {...common} rows={Math.min(6, Math.max(1, Math.ceil((text ?? "").length / 60)))} className="w-full rounded-md border border-input bg-transparent px-3 py-1.5 font-mono text-xs aria-invalid:border-destructive" value={text ?? ""} onChange={(event) => onChange(event.target.value)} />;
  } else {
    input = <Input {...common} className="font-mono" inputMode={field.kind === "string" ? "text" : "decimal"} value={text ?? ""} onChange={(event) => onChange(event.target.value)} />;
  }
  return (
    <div className={`grid grid-cols-[10rem_minmax(0,1fr)] items-start gap-x-3 gap-y-0.5 ${swept ? "opacity-60" : ""}`} data-testid="launch-field" data-path={field.path} data-edited={edited} data-swept={swept}>
      <label htmlFor={id} className="pt-2 text-sm" title={field.description ?? undefined}>
        <span className={edited ? "font-semibold" : ""}>{field.name}</span>
        <span className="ml-1 font-mono text-[11px] text-muted-foreground">{field.annotation}</span>
      </label>
      <div className="space-y-0.5">
        {input}
        {swept && <p className="text-[11px] text-sky-700 dark:text-sky-300" data-testid="launch-swept">swept: the sweep's values replace this one</p>}
        {field.default != null && field.default !== text && (
          <p className="text-[11px] text-muted-foreground">default {field.default}</p>
        )}
        {error && <p className="text-xs text-destructive" data-testid="launch-field-error" data-path={field.path}>{error}</p>}
      </div>
    </div>
  );
}
