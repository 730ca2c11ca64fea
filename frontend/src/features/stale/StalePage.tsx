/**
 * Stale results (`/stale`): what today's classes no longer reach, grouped by class and reason
 * (`furu ls --stale`), each group with the `furu migrate` that carries it over: a plan first,
 * applied on confirmation. Results migrated already are listed apart, with where they went.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { CircleCheck, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { client, type Schemas, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { formatDate } from "@/lib/utils";
import { MigrationForm } from "./MigrationForm";
import type { MigrationAnswer } from "./PlanView";
import { Words } from "./Words";

type StaleGroup = Schemas["StaleGroup"];

/** Records listed per group before "show all". */
const FIRST_RECORDS = 12;

export function StalePage() {
  const canWrite = useCanWrite();
  const queryClient = useQueryClient();
  const [applied, setApplied] = useState<MigrationAnswer | null>(null);
  const stale = useQuery({ queryKey: ["stale"], queryFn: () => unwrap(client.GET("/api/stale")) });
  const onApplied = (done: MigrationAnswer) => {
    setApplied(done);
    void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "health" });
  };
  return (
    <div className="mx-auto max-w-6xl space-y-4 p-6" data-testid="stale-page">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="text-xl font-semibold">Stale results</h1>
        {stale.data && stale.data.groups.length > 0 && (
          <span className="text-sm text-muted-foreground" data-testid="stale-total">
            {stale.data.groups.reduce((n, g) => n + g.count, 0)} to migrate in {stale.data.groups.length} group{stale.data.groups.length === 1 ? "" : "s"}
          </span>
        )}
        <span className="ml-auto"><CopyButton text="furu ls --stale" label="furu ls --stale" testId="copy-ls-stale" /></span>
      </header>
      <p className="text-sm text-muted-foreground">
        Results whose stored config today's classes no longer rebuild to the same hash (a field added, removed or renamed, a class moved), so
        {" "}<code>load_or_create</code> no longer finds them. They are intact: a migration carries them over to today's identity, with their dependents.
        Staleness is checked against the classes as this dashboard imported them: restart it after changing your code.
      </p>
      {stale.data?.code_changed?.length ? (
        <p role="alert" className="rounded-md border border-amber-500/50 bg-amber-500/10 px-3 py-2 text-sm" data-testid="stale-code-changed">
          Your code changed since this dashboard imported it ({stale.data.code_changed.join(", ")}): these groups are judged by the
          classes as they were, and no migration can be planned until you restart <code>furu dashboard</code>.
        </p>
      ) : null}
      {applied && <Applied answer={applied} onClose={() => setApplied(null)} />}
      {stale.error && <ErrorNote error={stale.error} testId="stale-error" />}
      {!stale.data && !stale.error && <p className="text-sm text-muted-foreground">Checking every result against today's classes…</p>}
      {stale.data && stale.data.groups.length === 0 && (
        <p className="flex items-center gap-2 rounded-md border border-border px-3 py-2 text-sm" data-testid="stale-empty">
          <CircleCheck className="size-4 text-emerald-600" /> Nothing to migrate: today's classes reach every result.
        </p>
      )}
      {stale.data?.groups.map((group) => (
        <GroupCard key={`${group.fqn} ${group.reasons.join(";")} ${group.still_loads}`} group={group} canWrite={canWrite} onApplied={onApplied} />
      ))}
      {stale.data && stale.data.migrated.length > 0 && <Migrated items={stale.data.migrated} />}
    </div>
  );
}

