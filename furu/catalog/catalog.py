"""``Catalog``: every artifact under the data roots, listed fast and never stale.

The artifact directories are the truth; the index (:mod:`furu.catalog.store`)
is a cache of them. Bringing it up to date (:meth:`Catalog.sync`) costs what
changed, not what exists: it walks the namespace tree (a ``stat`` per class
directory, listing only those whose names changed), tails the change journal
(:mod:`furu.catalog.tail`) and re-reads exactly the artifacts it names, plus
those that may be in flux (running, queued, absent, just written). When the
journal cannot vouch for the tree, every artifact's ``.furu/`` is checked
instead, and :meth:`Catalog.rescan` re-reads everything. An attempt that says
"running" is checked against its lock holder every time, since a holder can
die without touching the directory.

Queries then run in SQL (:meth:`Catalog.select`, :meth:`Catalog.count`,
:meth:`Catalog.execute`; the views call :mod:`furu.catalog.pages`);
:meth:`Catalog.refresh` materializes every entry for the commands that walk
them all.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from furu import journal, layout
from furu.atomic import DISK_FULL
from furu.progress import Progress, no_progress
from furu import settings as settings_module
from furu.catalog.drift import add_drift, note_drifted_code
from furu.catalog.entry import NO_STAMP, Entry, Shard
from furu.catalog.location import INDEX_DIR, index_path
from furu.catalog.reading import (
    dir_stamp,
    directory_size,
    is_artifact_name,
    paused_gc,
    read_details,
    read_entry,
    read_marks,
)
from furu.catalog.record import ArtifactRecord
from furu.catalog.store import (
    DETAILS_COLUMNS,
    DETAILS_JOIN,
    IN_MEMORY,
    NEEDS,
    SUMMARY_COLUMNS,
    UNSETTLED,
    IndexUnusable,
    ShardRow,
    Store,
    details_from_row,
    entry_from_row,
    open_store,
)
from furu.catalog.tail import read_tail
from furu.catalog.walk import ClassDir, DirIndex, TreeWalk, artifact_names

_log = logging.getLogger("furu.catalog")

RACY_WINDOW_NS = 2_000_000_000
"""Entries changed this recently are re-read next time (timestamps are coarse, NFS clocks skew)."""

DIRECT_READ_RATIO = 20
"""Load a class's details from the index once at least 1/20 of its entries need them; else read metadata.json."""

SYNCED_AT = "synced_at"
"""Index meta key: when (ns) the journal was last read to its end."""

SEAL = "journal_seal"
"""Index meta key: the journal's seal when it was last read (see :func:`furu.journal.seal`)."""

CREATED_ORDER = "a.created DESC, a.id"
"""The default listing order, which the index ``artifacts_created (created DESC, id)`` serves as it is."""

_SUMMARY_ROW = f"s.class_dir, s.fqn, s.version_controlled, {SUMMARY_COLUMNS}, a.status, a.problem"
_ROW = f"{_SUMMARY_ROW}, {DETAILS_COLUMNS}"


def _rows_from(*, details: bool, index: str | None = None) -> str:
    """The FROM of a query for :data:`_ROW` (or :data:`_SUMMARY_ROW`), optionally forced onto one index.

    ``index`` names a partial index that holds exactly the rows asked for:
    SQLite's planner cannot tell such an index is nearly empty, so it is named.
    """
    forced = f" INDEXED BY {index}" if index is not None else ""
    return f"artifacts a{forced} JOIN shards s ON s.id = a.shard" + (f" {DETAILS_JOIN}" if details else "")


