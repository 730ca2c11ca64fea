/** Where a result came from: the commit, branch and dirty tree (with the patch), the environment, the resources used. */
import type { ReactNode } from "react";
import type { ExperimentDetail } from "@/lib/api";
import { formatBytes, formatDate, formatDuration } from "@/lib/utils";
import { DiffView } from "./DiffView";

export function Provenance({ detail }: { detail: ExperimentDetail }) {
  const metadata = detail.report.metadata;
  if (!metadata) return <p className="text-sm text-muted-foreground">No metadata recorded (the result was never completed).</p>;
  const git = metadata.git;
  const resources = metadata.resources;
  const distributions = Object.entries(metadata.environment.distributions ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="space-y-5 text-sm">
      <Section title="Git">
        {git && git.in_repository ? (
          <Facts
            testId="provenance-git"
            facts={[
              ["commit", git.head_commit ?? "(none)"],
              ["branch", git.branch ?? (git.detached ? "(detached)" : "")],
              ["dirty", git.dirty ? "yes: uncommitted changes" : "no"],
              ["snapshot", git.snapshot_ref ?? ""],
              ["remote", git.remote_url ?? ""],
              ["note", git.note ?? ""],
            ]}
          />
        ) : (
          <p className="text-muted-foreground">Not made inside a git repository{git?.note ? `: ${git.note}` : "."}</p>
        )}
        {detail.patch && <div className="mt-3"><DiffView patch={detail.patch} /></div>}
      </Section>
      <Section title="Run">
        <Facts
          testId="provenance-run"
          facts={[
            ["started", formatDate(metadata.started_at)],
            ["finished", formatDate(metadata.finished_at)],
            ["duration", formatDuration(metadata.duration_secs)],
            ["host", `${metadata.host.user}@${metadata.host.hostname} (${metadata.host.platform})`],
            ["python", `${metadata.host.python_version} ${metadata.host.python_executable}`],
            ["cwd", metadata.host.cwd],
            ["argv", metadata.host.argv.join(" ")],
            ["furu", metadata.furu_version],
            ["version", metadata.version],
          ]}
        />
      </Section>
      <Section title="Resources">
        <Facts
          testId="provenance-resources"
          facts={[
            ["wall", formatDuration(resources.wall_secs)],
            ["cpu user", formatDuration(resources.cpu_user_secs)],
            ["cpu sys", formatDuration(resources.cpu_sys_secs)],
            ["peak memory", formatBytes(resources.peak_rss_bytes)],
            ["gpus", resources.gpus?.length ? JSON.stringify(resources.gpus) : (resources.gpu_query_error ?? "none")],
          ]}
        />
      </Section>
      {(metadata.migrated_from || metadata.migrated_to.length > 0) && (
        <Section title="Migration">
          {metadata.migrated_from && <p>Migrated from {metadata.migrated_from.fqn} {metadata.migrated_from.hash.slice(0, 8)} by {metadata.migrated_from.by}.</p>}
          {metadata.migrated_to.map((m) => <p key={m.hash}>Migrated to {m.fqn} {m.hash.slice(0, 8)}.</p>)}
        </Section>
      )}
      <Section title={`Environment (${distributions.length} packages)`}>
        <details>
          <summary className="cursor-pointer text-muted-foreground">Show packages</summary>
          <ul className="mt-1 columns-2 font-mono text-xs md:columns-3" data-testid="provenance-environment">
            {distributions.map(([name, version]) => <li key={name}>{name}=={String(version)}</li>)}
          </ul>
        </details>
      </Section>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h3 className="mb-1.5 text-xs font-semibold tracking-wide text-muted-foreground uppercase">{title}</h3>
      {children}
    </section>
  );
}

function Facts({ facts, testId }: { facts: [string, string][]; testId: string }) {
  return (
    <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-0.5" data-testid={testId}>
      {facts.filter(([, value]) => value).map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="font-mono text-xs break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