function GroupCard({ group, canWrite, onApplied }: { group: StaleGroup; canWrite: boolean; onApplied: (done: MigrationAnswer) => void }) {
  const [all, setAll] = useState(false);
  const [migrating, setMigrating] = useState(false);
  const records = all ? group.records : group.records.slice(0, FIRST_RECORDS);
  return (
    <Card data-testid="stale-group" data-fqn={group.fqn} data-count={group.count}>
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <TriangleAlert className="size-4 text-amber-600" />
          <span title={group.fqn}>{group.class_name}</span>
          <span className="font-normal text-muted-foreground">{group.fqn}</span>
        </CardTitle>
        <span className="flex items-center gap-2">
          {group.still_loads && <Badge variant="outline" title="Its declared history finds them: load_or_create migrates each on first use">history finds them</Badge>}
          <Badge variant="warning" data-testid="stale-group-count">{group.count} stale</Badge>
        </span>
      </CardHeader>
      <CardContent className="space-y-3">
        <ul className="list-disc space-y-0.5 pl-5 text-sm">
          {group.reasons.map((reason) => <li key={reason} data-testid="stale-reason"><Words text={reason} /></li>)}
        </ul>
        {group.stale_dependencies.length > 0 && (
          <p className="text-xs text-muted-foreground" data-testid="stale-follows">
            They hold stale dependencies ({group.stale_dependencies.join(", ")}): migrating those with their dependents carries these along.
          </p>
        )}
        <div className="flex flex-wrap gap-1.5 text-xs">
          {records.map((record) => (
            <Link
              key={record.hash}
              to="/experiments/$hash"
              params={{ hash: record.hash }}
              className="rounded-md border border-border px-1.5 py-0.5 font-mono hover:bg-accent"
              title={`created ${formatDate(record.created)}`}
              data-testid="stale-record"
              data-hash={record.hash}
            >
              {record.hash.slice(0, 8)}{record.name ? ` ${record.name}` : ""}
            </Link>
          ))}
          {!all && group.records.length > FIRST_RECORDS && (
            <Button variant="ghost" size="xs" onClick={() => setAll(true)}>and {group.records.length - FIRST_RECORDS} more</Button>
          )}
          {group.count > group.records.length && <span className="text-muted-foreground">({group.count - group.records.length} more not listed)</span>}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <code className="rounded bg-muted px-2 py-1 font-mono text-xs" data-testid="stale-group-command">{group.command}</code>
          <CopyButton text={group.command} label="command" testId="copy-group-command" />
          <Link to="/experiments" search={{ filter: `stale=true class=${group.fqn}`, stale: true }} className="text-xs underline-offset-2 hover:underline" data-testid="stale-group-table">
            in the table
          </Link>
          {canWrite && !migrating && <Button size="sm" className="ml-auto" onClick={() => setMigrating(true)} data-testid="migrate-open">Migrate…</Button>}
        </div>
        {canWrite && migrating && <MigrationForm group={group} canWrite={canWrite} onApplied={onApplied} />}
      </CardContent>
    </Card>
  );
}

function Applied({ answer, onClose }: { answer: MigrationAnswer; onClose: () => void }) {
  const steps = answer.plan.steps;
  return (
    <div className="space-y-1 rounded-md border border-emerald-500/40 bg-emerald-500/10 px-3 py-2 text-sm" data-testid="applied" data-count={steps.length}>
      <div className="flex items-center gap-2">
        <CircleCheck className="size-4 text-emerald-600" />
        <span className="font-medium">Migrated {steps.length} artifact{steps.length === 1 ? "" : "s"} ({answer.plan.policy}); the new ones are current.</span>
        <code className="font-mono text-xs text-muted-foreground">{answer.apply_command}</code>
        <Button variant="ghost" size="xs" className="ml-auto" onClick={onClose}>Dismiss</Button>
      </div>
      <div className="flex flex-wrap gap-1.5 text-xs">
        {steps.map((step) => (
          <Link key={step.target_hash} to="/experiments/$hash" params={{ hash: step.target_hash }} className="rounded-md border border-border px-1.5 py-0.5 font-mono hover:bg-accent" data-testid="applied-target" data-hash={step.target_hash} data-state={step.state}>
            {step.target_fqn.split(".").pop()} {step.target_hash.slice(0, 8)}
          </Link>
        ))}
      </div>
    </div>
  );
}

function Migrated({ items }: { items: Schemas["MigratedStale"][] }) {
  return (
    <details className="rounded-md border border-border px-3 py-2 text-sm" data-testid="stale-migrated" data-count={items.length}>
      <summary className="cursor-pointer text-muted-foreground">
        {items.length} stale result{items.length === 1 ? " was" : "s were"} migrated already (kept while their new results link into them)
      </summary>
      <ul className="mt-2 space-y-0.5 font-mono text-xs">
        {items.map((item) => (
          <li key={item.record.hash} data-testid="stale-migrated-item" data-hash={item.record.hash}>
            {item.record.fqn.split(".").pop()} {item.record.hash.slice(0, 8)} → {item.policy}{" "}
            <Link to="/experiments/$hash" params={{ hash: item.to_hash }} className="underline-offset-2 hover:underline">{item.to_hash.slice(0, 8)}</Link>
          </li>
        ))}
      </ul>
    </details>
  );
}
