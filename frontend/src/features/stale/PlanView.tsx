/**
 * A `furu migrate` plan as the server made it: each step from -> to with its changes and state,
 * what was skipped and why, the command that shows the same plan, and "Apply" behind a dialog.
 */
import { useMutation } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { ArrowRight } from "lucide-react";
import { useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { client, type Schemas, unwrap } from "@/lib/api";
import type { MigrationRequest } from "./request";
import { Words } from "./Words";

export type MigrationAnswer = Schemas["MigrationAnswer"];

const STATE_WORDS: Record<string, string> = {
  planned: "planned",
  conflict: "target holds another result",
  finish: "migrated before: finishes what is left",
  migrated: "migrated",
  finished: "finished",
  already: "already migrated",
};

const POLICY_WORDS: Record<string, string> = {
  alias: "Each new result links to the old files (nothing is copied; the old artifacts stay, kept while linked).",
  copy: "Each new result gets a copy of the old files (the old artifacts stay).",
  move: "The old files are moved into the new results (the old artifacts are left without a result).",
};

export function PlanView({ answer, request, canWrite, onApplied }: {
  answer: MigrationAnswer;
  request: MigrationRequest;
  canWrite: boolean;
  onApplied: (done: MigrationAnswer) => void;
}) {
  const { plan } = answer;
  const cascaded = plan.steps.filter((step) => step.cascaded_from).length;
  const conflicts = plan.steps.filter((step) => step.state === "conflict").length;
  return (
    <div className="space-y-3" data-testid="plan" data-steps={plan.steps.length} data-applied={plan.applied}>
      <p className="text-sm font-medium" data-testid="plan-summary">
        {plan.applied ? "Migrated" : "Plan"}: {plan.steps.length} artifact{plan.steps.length === 1 ? "" : "s"} ({plan.policy})
        {cascaded > 0 && `, ${cascaded} of them downstream (cascaded)`}
        {plan.steps.length === 0 && ": nothing to migrate"}.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="rounded bg-muted px-2 py-1 font-mono text-xs" data-testid="plan-command">{answer.command}</code>
        <CopyButton text={answer.command} label="command" testId="copy-plan-command" />
      </div>
      {plan.steps.length > 0 && (
        <table className="w-full text-left text-xs" data-testid="plan-table">
          <thead className="text-muted-foreground">
            <tr><th className="py-1 pr-3 font-medium">From</th><th className="py-1 pr-3 font-medium">To</th><th className="py-1 pr-3 font-medium">Changes</th><th className="py-1 font-medium">State</th></tr>
          </thead>
          <tbody>
            {plan.steps.map((step) => (
              <tr key={step.source.hash} className="border-t border-border align-top" data-testid="plan-step" data-source={step.source.hash} data-target={step.target_hash} data-state={step.state} data-cascaded={!!step.cascaded_from}>
                <td className="py-1.5 pr-3 whitespace-nowrap">
                  <span title={step.source.fqn}>{step.source.fqn.split(".").pop()}</span>{" "}
                  <Link to="/experiments/$hash" params={{ hash: step.source.hash }} className="font-mono underline-offset-2 hover:underline">{step.source.hash.slice(0, 8)}</Link>
                </td>
                <td className="py-1.5 pr-3 whitespace-nowrap">
                  <ArrowRight className="mr-1 inline size-3 text-muted-foreground" />
                  {step.target_fqn !== step.source.fqn && <span title={step.target_fqn}>{step.target_fqn.split(".").pop()} </span>}
                  <span className="font-mono" title={step.target_dir}>{step.target_hash.slice(0, 8)}</span>
                  {step.cascaded_from && <Badge variant="outline" className="ml-1.5">cascaded</Badge>}
                </td>
                <td className="py-1.5 pr-3">
                  {step.changes.map((change) => <div key={change} data-testid="plan-change"><Words text={change} /></div>)}
                </td>
                <td className={step.state === "conflict" ? "py-1.5 text-destructive" : "py-1.5 text-muted-foreground"} data-testid="plan-state">{STATE_WORDS[step.state] ?? step.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {plan.skipped.length > 0 && (
        <ul className="text-xs text-muted-foreground" data-testid="plan-skipped">
          {plan.skipped.map((skip) => <li key={skip.record.hash}>skipped {skip.record.fqn} {skip.record.hash.slice(0, 8)}: {skip.reason}</li>)}
        </ul>
      )}
      {conflicts > 0 && (
        <p className="text-sm text-destructive" data-testid="plan-conflicts">
          {conflicts} target{conflicts === 1 ? " already holds" : "s already hold"} another result: tick "overwrite" to set {conflicts === 1 ? "it" : "them"} aside (into .furu/leftovers/) and migrate over {conflicts === 1 ? "it" : "them"}.
        </p>
      )}
      {canWrite && !plan.applied && plan.steps.length > 0 && (
        <ApplyButton answer={answer} request={request} onApplied={onApplied} />
      )}
    </div>
  );
}

function ApplyButton({ answer, request, onApplied }: { answer: MigrationAnswer; request: MigrationRequest; onApplied: (done: MigrationAnswer) => void }) {
  const [open, setOpen] = useState(false);
  const steps = answer.plan.steps;
  const apply = useMutation({
    mutationFn: () => unwrap(client.POST("/api/stale/apply", {
      body: { ...request, confirm: true, planned: steps.map((step) => [step.source.hash, step.target_hash] as [string, string]) },
    })),
    onSuccess: (done) => {
      setOpen(false);
      onApplied(done);
    },
  });
  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (!next) apply.reset(); }}>
      <DialogTrigger asChild>
        <Button data-testid="plan-apply">Apply: migrate {steps.length}</Button>
      </DialogTrigger>
      <DialogContent data-testid="apply-dialog">
        <DialogTitle>Migrate {steps.length} artifact{steps.length === 1 ? "" : "s"}?</DialogTitle>
        <DialogDescription>{POLICY_WORDS[answer.plan.policy]} Exactly the plan shown is carried out; if it changed meanwhile, nothing is written.</DialogDescription>
        <code className="rounded bg-muted px-2 py-1 font-mono text-xs" data-testid="apply-command">{answer.apply_command}</code>
        {apply.error && <div className="whitespace-pre-wrap"><ErrorNote error={apply.error} testId="apply-error" /></div>}
        <DialogFooter>
          <DialogClose asChild><Button variant="ghost">Cancel</Button></DialogClose>
          <Button onClick={() => apply.mutate()} disabled={apply.isPending} data-testid="apply-confirm">{apply.isPending ? "Migrating…" : "Migrate"}</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
