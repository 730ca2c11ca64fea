"""``Catalog``: every artifact under the data roots, listed fast and never stale.

The artifact directories are the truth; the index (:mod:`furu.catalog.store`)
is a cache of them. A refresh costs what changed, not what exists: it walks
the namespace tree (a ``stat`` per class directory, listing only those whose
names changed), tails the change journal (:mod:`furu.journal`) and re-reads
exactly the artifacts it names; everything else comes from the index. When the
journal cannot vouch for the tree (a new index, a file that shrank, a sync
older than the journal keeps) every artifact's ``.furu/`` is checked instead,
and :meth:`Catalog.rescan` re-reads everything. An attempt that says
"running" is checked against its lock holder on every refresh, since a holder
can die without touching the directory.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from furu import journal, layout
from furu.atomic import DISK_FULL
from furu.progress import Progress, no_progress
from furu import settings as settings_module
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
from furu.catalog.store import IndexUnusable, Store, open_store
from furu.catalog.walk import ClassDir, DirIndex, TreeWalk, artifact_names
from furu.locking import ArtifactLock

_log = logging.getLogger("furu.catalog")

RACY_WINDOW_NS = 2_000_000_000
"""Entries changed this recently are re-read next time (timestamps are coarse, NFS clocks skew)."""

DIRECT_READ_RATIO = 20
"""Load a class's details from the index once at least 1/20 of its entries need them; else read metadata.json."""

SYNCED_AT = "synced_at"
"""Index meta key: when (ns) the journal was last read to its end."""


