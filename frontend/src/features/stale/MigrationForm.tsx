/**
 * How to migrate one group of stale results: which of them (all of the class, with values set,
 * one experiment, a filter) and the options of `furu migrate`; "Show plan" asks the server for the
 * plan (nothing is written), which is shown with its command and an "Apply" behind a dialog.
 */
import { useMutation } from "@tanstack/react-query";
import { Plus, X } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { client, type Schemas, unwrap } from "@/lib/api";
import { cn } from "@/lib/utils";
import { type MigrationAnswer, PlanView } from "./PlanView";
import { CHOICES, type FormState, initialForm, type MigrationRequest, type Policy, requestOf } from "./request";

export function MigrationForm({ group, canWrite, onApplied }: {
  group: Schemas["StaleGroup"];
  canWrite: boolean;
  onApplied: (done: MigrationAnswer) => void;
}) {
  const [form, setForm] = useState<FormState>(() => initialForm(group));
  const [shown, setShown] = useState<{ answer: MigrationAnswer; request: MigrationRequest } | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const plan = useMutation({
    mutationFn: (request: MigrationRequest) => unwrap(client.POST("/api/stale/plan", { body: request })).then((answer) => ({ answer, request })),
    onSuccess: (result) => setShown(result),
  });
  /** Any change to the form makes the plan shown stale: it is dropped, so "Apply" always applies what is on screen. */
  const change = (patch: Partial<FormState>) => {
    setForm((prev) => ({ ...prev, ...patch }));
    setShown(null);
    setInvalid(null);
    plan.reset();
  };
  const showPlan = () => {
    const request = requestOf(group, form);
    if (typeof request === "string") {
      setInvalid(request);
      return;
    }
    plan.mutate(request);
  };
  const setPair = (index: number, patch: Partial<{ field: string; value: string }>) =>
    change({ pairs: form.pairs.map((pair, i) => (i === index ? { ...pair, ...patch } : pair)) });

  return (
    <div className="space-y-3 rounded-md border border-border p-3" data-testid="migrate-form">
      <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="What to migrate">
        {CHOICES.map(({ choice, label }) => (
          <button
            key={choice}
            type="button"
            role="radio"
            aria-checked={form.choice === choice}
            data-testid="migrate-choice"
            data-choice={choice}
            onClick={() => change({ choice })}
            className={cn(
              "rounded-md border px-2.5 py-1 text-xs",
              form.choice === choice ? "border-primary bg-primary text-primary-foreground" : "border-border hover:bg-accent",
            )}
          >
            {label}
          </button>
        ))}
      </div>

      {form.choice === "one" && (
        <label className="flex items-center gap-2 text-sm">
          Experiment
          <select
            className="h-8 rounded-md border border-input bg-transparent px-2 font-mono text-xs"
            value={form.one}
            onChange={(event) => change({ one: event.target.value })}
            data-testid="migrate-one"
          >
            {group.records.map((record) => (
              <option key={record.hash} value={record.hash}>{record.hash.slice(0, 8)}{record.name ? ` ${record.name}` : ""}</option>
            ))}
          </select>
        </label>
      )}
      {form.choice === "filter" && (
        <label className="flex items-center gap-2 text-sm">
          Filter
          <Input value={form.filter} onChange={(event) => change({ filter: event.target.value })} className="h-8 font-mono text-xs" data-testid="migrate-filter" aria-label="Filter" />
        </label>
      )}
      {form.choice !== "class" && (
        <div className="space-y-1" data-testid="set-pairs">
          <p className="text-xs text-muted-foreground">--set: a value for an added field (read as the field's type){form.choice === "set" ? "" : ", optional"}</p>
          {form.pairs.map((pair, index) => (
            <div key={index} className="flex items-center gap-1">
              <Input value={pair.field} onChange={(event) => setPair(index, { field: event.target.value })} placeholder="field" className="h-8 w-40 font-mono text-xs" data-testid="set-field" aria-label="Field" />
              <span className="text-muted-foreground">=</span>
              <Input value={pair.value} onChange={(event) => setPair(index, { value: event.target.value })} placeholder="value" className="h-8 w-48 font-mono text-xs" data-testid="set-value" aria-label="Value" />
              {form.pairs.length > 1 && (
                <Button variant="ghost" size="icon" className="size-7" aria-label="Remove" onClick={() => change({ pairs: form.pairs.filter((_, i) => i !== index) })}><X /></Button>
              )}
            </div>
          ))}
          <Button variant="ghost" size="xs" onClick={() => change({ pairs: [...form.pairs, { field: "", value: "" }] })} data-testid="set-add"><Plus /> another field</Button>
        </div>
      )}

      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-xs">
        <label className="flex items-center gap-1.5">
          --rename
          <Input value={form.rename} onChange={(event) => change({ rename: event.target.value })} placeholder="OLD=NEW" className="h-7 w-36 font-mono text-xs" data-testid="migrate-rename" aria-label="Renamed fields" />
        </label>
        <label className="flex items-center gap-1.5">
          --drop
          <Input value={form.drop} onChange={(event) => change({ drop: event.target.value })} placeholder="FIELD" className="h-7 w-28 font-mono text-xs" data-testid="migrate-drop" aria-label="Removed fields" />
        </label>
        <label className="flex items-center gap-1.5">
          --policy
          <select className="h-7 rounded-md border border-input bg-transparent px-1" value={form.policy} onChange={(event) => change({ policy: event.target.value as Policy })} data-testid="migrate-policy">
            <option value="alias">alias (link the old files)</option>
            <option value="copy">copy</option>
            <option value="move">move</option>
          </select>
        </label>
        <label className="flex items-center gap-1.5">
          <Checkbox checked={form.cascade} onCheckedChange={(value) => change({ cascade: value === true })} data-testid="migrate-cascade" />
          with their dependents
        </label>
        <label className="flex items-center gap-1.5">
          <Checkbox checked={form.overwrite} onCheckedChange={(value) => change({ overwrite: value === true })} data-testid="migrate-overwrite" />
          overwrite
        </label>
        <Button size="sm" variant="secondary" className="ml-auto" onClick={showPlan} disabled={plan.isPending} data-testid="plan-show">
          {plan.isPending ? "Planning…" : "Show plan"}
        </Button>
      </div>

      {invalid && <ErrorNote error={invalid} testId="plan-error" />}
      {plan.error && <div className="whitespace-pre-wrap"><ErrorNote error={plan.error} testId="plan-error" /></div>}
      {shown && <PlanView answer={shown.answer} request={shown.request} canWrite={canWrite} onApplied={onApplied} />}
    </div>
  );
}