class Catalog:
    """The artifacts of one project (its data root and its version-controlled artifacts root).

    ``sync()`` brings the index up to date; ``select(...)`` and friends query
    it; ``refresh()`` returns every current entry; ``records(entries)`` turns
    entries into :class:`ArtifactRecord`; ``ensure_details`` /
    ``ensure_sizes`` add what ``metadata.json`` and the directory sizes tell.
    """

    def __init__(
        self,
        settings: settings_module.Settings | None = None,
        *,
        use_index: bool = True,
        progress: Progress = no_progress,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings or settings_module.current()
        self.roots: list[tuple[Path, bool]] = [
            (layout.data_dir(self.settings.data_root), False),
            (self.settings.artifacts_root, True),
        ]
        self.index_path = index_path(self.settings.data_root)
        self.use_index = use_index
        self.progress = progress
        self.warn = warn or _log.warning
        """Called once (at most) with a one-line warning when the index cannot be used."""
        self.index_problem: str | None = None
        """Why the index on disk could not be used (then one in memory serves this catalog)."""
        self.checked_all: str | None = None
        """Why the last sync checked every artifact's ``.furu/`` (None: the journal vouched for them)."""
        self.total = 0
        """Artifacts under the roots at the last sync (also those of classes it skipped)."""
        self._shards: dict[str, Shard] = {}  # materialized: every entry of the class directory
        self._partial: dict[str, Shard] = {}  # a few entries of class directories not materialized
        self._found: dict[str, ClassDir] = {}
        self._store_cache: Store | None = None
        self._manifest_cache: dict[str, DirIndex] | None = None
        self._manifest_dirty = False
        self._changed: dict[int, Entry] = {}
        self._details_changed: dict[int, Entry] = {}
        self._removed: list[tuple[str, str]] = []
        self._shards_changed: dict[str, Shard] = {}
        self._journal_offsets: dict[str, int] | None = None
        self._journal_read = False
        self._seal: str | None = None
        self._complete = False
        self._syncing = False

    # -- bringing the index up to date -------------------------------------------------------

    def sync(self, classes: Callable[[str], bool] | None = None) -> None:
        """Bring the index up to date with the directories (``classes``: only class names it accepts)."""
        self._syncing = True
        try:
            self._sync(classes)
        except _IndexSwitched:  # the index on disk failed mid-way: start over with one in memory
            self._sync(classes)
        finally:
            self._syncing = False

    def _sync(self, classes: Callable[[str], bool] | None) -> None:
        racy_after = time.time_ns() - RACY_WINDOW_NS
        store = self._store()
        tail = self._tail_journal(store)
        rows = store.shard_rows()
        was_empty = not rows
        to_read: list[tuple[Shard, str]] = []
        self.total = 0
        self._found = {}
        for found_dir in self._walk(racy_after, complete=classes is None):
            if classes is not None and not classes(found_dir.fqn):
                self.total += found_dir.count
                continue
            self._found[found_dir.path] = found_dir
            row = rows.get(found_dir.path)
            names, stamp = found_dir.names, found_dir.stamp
            if names is None and (row is None or row.dir_stamp != stamp or stamp == NO_STAMP or row.fqn != found_dir.fqn):
                names = artifact_names(found_dir.path)
            if names is None:
                continue
            slot = self._slot(found_dir.path, found_dir.fqn, found_dir.version_controlled)
            materialized = self._shards.get(found_dir.path)
            known = set(materialized.entries) if materialized is not None else set(store.hashes(row.id)) if row else set()
            current = set(names)
            for gone in known - current:
                self._drop(found_dir.path, gone)
            to_read.extend((slot, name) for name in names if name not in known)
            slot.dir_stamp = stamp
            self._shards_changed[found_dir.path] = slot
        if classes is None:
            for gone in set(self._shards) - set(self._found):
                del self._shards[gone]
        prune = classes is None and self._manifest_dirty  # class directories may have gone (emptied ones too)
        self._read(to_read, racy_after)
        fresh = {f"{shard.class_dir}/{name}" for shard, name in to_read}
        self._reread(sorted(tail - fresh) if tail is not None else [], racy_after)
        self.save(prune=prune)  # the rows just read and dropped are in the index before it is asked
        if tail is not None or not was_empty:  # a new index has just read everything
            self._check_rows(everything=tail is None, skip=fresh | (tail or set()), racy_after=racy_after)
        self.save()
        if classes is None:
            self.total = self._store().db.execute("SELECT count(*) FROM artifacts").fetchone()[0]
        else:
            self.total += sum(found.count for found in self._found.values())

    def rescan(self) -> None:
        """Re-read every artifact directory from scratch and rebuild the index from what it finds.

        The reconciliation for anything the journal did not see: artifacts
        copied in by hand or written by other tools, files edited in place.
        """
        try:
            self._store().forget_everything()
        except sqlite3.Error as error:
            self._index_failed(error)
        self._forget_loaded()
        self.sync()

    # -- every entry -------------------------------------------------------------------------

    def refresh(self, classes: Callable[[str], bool] | None = None) -> list[Entry]:
        """Every current entry (of the class names ``classes`` accepts), materialized from the index."""
        self.sync(classes)
        missing = [
            Shard(found.path, found.fqn, found.version_controlled) for found in self._found.values() if found.path not in self._shards
        ]
        if missing:
            wanted = sum(self._found[shard.class_dir].count for shard in missing)
            try:
                with paused_gc():
                    self._store().load_shards(missing, many=wanted * 4 > self.total)
            except sqlite3.Error as error:
                self._index_failed(error)
                self._start_over()
                return self.refresh(classes)
            for shard in missing:
                self._shards[shard.class_dir] = shard
                self._partial.pop(shard.class_dir, None)
        entries = [entry for found in self._found.values() for entry in self._shards[found.path].entries.values()]
        self._complete = self._complete or classes is None
        return entries

    def entries(self) -> list[Entry]:
        """Entries as of the last full refresh (refreshing first when there was none)."""
        if not self._complete:
            return self.refresh()
        return [entry for shard in self._shards.values() for entry in shard.entries.values()]

    def validate(self, entries: Iterable[Entry]) -> None:
        """Re-read the entries whose ``.furu/`` changed since they were read (in place)."""
        entries = list(entries)
        self._reread_changed(entries, time.time_ns() - RACY_WINDOW_NS, drop_gone=False)
        self._check_holders(entries)
        self.save()

    # -- queries -----------------------------------------------------------------------------

    def select(
        self, where: str = "1", params: Sequence[Any] = (), *, order: str = "a.id", limit: int | None = None,
        offset: int = 0, needs: Iterable[str] = (), common: bool = False, by_field: tuple[str, bool] | None = None,
        details: bool = True, index: str | None = None, per_row: tuple[str, Sequence[Any]] | None = None,
    ) -> list[Entry]:
        """Entries of the rows matching a WHERE clause over ``artifacts a``, in ``order``, one page of them.

        ``needs`` names what the clause reads besides the summary (``marks``,
        ``details``, ``sizes``): it is read first for every row that lacks it.
        ``common`` says the clause matches a good part of all rows: a page then
        walks an index in the page's order and stops after the page, instead of
        sorting every match: the creation index for the default order, the
        config field's index when ``by_field`` (path, descending) says the
        order is that one field's. ``details=False`` leaves configs unread
        (cheaper for thousands of rows). ``index`` names the index to find the
        rows with, where the planner would walk the creation index in vain
        (``artifacts_status`` for a status that few rows have). ``per_row`` is
        the same clause in the form that tests one row at a time
        (``Expression.sql(per_row=True)``), for those walks. Call :meth:`sync` before.
        """
        self.ensure_rows(needs)
        db = self._store().db
        page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        ids: list[int] | None = None
        walk_where, walk_params = per_row or (where, params)
        if common and limit is not None and by_field is not None:
            ids = self._ids_by_field(walk_where, walk_params, by_field, int(limit) + int(offset))
            ids = ids[int(offset) :] if ids is not None else None
        if ids is None:
            if index is not None:
                walk = f" INDEXED BY {index}"
            elif common and limit is not None and order.startswith(CREATED_ORDER):
                walk, where, params = " INDEXED BY artifacts_created", walk_where, walk_params
            else:
                walk = ""
            # The page's ids first, from the summaries alone; then their rows, configs and all.
            query = f"SELECT a.id FROM artifacts a{walk} WHERE {where} ORDER BY {order}{page}"
            ids = [row[0] for row in db.execute(query, list(params))]
        rows: dict[int, Entry] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            columns = _ROW if details else _SUMMARY_ROW
            cursor = db.execute(f"SELECT a.id, {columns} FROM {_rows_from(details=details)} WHERE a.id IN ({', '.join('?' * len(chunk))})", chunk)
            with paused_gc():
                rows.update((values[0], self._entry_from_query(values[1:])) for values in cursor)
        return [rows[artifact] for artifact in ids if artifact in rows]

    def _ids_by_field(self, where: str, params: Sequence[Any], by_field: tuple[str, bool], wanted: int) -> list[int] | None:
        """The first ``wanted`` matching ids in the order of one numeric config field, read off its index.

        Exact only when every value at that path is a number (no text to sort
        after them) and the numbers fill the page (artifacts without the field
        come after all that have it); otherwise None, and the caller sorts.
        """
        path, descending = by_field
        db = self._store().db
        kinds = [kind for (kind,) in db.execute("SELECT DISTINCT kind FROM fields INDEXED BY fields_num WHERE path = ?", (path,))]
        if kinds not in (["num"], ["bool"]):  # one kind: the index then holds the values in order
            return None
        direction = "DESC" if descending else "ASC"
        rows = db.execute(
            "SELECT a.id FROM fields f INDEXED BY fields_num CROSS JOIN artifacts a ON a.id = f.artifact "
            f"WHERE f.path = ? AND f.kind = ? AND f.num IS NOT NULL AND ({where}) "
            f"ORDER BY f.num {direction}, a.id LIMIT {wanted}",
            [path, kinds[0], *params],
        )
        ids = [artifact for (artifact,) in rows]
        return ids if len(ids) == wanted else None

    def count(self, where: str = "1", params: Sequence[Any] = ()) -> int:
        return int(self._store().db.execute(f"SELECT count(*) FROM artifacts a WHERE {where}", list(params)).fetchone()[0])

    def shard_rows(self) -> list[ShardRow]:
        """The class directories the index knows (a few hundred at most)."""
        return list(self._store().shard_rows().values())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """A read query of your own over the index (``artifacts``, ``shards``, ``fields``, ``deps``)."""
        return self._store().db.execute(sql, list(params))

    def ensure_rows(self, needs: Iterable[str], where: str = "1") -> None:
        """Read tags and names, details or sizes for every row of the index that lacks them (of those ``where`` picks).

        ``code`` (for ``code_changed=...``) reads the details, whose fingerprints it
        needs, then notes which recorded files differ now (see :mod:`furu.catalog.drift`);
        ``stale`` reads the details, then notes which configs today's classes no longer
        rebuild (see :mod:`furu.catalog.stale`; it imports them).
        """
        needs = set(needs)
        if needs & {"code", "stale"}:
            needs.add("details")
        for need in ("marks", "details", "sizes"):
            if need not in needs:
                continue
            source = _rows_from(details=True, index=f"artifacts_needs_{need}")
            cursor = self._store().db.execute(f"SELECT {_ROW} FROM {source} WHERE ({NEEDS[need]}) AND ({where})")
            with paused_gc():
                entries = [self._entry_from_query(values) for values in cursor]
            if not entries:
                continue
            {"marks": self.ensure_marks, "details": self.ensure_details, "sizes": self.ensure_sizes}[need](entries)
        if "code" in needs:
            note_drifted_code(self._store().db, self.settings.project_root)
        if "stale" in needs:
            from furu.catalog.stale import note_stale  # pydantic and the user's classes: only when asked

            note_stale(self._store().db)

    # -- one artifact ------------------------------------------------------------------------

    def records(
        self, entries: Iterable[Entry], *, details: bool = True, sizes: bool = False, stale: bool = False
    ) -> list[ArtifactRecord]:
        """Public records of ``entries`` (tags and name always; details, with code drift, sizes and staleness on request).

        ``stale`` checks each success's config against today's classes, which it
        imports: what ``furu ls`` never does unless asked.
        """
        entries = list(entries)
        self.ensure_marks(entries)
        if details or stale:
            self.ensure_details(entries)
        if sizes:
            self.ensure_sizes(entries)
        records = [entry.record() for entry in entries]
        if details or stale:
            add_drift(entries, records, self.settings.project_root)
        if stale:
            from furu.catalog.stale import add_staleness  # pydantic and the user's classes: only when asked

            add_staleness(records)
        return records

    def entry_at(self, artifact_dir: str | Path) -> Entry | None:
        """The entry of one artifact directory, read fresh (None when it is not one)."""
        path = Path(artifact_dir).absolute()
        name = path.name
        if not is_artifact_name(name) or not path.is_dir():
            return None
        class_dir = str(path.parent)
        found = self._class_of(class_dir)
        if found is None:  # outside the roots (an exported tree, a copy): read, never indexed
            shard = Shard(class_dir, _fqn_from_files(path) or path.parent.name, False)
            entry = shard.entries[name] = read_entry(shard, name, time.time_ns() - RACY_WINDOW_NS)
            self._check_holders([entry], index=False)
            return entry
        shard = self._slot(class_dir, *found)
        entry = self._put(shard, read_entry(shard, name, time.time_ns() - RACY_WINDOW_NS))
        self._check_holders([entry])
        self.save()
        return entry

    def find_prefix(self, prefix: str) -> list[Entry]:
        """Entries whose hash starts with ``prefix``, read fresh; found by directory names alone."""
        return [entry for path in self.dirs_with_prefix(prefix) if (entry := self.entry_at(path)) is not None]

    def dirs_with_prefix(self, prefix: str) -> list[str]:
        """Artifact directories whose name starts with ``prefix`` (nothing is read but names)."""
        found: list[str] = []
        rows = self._store().shard_rows()
        for found_dir in self._walk(time.time_ns() - RACY_WINDOW_NS, complete=False):
            names = found_dir.names
            row = rows.get(found_dir.path)
            if names is None and row is not None and row.dir_stamp == found_dir.stamp and found_dir.stamp != NO_STAMP:
                cursor = self._store().db.execute(
                    "SELECT hash FROM artifacts WHERE shard = ? AND hash >= ? AND hash < ?",
                    (row.id, prefix, prefix + "\uffff"),
                )
                names = [value for (value,) in cursor]
            elif names is None:
                names = artifact_names(found_dir.path)
            found.extend(f"{found_dir.path}/{name}" for name in names if name.startswith(prefix))
        return found

    # -- tags, details and sizes -------------------------------------------------------------

    def ensure_marks(self, entries: Iterable[Entry]) -> None:
        """Read tags and name, and check success markers, where not done at the current stamp."""
        stale = [e for e in entries if e.marks_stamp != e.stamp or e.stamp == NO_STAMP]
        if not stale:
            return
        with self.progress("Reading tags", len(stale)) as advance:
            for entry in stale:
                read_marks(entry)
                self._mark(entry)
                advance(1)
        self.save()

    def ensure_details(self, entries: Iterable[Entry]) -> None:
        """Read config, version and dependencies (from the index, else metadata.json).

        A few entries of a big class are read straight from their metadata.json:
        that beats loading the class's whole details from the index.
        """
        missing = [e for e in entries if not _details_current(e)]
        if not missing:
            return
        by_shard: dict[int, list[Entry]] = {}
        for entry in missing:
            by_shard.setdefault(id(entry.shard), []).append(entry)
        to_read: list[Entry] = []
        for group in by_shard.values():
            shard = group[0].shard
            if not shard.details_loaded and len(group) * DIRECT_READ_RATIO >= len(shard.entries):
                cached = self._store().load_details(shard)
                shard.details_loaded = True
                for entry in shard.entries.values():
                    found = cached.get(entry.hash)
                    if found is not None and found.stamp == entry.stamp and entry.stamp != NO_STAMP and not _details_current(entry):
                        entry.set_details(found)
            to_read.extend(entry for entry in group if not _details_current(entry))
        if to_read:
            with self.progress("Reading metadata", len(to_read)) as advance, paused_gc():
                for entry in to_read:
                    entry.set_details(read_details(entry.dir, entry.stamp))
                    self._details_changed[id(entry)] = entry
                    advance(1)
        self.save()

    def ensure_sizes(self, entries: Iterable[Entry]) -> None:
        """Compute sizes that are unknown or whose directory changed since they were computed."""
        entries = list(entries)
        racy_after = time.time_ns() - RACY_WINDOW_NS
        stale = []
        for entry in entries:
            stamp = dir_stamp(entry.dir)
            if entry.size_bytes is None or entry.size_stamp in (None, NO_STAMP) or entry.size_stamp != stamp:
                stale.append((entry, stamp))
        if not stale:
            return
        with self.progress("Measuring sizes", len(stale)) as advance:
            for entry, stamp in stale:
                entry.size_bytes = directory_size(entry.dir)
                entry.size_stamp = stamp if stamp is not None and stamp < racy_after else NO_STAMP
                self._mark(entry)
                advance(1)
        self.save()

    # -- writing the index -------------------------------------------------------------------

    def save(self, *, prune: bool = False) -> None:
        """Write what changed to the index; an index that cannot be written is one warning, once.

        The index is only a cache: when the one on disk fails (read-only data
        root, full disk, a file in the way) this catalog carries on with one in
        memory, filled from the artifact directories.
        """
        pending = self._changed or self._details_changed or self._removed or self._shards_changed
        if not (pending or self._manifest_dirty or self._journal_read or prune):
            return
        store = self._store()
        try:
            with store.transaction() as db:
                store.save(db, self._shards_changed.values(), self._changed.values(), self._details_changed.values(), self._removed)
                if self._manifest_dirty and self._manifest_cache is not None:
                    store.save_dirs(db, self._manifest_cache)
                if self._journal_read and self._journal_offsets is not None:
                    store.save_journal_offsets(db, self._journal_offsets)
                    store.set_meta(db, SYNCED_AT, str(time.time_ns()))
                    store.set_meta(db, SEAL, self._seal or "")
                if prune:
                    store.prune_shards(db, set(self._found))
        except sqlite3.Error as error:
            self._index_failed(error)
            self._start_over()
            return
        self._changed.clear()
        self._details_changed.clear()
        self._removed.clear()
        self._shards_changed.clear()
        self._manifest_dirty = self._journal_read = False

    def forget(self, entry: Entry) -> None:
        """Drop an entry whose directory was removed."""
        self._drop(entry.shard.class_dir, entry.hash)
        self.save()

    # -- internals ---------------------------------------------------------------------------

    def _store(self) -> Store:
        """The open index: on disk where possible, else in memory for this catalog."""
        if self._store_cache is not None:
            return self._store_cache
        if self.use_index and self.index_problem is None and self.settings.data_root.is_dir():
            try:
                layout.prepare_root(self.settings.data_root, layout.DATA_ROOT_GITIGNORE)  # ignores .catalog/
                _remove_old_index(self.settings.data_root / INDEX_DIR)
                self._store_cache = open_store(self.index_path)
                return self._store_cache
            except (IndexUnusable, sqlite3.Error, OSError) as error:
                self._index_failed(error)
        self._store_cache = open_store(IN_MEMORY)
        return self._store_cache

    def _index_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            self.index_problem = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
        else:
            self.index_problem = str(error)
        full = (isinstance(error, OSError) and error.errno in DISK_FULL) or "full" in self.index_problem
        fix = (
            "Free some space (`furu gc` lists what can go)." if full
            else "Make the data root writable, or point FURU_CATALOG_PATH at a writable local file."
        )
        if self._store_cache is not None:
            self._store_cache.close()
            self._store_cache = None
        self.warn(
            f"cannot use the catalog index {self.index_path} ({self.index_problem}); listing from the "
            f"artifact directories instead (slower). {fix}"
        )

    def _start_over(self) -> None:
        """After the index on disk failed: forget what came from it and fill the one in memory."""
        self._forget_loaded()
        if self._syncing:
            raise _IndexSwitched
        self.sync()

    def _forget_loaded(self) -> None:
        """Drop every entry, pending write and journal position held from the index (it is being rebuilt)."""
        self._changed.clear()
        self._details_changed.clear()
        self._removed.clear()
        self._shards_changed.clear()
        self._shards.clear()
        self._partial.clear()
        self._manifest_cache = None
        self._manifest_dirty = False
        self._journal_offsets = None
        self._complete = False

    def _tail_journal(self, store: Store) -> set[str] | None:
        """Artifact directories the journal names since the index last read it; None when it cannot vouch."""
        base = journal.journal_dir(self.settings.data_root)
        roots = {journal.DATA: str(self.roots[0][0].absolute()), journal.VERSION_CONTROLLED: str(self.roots[1][0].absolute())}
        if self._journal_offsets is None:
            synced = store.meta(SYNCED_AT)
            self._seal = store.meta(SEAL) or None
            tail = read_tail(base, store.journal_offsets(), int(synced) if synced else None, self._seal, roots)
        else:  # this catalog read it before: it vouches for what came since
            tail = read_tail(base, self._journal_offsets, time.time_ns(), self._seal, roots)
        self._journal_offsets = tail.offsets
        self._journal_read = True
        self.checked_all = tail.doubt
        if tail.doubt is not None:
            # sealed before checking: a write that fails from now on breaks it again
            self._seal = journal.seal(base) if self.settings.data_root.is_dir() else None
        return None if tail.doubt is not None else tail.changed

    def _walk(self, racy_after: int, *, complete: bool) -> Iterator[ClassDir]:
        """Every class directory; a complete walk replaces the manifest, a partial one adds to it.

        A class directory's ``names`` is None when it is unchanged since the
        manifest listed it; the index then knows the names if its shard's
        ``dir_stamp`` (written with the names, so concurrent writers cannot mix
        them up) equals the directory's stamp.
        """
        known = self._manifest()
        walk = TreeWalk(self.roots, known, racy_after)
        yield from walk
        self._manifest_dirty = self._manifest_dirty or walk.listed
        if complete:
            if set(walk.seen) != set(known):
                self._manifest_dirty = True
            self._manifest_cache = walk.seen
        else:
            known.update(walk.seen)

    def _manifest(self) -> dict[str, DirIndex]:
        if self._manifest_cache is None:
            try:
                self._manifest_cache = self._store().load_dirs()
            except sqlite3.Error as error:
                self._index_failed(error)
                self._manifest_cache = {}
        return self._manifest_cache

    def _slot(self, class_dir: str, fqn: str, version_controlled: bool) -> Shard:
        """The shard an entry of ``class_dir`` goes into: the materialized one, else a partial one."""
        shard = self._shards.get(class_dir) or self._partial.get(class_dir)
        if shard is None:
            shard = self._partial[class_dir] = Shard(class_dir, fqn, version_controlled)
            row = self._store().shard_rows().get(class_dir)
            shard.dir_stamp = row.dir_stamp if row is not None else NO_STAMP
            if row is None:
                self._shards_changed[class_dir] = shard
        return shard

    def _class_of(self, class_dir: str) -> tuple[str, bool] | None:
        """``(fqn, version_controlled)`` of a class directory under one of the roots."""
        for root, version_controlled in self.roots:
            root_str = str(root.absolute())
            if class_dir.startswith(root_str + os.sep):
                return ".".join(Path(class_dir[len(root_str) + 1 :]).parts), version_controlled
        return None

    def _put(self, shard: Shard, entry: Entry) -> Entry:
        """Store a freshly read entry, updating the object callers already hold for that artifact."""
        held = shard.entries.get(entry.hash)
        if held is not None:
            held.replace_with(entry)
            entry = held
        else:
            shard.entries[entry.hash] = entry
        self._mark(entry)
        return entry

    def _drop(self, class_dir: str, name: str) -> None:
        for shards in (self._shards, self._partial):
            shard = shards.get(class_dir)
            if shard is not None:
                shard.entries.pop(name, None)
        self._removed.append((class_dir, name))

    def _mark(self, entry: Entry) -> None:
        """Remember that ``entry``'s row must be written."""
        self._changed[id(entry)] = entry

    def _entry_from_query(self, values: Sequence[Any]) -> Entry:
        """The entry of one :data:`_ROW` (the one already held when this catalog has it)."""
        class_dir, fqn, version_controlled = values[0], values[1], bool(values[2])
        shard = self._slot(class_dir, fqn, version_controlled)
        held = shard.entries.get(values[3])
        if held is not None and held.stamp == values[4]:
            return held
        entry = entry_from_row(shard, values[3:19])
        entry.status, entry.problem = values[19], values[20]
        if len(values) > 21 and values[21] is not None and values[21] == entry.stamp and entry.stamp != NO_STAMP:
            entry.details = details_from_row(values[21:30])
        shard.entries[entry.hash] = entry
        return entry

    def _read(self, to_read: list[tuple[Shard, str]], racy_after: int) -> None:
        if not to_read:
            return
        running: list[Entry] = []
        with self.progress("Reading artifact state", len(to_read)) as advance, paused_gc():
            for done, (shard, name) in enumerate(to_read, 1):
                entry = self._put(shard, read_entry(shard, name, racy_after))
                if entry.raw_status == "running":
                    running.append(entry)
                if done % 1000 == 0:
                    advance(1000)
            advance(len(to_read) % 1000)
        self._check_holders(running)

    def _reread(self, artifact_dirs: Sequence[str], racy_after: int) -> None:
        """Re-read the artifacts the journal names (those of classes this sync skipped too)."""
        for artifact_dir in artifact_dirs:
            class_dir, _, name = artifact_dir.rpartition("/")
            found = self._class_of(class_dir)
            if found is None:
                continue
            shard = self._slot(class_dir, *found)
            if os.path.isdir(artifact_dir):
                self._check_holders([self._put(shard, read_entry(shard, name, racy_after))])
            elif name in shard.entries or self._store().shard_rows().get(class_dir) is not None:
                self._drop(class_dir, name)

    def _check_rows(self, *, everything: bool, skip: set[str], racy_after: int) -> None:
        """Check the unsettled rows (every row when the journal cannot vouch) against their directories."""
        if everything:
            query = f"SELECT {_SUMMARY_ROW} FROM {_rows_from(details=False)}"
        else:
            query = f"SELECT {_SUMMARY_ROW} FROM {_rows_from(details=False, index='artifacts_unsettled')} WHERE {UNSETTLED}"
        cursor = self._store().db.execute(query)
        with paused_gc():
            entries = [self._entry_from_query(values) for values in cursor]
        entries = [entry for entry in entries if entry.dir not in skip]
        self._reread_changed(entries, racy_after, drop_gone=True)
        self._check_holders([entry for entry in entries if entry.raw_status == "running"])

    def _reread_changed(self, entries: Sequence[Entry], racy_after: int, *, drop_gone: bool) -> None:
        """Re-read, in place, the entries whose ``.furu/`` changed since they were read.

        ``drop_gone``: an artifact whose directory was removed leaves the index
        (else it is read again, and shows what is left of it).
        """
        changed = [entry for entry in entries if _stamp_of(entry) != entry.stamp or entry.stamp == NO_STAMP]
        if not changed:
            return
        with self.progress("Reading changed artifacts", len(changed)) as advance, paused_gc():
            for entry in changed:
                if drop_gone and not os.path.isdir(entry.dir):
                    self._drop(entry.shard.class_dir, entry.hash)
                else:
                    entry.replace_with(read_entry(entry.shard, entry.hash, racy_after))
                    self._mark(entry)
                advance(1)

    def _check_holders(self, entries: list[Entry], *, index: bool = True) -> None:
        for entry in entries:
            if entry.raw_status != "running":
                continue
            from furu.locking import ArtifactLock  # its lock file model costs a listing with nothing running ~50 ms

            before = (entry.status, entry.problem)
            lock_path = f"{entry.shard.class_dir}/{entry.hash}/{layout.INTERNAL_DIR}/{layout.LOCK_FILE}"
            if not os.path.exists(lock_path):
                entry.status = "crashed"
                entry.problem = "says running, but no process holds its lock: it stopped without recording an outcome"
            else:
                lock = ArtifactLock(
                    Path(entry.dir, layout.INTERNAL_DIR, layout.LOCK_FILE),
                    lease_secs=self.settings.lease_secs,
                    heartbeat_secs=self.settings.effective_heartbeat_secs,
                )
                holder = lock.holder()
                if holder is not None and holder.stale_reason is None:
                    entry.status, entry.problem = "running", None
                else:
                    entry.status = "crashed"
                    entry.problem = (
                        f"says running, but {holder.stale_reason}" if holder is not None
                        else "says running, but no process holds its lock: it stopped without recording an outcome"
                    )
            if index and (entry.status, entry.problem) != before:
                self._mark(entry)


class _IndexSwitched(Exception):
    """Raised inside a sync when the index on disk failed and one in memory took its place."""


def _stamp_of(entry: Entry, _stat: Callable[[str], os.stat_result] = os.stat) -> int | None:
    """The current ctime of the entry's ``.furu/`` (None when it is gone): one stat, the hot loop of a check."""
    try:
        return _stat(f"{entry.shard.class_dir}/{entry.hash}/{layout.INTERNAL_DIR}").st_ctime_ns
    except OSError:
        return None


def _details_current(entry: Entry) -> bool:
    return entry.details is not None and entry.details.stamp == entry.stamp and entry.stamp != NO_STAMP


def _fqn_from_files(path: Path) -> str | None:
    import json

    for name in (layout.STATE_FILE, layout.SUCCESS_FILE, layout.METADATA_FILE):
        try:
            return str(json.loads((path / layout.INTERNAL_DIR / name).read_bytes())["fqn"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def _remove_old_index(index_dir: Path) -> None:
    """Delete the JSON index files of furu before the SQLite index (they would only take space)."""
    for name in ("shards", "details"):
        if (index_dir / name).is_dir():
            shutil.rmtree(index_dir / name, ignore_errors=True)
    (index_dir / "index.json").unlink(missing_ok=True)