class Catalog:
    """The artifacts of one project (its data root and its version-controlled artifacts root).

    ``Catalog().refresh()`` returns current entries; ``records(entries)`` turns
    them into :class:`ArtifactRecord`; ``ensure_details`` / ``ensure_sizes``
    add what ``metadata.json`` and the directory sizes tell, on demand.
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
        self._shards: dict[str, Shard] = {}
        self._store_cache: Store | None = None
        self._manifest_cache: dict[str, DirIndex] | None = None
        self._changed: dict[int, Entry] = {}
        self._details_changed: dict[int, Entry] = {}
        self._removed: list[tuple[str, str]] = []
        self._shards_changed: set[str] = set()
        self._journal_offsets: dict[str, int] | None = None
        self._journal_read = False
        self._complete = False
        self.total = 0
        """Artifacts under the roots at the last refresh (also those of classes it skipped)."""
        self._manifest_dirty = False
        self.warn = warn or _log.warning
        """Called once (at most) with a one-line warning when the index cannot be written."""
        self.index_problem: str | None = None
        """Why the index could not be written (then it is no longer tried: listing works without it)."""
        self.checked_all: str | None = None
        """Why the last refresh checked every artifact's ``.furu/`` (None: the journal vouched for them)."""

    # -- listing ---------------------------------------------------------------------

    def refresh(self, classes: Callable[[str], bool] | None = None) -> list[Entry]:
        """Bring the entries up to date with the directories and return them.

        ``classes`` limits the work to class names (fqns) it accepts. Entries
        the journal names, and those that may be in flux (running, absent,
        recently changed), are checked against their directory; when the
        journal cannot vouch for the tree, all of them are.
        """
        racy_after = time.time_ns() - RACY_WINDOW_NS
        journaled = self._tail_journal()
        validate = journaled is None
        found: dict[str, Shard] = {}
        to_read: list[tuple[Shard, str]] = []
        self.total = 0
        for found_dir in self._walk(racy_after, complete=classes is None):
            if classes is not None and not classes(found_dir.fqn):
                self.total += found_dir.count
                continue
            shard = self._shard(found_dir.path, found_dir.fqn, found_dir.version_controlled)
            names, stamp = found_dir.names, found_dir.stamp
            if names is None and (not shard.listed or shard.dir_stamp != stamp or stamp == NO_STAMP):
                names = artifact_names(found_dir.path)
            if names is not None:
                to_read.extend((shard, name) for name in self._sync_names(shard, names))
                if shard.dir_stamp != stamp:
                    shard.dir_stamp = stamp
                    self._shards_changed.add(shard.class_dir)
            found[found_dir.path] = shard
        self._read(to_read, racy_after)
        fresh_dirs = {f"{shard.class_dir}/{name}" for shard, name in to_read}
        journal_read = self._apply_journal((journaled or set()) - fresh_dirs, found, racy_after)
        self.total += sum(len(shard.entries) for shard in found.values())
        if classes is None:
            for gone in set(self._shards) - set(found):
                del self._shards[gone]
        entries = [entry for shard in found.values() for entry in shard.entries.values()]
        fresh = {id(shard.entries[name]) for shard, name in to_read} | {id(entry) for entry in journal_read}
        self.validate([e for e in entries if id(e) not in fresh and (validate or _unsettled(e))])
        self._check_holders([shard.entries[name] for shard, name in to_read])
        self.save(prune=classes is None and self._manifest_dirty)
        self._complete = self._complete or classes is None
        return entries

    def validate(self, entries: Iterable[Entry]) -> None:
        """Re-read the entries whose ``.furu/`` changed since they were read (in place)."""
        entries = list(entries)
        racy_after = time.time_ns() - RACY_WINDOW_NS
        changed = [entry for entry in entries if _stamp_of(entry) != entry.stamp or entry.stamp == NO_STAMP]
        if changed:
            with self.progress("Reading changed artifacts", len(changed)) as advance, paused_gc():
                for entry in changed:
                    entry.replace_with(read_entry(entry.shard, entry.hash, racy_after))
                    self._mark(entry)
                    advance(1)
        self._check_holders(entries)

    def rescan(self) -> list[Entry]:
        """Re-read every artifact directory from scratch and rebuild the index from what it finds.

        The reconciliation for anything the journal did not see: artifacts
        copied in by hand or written by other tools, files edited in place.
        """
        self._shards.clear()
        self._manifest_cache = {}
        self._manifest_dirty = True
        self._complete = False
        store = self._store()
        if store is not None:
            try:
                store.forget_everything()
            except sqlite3.Error as error:
                self._index_failed(error)
        self._journal_offsets = None
        self._journal_read = False
        return self.refresh()

    def entries(self) -> list[Entry]:
        """Entries as of the last full refresh (refreshing first when there was none)."""
        if not self._complete:
            return self.refresh()
        return [entry for shard in self._shards.values() for entry in shard.entries.values()]

    def records(self, entries: Iterable[Entry], *, details: bool = True, sizes: bool = False) -> list[ArtifactRecord]:
        """Public records of ``entries`` (tags and name always; details and sizes on request)."""
        entries = list(entries)
        self.ensure_marks(entries)
        if details:
            self.ensure_details(entries)
        if sizes:
            self.ensure_sizes(entries)
        return [entry.record() for entry in entries]

    def entry_at(self, artifact_dir: str | Path) -> Entry | None:
        """The entry of one artifact directory, read fresh (None when it is not one)."""
        path = Path(artifact_dir).absolute()
        name = path.name
        if not is_artifact_name(name):
            return None
        class_dir = str(path.parent)
        for root, version_controlled in self.roots:
            root_str = str(root.absolute())
            if class_dir.startswith(root_str + os.sep):
                fqn = ".".join(Path(class_dir[len(root_str) + 1 :]).parts)
                shard = self._shard(class_dir, fqn, version_controlled)
                break
        else:
            fqn = _fqn_from_files(path) or path.parent.name
            shard = self._shard(class_dir, fqn, False)
        if not path.is_dir():
            return None
        entry = read_entry(shard, name, time.time_ns() - RACY_WINDOW_NS)
        shard.entries[name] = entry
        self._mark(entry)
        self._check_holders([entry])
        return entry

    def find_prefix(self, prefix: str) -> list[Entry]:
        """Entries whose hash starts with ``prefix``, read fresh; found by directory names alone."""
        return [entry for path in self.dirs_with_prefix(prefix) if (entry := self.entry_at(path)) is not None]

    def dirs_with_prefix(self, prefix: str) -> list[str]:
        """Artifact directories whose name starts with ``prefix`` (nothing is read but names)."""
        found: list[str] = []
        for found_dir in self._walk(time.time_ns() - RACY_WINDOW_NS, complete=False):
            names = found_dir.names
            if names is None:
                shard = self._shard(found_dir.path, found_dir.fqn, found_dir.version_controlled)
                fresh = shard.listed and shard.dir_stamp == found_dir.stamp and found_dir.stamp != NO_STAMP
                names = list(shard.entries) if fresh else artifact_names(found_dir.path)
            found.extend(f"{found_dir.path}/{name}" for name in names if name.startswith(prefix))
        return found

    # -- details and sizes -------------------------------------------------------------

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
        that beats loading the class's whole details file from the index.
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
            store = self._store() if not shard.details_loaded else None
            if store is not None and len(group) * DIRECT_READ_RATIO >= len(shard.entries):
                cached = store.load_details(shard)
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

    # -- the index ---------------------------------------------------------------------

    def save(self, *, prune: bool = False) -> None:
        """Write what changed to the index; a data root that cannot be written just goes without.

        The index is only a cache, so failing to write it (read-only data root,
        full disk, a file in the way) is one warning, once, and the listing
        carries on from the artifact directories.
        """
        pending = self._changed or self._details_changed or self._removed or self._shards_changed
        if not (pending or self._manifest_dirty or self._journal_read or prune):
            return
        store = self._store(create=True)
        if store is None:
            return
        try:
            with store.transaction() as db:
                store.save(
                    db,
                    [self._shards[path] for path in self._shards_changed if path in self._shards],
                    self._changed.values(),
                    self._details_changed.values(),
                    self._removed,
                )
                if self._manifest_dirty and self._manifest_cache is not None:
                    store.save_dirs(db, self._manifest_cache)
                if self._journal_read and self._journal_offsets is not None:
                    store.save_journal_offsets(db, self._journal_offsets)
                    store.set_meta(db, SYNCED_AT, str(time.time_ns()))
                if prune:
                    store.prune_shards(db, set(self._shards))
        except sqlite3.Error as error:
            self._index_failed(error)
            return
        self._changed.clear()
        self._details_changed.clear()
        self._removed.clear()
        self._shards_changed.clear()
        self._manifest_dirty = self._journal_read = False

    def forget(self, entry: Entry) -> None:
        """Drop an entry whose directory was removed."""
        entry.shard.entries.pop(entry.hash, None)
        self._removed.append((entry.shard.class_dir, entry.hash))

    # -- internals ---------------------------------------------------------------------

    def _shard(self, class_dir: str, fqn: str, version_controlled: bool) -> Shard:
        shard = self._shards.get(class_dir)
        if shard is None:
            shard = Shard(class_dir, fqn, version_controlled)
            store = self._store()
            if store is None or not self._load_shard(store, shard):
                self._shards_changed.add(class_dir)
            self._shards[class_dir] = shard
        return shard

    def _load_shard(self, store: Store, shard: Shard) -> bool:
        try:
            with paused_gc():
                return store.load_shard(shard)
        except sqlite3.Error as error:
            self._index_failed(error)
            return False

    def _mark(self, entry: Entry) -> None:
        """Remember that ``entry``'s row must be written."""
        self._changed[id(entry)] = entry

    def _sync_names(self, shard: Shard, names: list[str]) -> list[str]:
        """Drop entries whose directory is gone; return the names that have no entry yet."""
        entries = shard.entries
        new = [name for name in names if name not in entries]
        if len(entries) + len(new) != len(names):
            current = set(names)
            for name in [name for name in entries if name not in current]:
                del entries[name]
                self._removed.append((shard.class_dir, name))
        shard.listed = True
        return new

    # -- the index and the journal --------------------------------------------------------

    def _store(self, *, create: bool = False) -> Store | None:
        """The open index; None without one (not wanted, unusable, or not created yet and not asked to)."""
        if self._store_cache is not None:
            return self._store_cache
        if not self.use_index or self.index_problem is not None:
            return None
        if not create and not self.index_path.exists():
            return None
        if create:
            if not self.settings.data_root.is_dir():
                return None  # nothing created yet: no cache either (and no furu-data/ to appear in git status)
            try:
                layout.prepare_root(self.settings.data_root, layout.DATA_ROOT_GITIGNORE)  # ignores .catalog/
                _remove_old_index(self.settings.data_root / INDEX_DIR)
            except OSError as error:
                self._index_failed(error)
                return None
        try:
            self._store_cache = open_store(self.index_path)
        except (IndexUnusable, sqlite3.Error) as error:
            self._index_failed(error)
            return None
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

    def _tail_journal(self) -> set[str] | None:
        """Artifact directories the journal names since the index last read it; None when it cannot vouch.

        A journal file that shrank, a last sync older than the journal keeps,
        or no sync at all (a new index) mean changes may have been missed:
        then every artifact is checked (and the journal read to its end).
        """
        store = self._store()
        offsets = self._journal_offsets
        if offsets is None:
            offsets = store.journal_offsets() if store is not None else {}
        synced = store.meta(SYNCED_AT) if store is not None and self._journal_offsets is None else None
        now = time.time_ns()
        vouched = self._journal_offsets is not None or synced is not None
        if synced is not None and now - int(synced) > (journal.RETENTION_DAYS - 1) * 86_400 * 10**9:
            vouched = False
            self.checked_all = "the index was last brought up to date longer ago than the change journal keeps"
        elif not vouched:
            self.checked_all = "a new index: every artifact is read"
        base = journal.journal_dir(self.settings.data_root)
        if vouched and self._journal_offsets is None and not journal.is_intact(base):
            vouched = False
            self.checked_all = "a change could not be written to the change journal (or it was never sealed)"
        first_day = journal.day_of(int(synced) - 86_400 * 10**9) if synced is not None else ""
        changed: set[str] = set()
        roots = {journal.DATA: str(self.roots[0][0].absolute()), journal.VERSION_CONTROLLED: str(self.roots[1][0].absolute())}
        kept: dict[str, int] = {}
        for day in _listdir(base):
            if day < first_day or not day.isdigit():
                continue
            for name in _listdir(base / day):
                key = f"{day}/{name}"
                offset = offsets.get(key, 0)
                try:
                    size = os.stat(base / day / name).st_size
                except OSError:
                    continue
                if size < offset:
                    vouched = False
                    self.checked_all = f"the change journal file {base / key} shrank"
                    offset = 0
                if size > offset:
                    offset += _read_changes(base / day / name, offset, size, roots, changed)
                kept[key] = offset
        self._journal_offsets = kept
        self._journal_read = True
        self._prune_journal(base, now)
        if not vouched and self.settings.data_root.is_dir():
            journal.seal(base)  # sealed before checking: a write that fails from now on breaks it again
        if vouched:
            self.checked_all = None
        return changed if vouched else None

    def _prune_journal(self, base: Path, now: int) -> None:
        """Delete journal days older than :data:`journal.RETENTION_DAYS` (any process may; all agree on it)."""
        oldest = journal.day_of(now - journal.RETENTION_DAYS * 86_400 * 10**9)
        for day in _listdir(base):
            if day.isdigit() and day < oldest:
                shutil.rmtree(base / day, ignore_errors=True)  # another process may be pruning it too

    def _apply_journal(self, changed: set[str], found: dict[str, Shard], racy_after: int) -> list[Entry]:
        """Re-read the artifacts the journal names (those of classes this refresh skipped too)."""
        read: list[Entry] = []
        for artifact_dir in changed:
            class_dir, _, name = artifact_dir.rpartition("/")
            shard = found.get(class_dir) or self._shards.get(class_dir)
            if shard is None:
                shard = self._loose_shard(class_dir)
                if shard is None:
                    continue
            if name in shard.entries:
                entry = shard.entries[name]
                entry.replace_with(read_entry(shard, name, racy_after))
            elif os.path.isdir(artifact_dir):
                entry = shard.entries[name] = read_entry(shard, name, racy_after)
            else:
                continue
            self._mark(entry)
            read.append(entry)
        return read

    def _loose_shard(self, class_dir: str) -> Shard | None:
        """A stand-in shard for an artifact of a class directory this refresh does not load."""
        for root, version_controlled in self.roots:
            root_str = str(root.absolute())
            if class_dir.startswith(root_str + os.sep):
                fqn = ".".join(Path(class_dir[len(root_str) + 1 :]).parts)
                return Shard(class_dir, fqn, version_controlled)
        return None

    def _walk(self, racy_after: int, *, complete: bool) -> Iterator[ClassDir]:
        """Every class directory; a complete walk replaces the manifest, a partial one adds to it.

        A class directory's ``names`` is None when it is unchanged since the
        manifest listed it; its shard then knows the names if its own
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
            store = self._store()
            try:
                self._manifest_cache = store.load_dirs() if store is not None else {}
            except sqlite3.Error as error:
                self._index_failed(error)
                self._manifest_cache = {}
        return self._manifest_cache

    def _read(self, to_read: list[tuple[Shard, str]], racy_after: int) -> None:
        if not to_read:
            return
        with self.progress("Reading artifact state", len(to_read)) as advance, paused_gc():
            for done, (shard, name) in enumerate(to_read, 1):
                shard.entries[name] = entry = read_entry(shard, name, racy_after)
                self._mark(entry)
                if done % 1000 == 0:
                    advance(1000)
            advance(len(to_read) % 1000)

    def _check_holders(self, entries: list[Entry]) -> None:
        for entry in entries:
            if entry.raw_status != "running":
                continue
            lock_path = f"{entry.shard.class_dir}/{entry.hash}/{layout.INTERNAL_DIR}/{layout.LOCK_FILE}"
            if not os.path.exists(lock_path):
                entry.status = "crashed"
                entry.problem = "says running, but no process holds its lock: it stopped without recording an outcome"
                self._mark(entry)
                continue
            lock = ArtifactLock(
                Path(entry.dir, layout.INTERNAL_DIR, layout.LOCK_FILE),
                lease_secs=self.settings.lease_secs,
                heartbeat_secs=self.settings.effective_heartbeat_secs,
            )
            holder = lock.holder()
            self._mark(entry)
            if holder is not None and holder.stale_reason is None:
                entry.status = "running"
            else:
                entry.status = "crashed"
                entry.problem = (
                    f"says running, but {holder.stale_reason}" if holder is not None
                    else "says running, but no process holds its lock: it stopped without recording an outcome"
                )


def _stamp_of(entry: Entry, _stat: Callable[[str], os.stat_result] = os.stat) -> int | None:
    """The current ctime of the entry's ``.furu/`` (None when it is gone): one stat, the hot loop of a listing."""
    try:
        return _stat(f"{entry.shard.class_dir}/{entry.hash}/{layout.INTERNAL_DIR}").st_ctime_ns
    except OSError:
        return None


