/**
 * The experiments table: TanStack Table for the columns, TanStack Virtual for the rows (only
 * the visible ones are in the DOM). The scrollbar spans every matching row from the start; the
 * rows in view are reported up (``onRange``) so their pages are fetched, and a row whose page is
 * still on its way shows as a placeholder, never holding the scroll. Headers sort server-side: a
 * click sorts by that column, a shift-click adds it as a key.
 */
import { flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { ArrowDown, ArrowUp } from "lucide-react";
import { useEffect, useMemo, useRef } from "react";
import type { ExperimentRow } from "@/lib/api";
import { cn } from "@/lib/utils";
import { buildColumns, type ColumnMeta, type SelectionProps } from "./columns";
import type { SortKey } from "./sort";
import type { RowRange } from "./useExperiments";

const ROW_HEIGHT = 37;

interface Props {
  count: number;
  rowAt: (index: number) => ExperimentRow | undefined;
  onRange: (range: RowRange) => void;
  configColumns: string[];
  sort: SortKey[];
  onSort: (key: string, additive: boolean) => void;
  selection: SelectionProps;
  onOpen: (row: ExperimentRow) => void;
  /** The row the keyboard focuses (an index into every matching row): outlined, and scrolled into view. */
  cursor?: number | null;
}

export function ExperimentsTable({ count, rowAt, onRange, configColumns, sort, onSort, selection, onOpen, cursor = null }: Props) {
  const columns = useMemo(() => buildColumns(configColumns, selection), [configColumns, selection]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const start = first?.index ?? 0;
  const end = last?.index ?? 0;
  useEffect(() => onRange({ start, end }), [start, end, onRange]);
  useEffect(() => {
    if (cursor !== null && cursor < count) virtualizer.scrollToIndex(cursor, { align: "auto" });
  }, [cursor, virtualizer]); // not on count: a row arriving while the mouse scrolls elsewhere does not pull the view back

  // the table models only the rows in view (a few dozen), not every matching one
  const shown = items.map((item) => rowAt(item.index));
  const data = useMemo(() => shown.filter((row): row is ExperimentRow => row !== undefined), [shown.map((row) => row?.hash ?? "").join()]);
  const table = useReactTable({ data, columns, getCoreRowModel: getCoreRowModel(), manualSorting: true, getRowId: (row) => row.hash });
  const models = new Map(table.getRowModel().rows.map((row) => [row.id, row]));
  const width = columns.reduce((sum, c) => sum + ((c.meta as ColumnMeta | undefined)?.width ?? 100), 0);
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (last?.end ?? 0);

  return (
    <div ref={scrollRef} className="min-h-0 flex-1 overflow-auto" data-testid="experiments-table">
      <table className="w-full table-fixed border-separate border-spacing-0 text-sm" style={{ minWidth: width }}>
        <colgroup>
          {columns.map((c) => (
            <col key={c.id} style={{ width: (c.meta as ColumnMeta | undefined)?.width }} />
          ))}
        </colgroup>
        <thead className="sticky top-0 z-10 bg-background">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta as ColumnMeta | undefined;
                const position = sort.findIndex((k) => k.key === meta?.sortKey);
                const key = sort[position];
                return (
                  <th
                    key={header.id}
                    className={cn("h-9 border-b border-border px-2 text-left text-xs font-medium text-muted-foreground", meta?.align === "right" && "text-right")}
                    aria-sort={key ? (key.desc ? "descending" : "ascending") : undefined}
                  >
                    {meta?.sortKey ? (
                      <button
                        type="button"
                        className="inline-flex max-w-full items-center gap-1 truncate hover:text-foreground"
                        onClick={(event) => onSort(meta.sortKey!, event.shiftKey)}
                        title="Click to sort, shift-click to add a sort key"
                        data-testid="sort-header"
                        data-sort-key={meta.sortKey}
                      >
                        <span className="truncate">{flexRender(header.column.columnDef.header, header.getContext())}</span>
                        {key && (key.desc ? <ArrowDown className="size-3" /> : <ArrowUp className="size-3" />)}
                        {key && sort.length > 1 && <sup>{position + 1}</sup>}
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 && <tr style={{ height: paddingTop }} />}
          {items.map((item, i) => {
            const row = models.get(shown[i]?.hash ?? "");
            if (!row) {
              return (
                <tr key={item.index} style={{ height: ROW_HEIGHT }} data-testid="rows-loading" data-index={item.index} data-cursor={item.index === cursor || undefined}>
                  <td colSpan={columns.length} className="border-b border-border px-2">
                    <div className="h-3 w-2/3 animate-pulse rounded bg-muted" />
                  </td>
                </tr>
              );
            }
            const selected = selection.isSelected(row.original.hash);
            return (
              <tr
                key={item.index}
                style={{ height: ROW_HEIGHT }}
                className={cn(
                  "cursor-pointer hover:bg-muted/50", selected && "bg-accent/60", row.original.stale && "text-muted-foreground",
                  item.index === cursor && "outline-2 -outline-offset-2 outline-primary",
                )}
                data-testid="experiment-row"
                data-index={item.index}
                data-hash={row.original.hash}
                data-status={row.original.status}
                data-selected={selected || undefined}
                data-cursor={item.index === cursor || undefined}
                aria-current={item.index === cursor || undefined}
                onClick={() => onOpen(row.original)}
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                  return (
                    <td key={cell.id} className={cn("truncate border-b border-border px-2", meta?.align === "right" && "text-right tabular-nums")}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            );
          })}
          {paddingBottom > 0 && <tr style={{ height: paddingBottom }} />}
        </tbody>
      </table>
    </div>
  );
}
