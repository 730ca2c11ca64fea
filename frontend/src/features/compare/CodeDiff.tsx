/** The code diff between two of the compared experiments' snapshots (`furu diff A B --code`), in the detail page's diff view. */
import { useQuery } from "@tanstack/react-query";
import { ErrorNote } from "@/components/layout";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { DiffView } from "@/features/detail/DiffView";
import { type ComparedExperiment, client, unwrap } from "@/lib/api";
import { letter } from "./compare";

interface Props {
  experiments: ComparedExperiment[];
  a: string;
  b: string;
  onPick: (a: string, b: string) => void;
}

export function CodeDiff({ experiments, a, b, onPick }: Props) {
  const query = useQuery({
    queryKey: ["compare-code", a, b],
    queryFn: () => unwrap(client.GET("/api/compare/code", { params: { query: { a, b } } })),
    staleTime: Infinity, // two snapshots never change
  });
  const label = (hash: string) => {
    const index = experiments.findIndex((e) => e.row.hash === hash);
    const found = experiments[index];
    return found ? `${letter(index)} ${found.row.short_hash}` : hash.slice(0, 8);
  };
  const picker = (value: string, pick: (hash: string) => void, testId: string) => (
    <select
      value={value}
      onChange={(event) => pick(event.target.value)}
      className="h-7 rounded-md border border-border bg-background px-1 text-xs"
      data-testid={testId}
      aria-label={testId === "compare-code-a" ? "Diff from" : "Diff to"}
    >
      {experiments.map((e) => <option key={e.row.hash} value={e.row.hash}>{label(e.row.hash)}</option>)}
    </select>
  );
  const data = query.data;

  return (
    <Card data-testid="compare-code">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          Code:
          {experiments.length > 2 ? picker(a, (hash) => onPick(hash, b), "compare-code-a") : <span>{label(a)}</span>}
          →
          {experiments.length > 2 ? picker(b, (hash) => onPick(a, hash), "compare-code-b") : <span>{label(b)}</span>}
        </CardTitle>
        {data && <CopyButton text={data.command} label={data.command} testId="compare-code-command" />}
      </CardHeader>
      <CardContent>
        {query.error && <ErrorNote error={query.error} testId="compare-code-error" />}
        {!data && !query.error && <p className="text-sm text-muted-foreground">Reading the snapshots…</p>}
        {data?.note && <p className="text-sm text-muted-foreground" data-testid="compare-code-note">No code diff: {data.note}</p>}
        {data && !data.note && !data.patch && <p className="text-sm text-muted-foreground" data-testid="compare-code-same">The code snapshots are identical.</p>}
        {data?.patch && (
          <DiffView patch={data.patch} caption={`lines from ${label(a)}'s snapshot to ${label(b)}'s`} testId="compare-code-stat" />
        )}
      </CardContent>
    </Card>
  );
}
