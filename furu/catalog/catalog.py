"""``Catalog``: every artifact under the data roots, listed fast and never stale.

The artifact directories are the truth. The catalog walks the roots (names
only), stats each artifact's ``.furu/`` and re-reads exactly the artifacts
whose stamp changed since the index last saw them; everything else comes from
the index. An attempt that says "running" is checked against its lock holder
on every refresh, since a holder can die without touching the directory.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from furu import layout
from furu.atomic import DISK_FULL
from furu.progress import Progress, no_progress
from furu import settings as settings_module
from furu.catalog import index
from furu.catalog.entry import NO_STAMP, Entry, Shard
from furu.catalog.reading import (
    dir_stamp,
    directory_size,
    is_artifact_name,
    read_details,
    read_entry,
    read_marks,
)
from furu.catalog.record import ArtifactRecord
from furu.catalog.walk import ClassDir, TreeWalk, artifact_names
from furu.locking import ArtifactLock

_log = logging.getLogger("furu.catalog")

RACY_WINDOW_NS = 2_000_000_000
"""Entries changed this recently are re-read next time (timestamps are coarse, NFS clocks skew)."""

DIRECT_READ_RATIO = 20
"""Load a class's details file once at least 1/20 of its entries need details; else read metadata.json."""


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
        self.index_dir = self.settings.data_root / index.INDEX_DIR
        self.use_index = use_index
        self.progress = progress
        self._shards: dict[str, Shard] = {}
        self._manifest_cache: index.CatalogIndex | None = None
        self._complete = False
        self.total = 0
        """Artifacts under the roots at the last refresh (also those of classes it skipped)."""
        self._manifest_dirty = False
        self.warn = warn or _log.warning
        """Called once (at most) with a one-line warning when the index cannot be written."""
        self.index_problem: str | None = None
        """Why the index could not be written (then it is no longer tried: listing works without it)."""

    # -- listing ---------------------------------------------------------------------

    def refresh(self, classes: Callable[[str], bool] | None = None, *, validate: bool = True) -> list[Entry]:
        """Bring the entries up to date with the directories and return them.

        ``classes`` limits the work to class names (fqns) it accepts. With
        ``validate=False`` the set of artifacts is exact but only entries that
        may be in flux (running, absent, recently changed) are checked against
        their directory; call :meth:`validate` on the entries you then use.
        """
        racy_after = time.time_ns() - RACY_WINDOW_NS
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
                to_read.extend((shard, name) for name in _sync_names(shard, names))
                shard.dir_stamp = stamp
            found[found_dir.path] = shard
        self._read(to_read, racy_after)
        self.total += sum(len(shard.entries) for shard in found.values())
        if classes is None:
            for gone in set(self._shards) - set(found):
                del self._shards[gone]
        entries = [entry for shard in found.values() for entry in shard.entries.values()]
        fresh = {id(shard.entries[name]) for shard, name in to_read}
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
            with self.progress("Reading changed artifacts", len(changed)) as advance, index.paused_gc():
                for entry in changed:
                    entry.replace_with(read_entry(entry.shard, entry.hash, racy_after))
                    entry.shard.dirty = True
                    advance(1)
        self._check_holders(entries)

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
                entry.shard.dirty = True
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
            if self.use_index and not shard.details_loaded and len(group) * DIRECT_READ_RATIO >= len(shard.entries):
                cached = index.load_details(self.index_dir, shard)
                shard.details_loaded = True
                for entry in shard.entries.values():
                    found = cached.get(entry.hash)
                    if found is not None and found.stamp == entry.stamp and entry.stamp != NO_STAMP and not _details_current(entry):
                        entry.set_details(found)
            to_read.extend(entry for entry in group if not _details_current(entry))
        if to_read:
            with self.progress("Reading metadata", len(to_read)) as advance, index.paused_gc():
                for entry in to_read:
                    entry.set_details(read_details(entry.dir, entry.stamp))
                    if entry.shard.details_loaded:
                        entry.shard.details_dirty = True  # else saving would drop the rows not loaded
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
                entry.shard.dirty = True
                advance(1)
        self.save()

    # -- the index ---------------------------------------------------------------------

    def save(self, *, prune: bool = False) -> None:
        """Write the index files that changed; a data root that cannot be written just goes without.

        The index is only a cache, so failing to write it (read-only data root,
        full disk, a file in the way) is one warning, once, and the listing
        carries on from the artifact directories.
        """
        if not self.use_index or self.index_problem is not None or not self.settings.data_root.is_dir():
            return  # nothing created yet: no cache either (and no furu-data/ to appear in git status)
        try:
            layout.prepare_root(self.settings.data_root, layout.DATA_ROOT_GITIGNORE)  # ignores .catalog/
            for shard in self._shards.values():
                if shard.dirty:
                    index.save_shard(self.index_dir, shard)
                if shard.details_dirty:
                    index.save_details(self.index_dir, shard)
            if self._manifest_dirty and self._manifest_cache is not None:
                index.save_manifest(self.index_dir, self._manifest_cache)
                self._manifest_dirty = False
            if prune:
                index.prune(self.index_dir, set(self._shards))
        except OSError as error:
            self.index_problem = f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
            fix = (
                "Free some space (`furu gc` lists what can go)." if error.errno in DISK_FULL
                else "Make the data root writable, or point FURU_PATH at one."
            )
            self.warn(
                f"cannot write the catalog index in {self.index_dir} ({self.index_problem}); listing from the "
                f"artifact directories instead (slower). {fix}"
            )

    def forget(self, entry: Entry) -> None:
        """Drop an entry whose directory was removed."""
        entry.shard.entries.pop(entry.hash, None)
        entry.shard.dirty = True
        entry.shard.details_dirty = entry.shard.details_loaded

    # -- internals ---------------------------------------------------------------------

    def _shard(self, class_dir: str, fqn: str, version_controlled: bool) -> Shard:
        shard = self._shards.get(class_dir)
        if shard is None:
            shard = Shard(class_dir, fqn, version_controlled)
            if self.use_index:
                index.load_shard(self.index_dir, shard)
            self._shards[class_dir] = shard
        return shard

    def _walk(self, racy_after: int, *, complete: bool) -> Iterator[ClassDir]:
        """Every class directory; a complete walk replaces the manifest, a partial one adds to it.

        A class directory's ``names`` is None when it is unchanged since the
        manifest listed it; its shard then knows the names if its own
        ``dir_stamp`` (written with the names, so concurrent writers cannot mix
        them up) equals the directory's stamp.
        """
        known = self._manifest().dirs
        walk = TreeWalk(self.roots, known, racy_after)
        yield from walk
        self._manifest_dirty = self._manifest_dirty or walk.listed
        if complete:
            if set(walk.seen) != set(known):
                self._manifest_dirty = True
            self._manifest().dirs = walk.seen
        else:
            known.update(walk.seen)

    def _manifest(self) -> index.CatalogIndex:
        if self._manifest_cache is None:
            self._manifest_cache = index.load_manifest(self.index_dir) if self.use_index else index.CatalogIndex()
        return self._manifest_cache

    def _read(self, to_read: list[tuple[Shard, str]], racy_after: int) -> None:
        if not to_read:
            return
        with self.progress("Reading artifact state", len(to_read)) as advance, index.paused_gc():
            for done, (shard, name) in enumerate(to_read, 1):
                shard.entries[name] = read_entry(shard, name, racy_after)
                shard.dirty = True
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
                continue
            lock = ArtifactLock(
                Path(entry.dir, layout.INTERNAL_DIR, layout.LOCK_FILE),
                lease_secs=self.settings.lease_secs,
                heartbeat_secs=self.settings.effective_heartbeat_secs,
            )
            holder = lock.holder()
            if holder is not None and holder.stale_reason is None:
                entry.status = "running"
            else:
                entry.status = "crashed"
                entry.problem = (
                    f"says running, but {holder.stale_reason}" if holder is not None
                    else "says running, but no process holds its lock: it stopped without recording an outcome"
                )


def _sync_names(shard: Shard, names: list[str]) -> list[str]:
    """Drop entries whose directory is gone; return the names that have no entry yet."""
    entries = shard.entries
    new = [name for name in names if name not in entries]
    if len(entries) + len(new) != len(names):
        current = set(names)
        for name in [name for name in entries if name not in current]:
            del entries[name]
        shard.dirty = True
        shard.details_dirty = shard.details_loaded
    shard.listed = True
    return new


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