def _details_current(entry: Entry) -> bool:
    return entry.details is not None and entry.details.stamp == entry.stamp and entry.stamp != NO_STAMP


_UNSETTLED_STATUSES = frozenset({"running", "queued", "absent"})


def _unsettled(entry: Entry) -> bool:
    """Entries whose summary may change without much happening: always checked."""
    return entry.stamp == NO_STAMP or entry.created_ts is None or entry.raw_status in _UNSETTLED_STATUSES


def _fqn_from_files(path: Path) -> str | None:
    import json

    for name in (layout.STATE_FILE, layout.SUCCESS_FILE, layout.METADATA_FILE):
        try:
            return str(json.loads((path / layout.INTERNAL_DIR / name).read_bytes())["fqn"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _read_changes(path: Path, offset: int, size: int, roots: dict[str, str], changed: set[str]) -> int:
    """Add the artifact directories of the complete lines in ``path[offset:size]``; return the bytes used."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read(size - offset)
    except OSError:
        return 0
    end = data.rfind(b"\n") + 1  # a line still being written is read next time
    for line in data[:end].splitlines():
        change = journal.parse_line(line, roots)
        if change is not None:
            changed.add(change.artifact_dir)
    return end


def _remove_old_index(index_dir: Path) -> None:
    """Delete the JSON index files of furu before the SQLite index (they would only take space)."""
    for name in ("shards", "details"):
        if (index_dir / name).is_dir():
            shutil.rmtree(index_dir / name, ignore_errors=True)
    (index_dir / "index.json").unlink(missing_ok=True)
