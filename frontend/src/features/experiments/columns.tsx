/** The experiments table's columns: the built-in ones, then the chosen config fields. */
import type { ColumnDef } from "@tanstack/react-table";
import { Archive, GitCompareArrows, Tag, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Checkbox } from "@/components/ui/checkbox";
import { StatusBadge } from "@/components/ui/status-badge";
import type { ExperimentRow } from "@/lib/api";
import { formatBytes, formatDate, formatDuration, formatValue } from "@/lib/utils";

export interface ColumnMeta {
  /** The `sort` key a click on the header sorts by; none: not sortable. */
  sortKey?: string;
  width: number;
  align?: "right";
}

export interface SelectionProps {
  isSelected: (hash: string) => boolean;
  toggle: (hash: string) => void;
}

export function buildColumns(configColumns: string[], selection: SelectionProps): ColumnDef<ExperimentRow>[] {
  const meta = (m: ColumnMeta) => ({ meta: m });
  const columns: ColumnDef<ExperimentRow>[] = [
    {
      id: "select",
      header: "",
      cell: ({ row }) => (
        <span onClick={(event) => event.stopPropagation()} className="flex">
          <Checkbox
            checked={selection.isSelected(row.original.hash)}
            onCheckedChange={() => selection.toggle(row.original.hash)}
            aria-label="Select"
            data-testid="row-select"
          />
        </span>
      ),
      ...meta({ width: 36 }),
    },
    { id: "status", header: "Status", cell: ({ row }) => <StatusBadge status={row.original.status} />, ...meta({ sortKey: "status", width: 100 }) },
    {
      id: "class",
      header: "Class",
      cell: ({ row }) => (
        <span className="truncate" title={row.original.fqn}>
          {row.original.class_name} <span className="font-mono text-xs text-muted-foreground">{row.original.short_hash}</span>
        </span>
      ),
      ...meta({ sortKey: "class", width: 240 }),
    },
    { id: "marks", header: "Marks", cell: ({ row }) => <Marks row={row.original} />, ...meta({ width: 220 }) },
    { id: "created", header: "Created", cell: ({ row }) => formatDate(row.original.created), ...meta({ sortKey: "created", width: 140 }) },
    { id: "updated", header: "Updated", cell: ({ row }) => formatDate(row.original.updated), ...meta({ sortKey: "updated", width: 140 }) },
    { id: "runtime", header: "Runtime", cell: ({ row }) => formatDuration(row.original.runtime_secs), ...meta({ sortKey: "runtime", width: 90, align: "right" }) },
    { id: "dependencies", header: "Deps", cell: ({ row }) => row.original.dependencies || "", ...meta({ sortKey: "dependencies", width: 60, align: "right" }) },
    { id: "size", header: "Size", cell: ({ row }) => formatBytes(row.original.size_bytes), ...meta({ sortKey: "size", width: 80, align: "right" }) },
  ];
  for (const path of configColumns) {
    columns.push({
      id: `config:${path}`,
      header: path,
      cell: ({ row }) => <span className="font-mono text-xs">{formatValue(row.original.values?.[path])}</span>,
      ...meta({ sortKey: path, width: 120 }),
    });
  }
  return columns;
}

/** Code drift as the table flags it (`furu ls` prints changed / module / gone in its code column). */
export const DRIFT_LABELS: Record<string, string> = { class: "code changed", module: "module changed", gone: "code gone" };
const DRIFT_TITLES: Record<string, string> = {
  class: "Its class's code changed since it was made (the detail page shows the diff)",
  module: "Its class is as it was, but its module changed since it was made (the detail page shows the diff)",
  gone: "Its class or its module file is no longer there",
};

/** What sets a row apart: its name and tags, version control, staleness, code drift. */
export function Marks({ row }: { row: ExperimentRow }) {
  return (
    <span className="flex min-w-0 items-center gap-1 overflow-hidden">
      {row.name && <span className="truncate font-medium" data-testid="row-name">{row.name}</span>}
      {row.version_controlled && (
        <Badge variant="outline" title="Version-controlled (under the artifacts root)" data-testid="row-mark-vc">
          <Archive className="size-3" />
        </Badge>
      )}
      {row.tags.map((tag) => (
        <Badge key={tag} data-testid="row-tag"><Tag className="size-3" />{tag}</Badge>
      ))}
      {row.stale && (
        <Badge variant="warning" title="Today's classes no longer rebuild its config" data-testid="row-mark-stale">
          <TriangleAlert className="size-3" />stale
        </Badge>
      )}
      {row.code_drift && (
        <Badge variant="warning" title={DRIFT_TITLES[row.code_drift] ?? "Its code changed since it was made"} data-testid="row-mark-drift" data-kind={row.code_drift}>
          <GitCompareArrows className="size-3" />{DRIFT_LABELS[row.code_drift] ?? `code: ${row.code_drift}`}
        </Badge>
      )}
      {row.problem && <span className="truncate text-xs text-destructive" title={row.problem}>{row.problem}</span>}
    </span>
  );
}
