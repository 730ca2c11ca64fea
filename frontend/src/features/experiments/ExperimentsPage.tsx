/** Experiments (`/experiments`): the filter builder, the toolbar, the virtualized table; all state in the URL. */
import { useQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { Keyboard } from "lucide-react";
import { useCallback, useMemo, useRef, useState } from "react";
import { ErrorNote } from "@/components/layout";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Switch } from "@/components/ui/switch";
import { ExportButton } from "@/features/bundles/ExportButton";
import { ChartSelectedLink } from "@/features/charts/ChartSelectedLink";
import { RerunButton } from "@/features/launch/RerunButton";
import { ApiError, client, unwrap } from "@/lib/api";
import { useCanWrite } from "@/lib/queries";
import { ColumnPicker } from "./ColumnPicker";
import { ExperimentsTable } from "./ExperimentsTable";
import { classOf, parseTerms } from "./filter";
import { FilterBuilder } from "./FilterBuilder";
import { ShortcutsDialog } from "./ShortcutsDialog";
import { type ExperimentsSearch, joinList, splitList } from "./search";
import { formatSort, nextSort, parseSort } from "./sort";
import { type RowRange, useExperimentWindow } from "./useExperiments";
import { useTableKeyboard } from "./useTableKeyboard";

export function ExperimentsPage() {
  const search = useSearch({ from: "/experiments" });
  const navigate = useNavigate({ from: "/experiments" });
  const setSearch = useCallback(
    (change: Partial<ExperimentsSearch>, replace = false) => void navigate({ search: (prev) => ({ ...prev, ...change }), replace }),
    [navigate],
  );

  const canWrite = useCanWrite();
  const [range, setRange] = useState<RowRange>({ start: 0, end: 0 });
  const pages = useExperimentWindow(search, range);
  const first = pages.head;
  const sort = parseSort(search.sort ?? first?.sort);
  const columns = splitList(search.columns);
  const selected = useMemo(() => new Set(splitList(search.selected)), [search.selected]);
  const filterError = pages.error instanceof ApiError && pages.error.status === 400 ? pages.error.message : undefined;

  const stats = useQuery({ queryKey: ["stats"], queryFn: () => unwrap(client.GET("/api/stats")) });
  const known = useMemo(
    () => ({ class: stats.data?.by_class.map((c) => c.value), namespace: stats.data?.by_namespace.map((c) => c.value) }),
    [stats.data],
  );

  const selection = useMemo(
    () => ({
      isSelected: (hash: string) => selected.has(hash),
      toggle: (hash: string) => {
        const next = new Set(selected);
        if (next.has(hash)) next.delete(hash);
        else next.add(hash);
        setSearch({ selected: joinList([...next]) }, true);
      },
    }),
    [selected, setSearch],
  );

  const filterRef = useRef<HTMLDivElement>(null);
  const openRow = (row: { hash: string }) => void navigate({ to: "/experiments/$hash", params: { hash: row.hash } });
  const compare = (hashes: readonly string[]) => void navigate({ to: "/compare", search: { hashes: hashes.join(",") } });
  const keys = useTableKeyboard({
    count: pages.total, rowAt: pages.rowAt, selected: [...selected], toggle: selection.toggle, open: openRow, compare, filterRef,
  });

  return (
    <div className="flex h-full flex-col gap-3 p-4" data-testid="experiments-page">
      <div ref={filterRef}>
        <FilterBuilder value={search.filter ?? ""} onChange={(filter) => setSearch({ filter: filter || undefined })} error={filterError} known={known} />
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="text-muted-foreground" data-testid="experiments-count">
          {first ? `${first.total} of ${first.catalog_total} experiments` : pages.isLoading ? "Loading…" : ""}
        </span>
        {sort.length > 0 && (
          <span className="font-mono text-xs text-muted-foreground" data-testid="sort-text">sort: {formatSort(sort)}</span>
        )}
        {keys.message && <span className="text-xs text-amber-700 dark:text-amber-300" role="status" data-testid="keyboard-message">{keys.message}</span>}
        <div className="ml-auto flex items-center gap-2">
          {selected.size > 0 && (
            <>
              <span className="text-xs" data-testid="selection-count">{selected.size} selected</span>
              <Button
                size="sm"
                disabled={selected.size < 2}
                onClick={() => compare([...selected])}
                title={selected.size < 2 ? "Select two or more to compare" : "Compare the selected experiments (c)"}
                data-testid="selection-compare"
              >
                Compare
              </Button>
              <CopyButton text={[...selected].join("\n")} label="hashes" testId="selection-copy" />
              <ChartSelectedLink hashes={[...selected]} />
              <ExportButton hashes={[...selected]} />
              <Button variant="ghost" size="sm" onClick={() => setSearch({ selected: undefined }, true)} data-testid="selection-clear">Clear</Button>
            </>
          )}
          {canWrite && first && first.total > 0 && <RerunButton filter={search.filter ?? ""} label={search.filter ? "Rerun filtered" : "Rerun all"} />}
          <label className="flex items-center gap-1.5 text-xs" title="Check which results today's classes no longer rebuild (slower: imports the classes)">
            <Switch checked={!!search.stale} onCheckedChange={(on) => setSearch({ stale: on || undefined })} data-testid="stale-toggle" />
            check staleness
          </label>
          <ColumnPicker fqn={classOf(parseTerms(search.filter ?? ""))} columns={columns} onChange={(c) => setSearch({ columns: joinList(c) })} />
          <Button variant="ghost" size="icon" onClick={() => keys.setHelpOpen(true)} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" data-testid="shortcuts-button">
            <Keyboard />
          </Button>
        </div>
      </div>
      {pages.error && !filterError && <ErrorNote error={pages.error} />}
      {first && first.total === 0 && <p className="text-sm text-muted-foreground" data-testid="experiments-empty">No experiments match.</p>}
      <ExperimentsTable
        count={pages.total}
        rowAt={pages.rowAt}
        onRange={setRange}
        configColumns={columns}
        sort={sort}
        onSort={(key, additive) => setSearch({ sort: formatSort(nextSort(sort, key, additive)) || undefined })}
        selection={selection}
        onOpen={openRow}
        cursor={keys.cursor}
      />
      <ShortcutsDialog open={keys.helpOpen} onOpenChange={keys.setHelpOpen} />
    </div>
  );
}
