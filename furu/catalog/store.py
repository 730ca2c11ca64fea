"""The catalog's index: a SQLite database on local disk, a cache of the artifact directories.

One row per artifact in ``artifacts`` holds what every view filters and sorts
on; ``fields`` holds each stored config flattened to dotted paths and
``deps`` the dependency edges, so filters, sorts, pages, counts, distinct
values, ``rdeps`` and ``du`` are SQL queries. ``dirs`` remembers the
namespace tree (each directory's ctime) and ``journal`` how far each change
journal file has been read (see :mod:`furu.journal`).

It is never the truth: every row carries the stamp (ctime of ``.furu/``) it
was read at, a database that is missing, of another schema version or
unreadable is rebuilt from the directories, and deleting it costs one scan.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from furu.catalog.entry import NO_STAMP, Details, Entry, Shard
from furu.catalog.walk import DirIndex
from furu import query

SCHEMA_VERSION = 3
"""``PRAGMA user_version`` of the layout below; any other version is dropped and rebuilt."""

_log = logging.getLogger("furu.catalog")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE dirs (path TEXT PRIMARY KEY, stamp INTEGER NOT NULL, subdirs TEXT NOT NULL,
  has_artifacts INTEGER NOT NULL, artifacts INTEGER NOT NULL);
CREATE TABLE shards (class_dir TEXT PRIMARY KEY, fqn TEXT NOT NULL, version_controlled INTEGER NOT NULL,
  dir_stamp INTEGER NOT NULL);
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY, class_dir TEXT NOT NULL, hash TEXT NOT NULL, fqn TEXT NOT NULL,
  namespace TEXT NOT NULL, version_controlled INTEGER NOT NULL,
  stamp INTEGER NOT NULL, raw_status TEXT NOT NULL, status TEXT NOT NULL, problem TEXT, raw_problem TEXT,
  created REAL, updated REAL, started REAL, ended REAL, attempts INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]', name TEXT, size_bytes INTEGER, size_stamp INTEGER, marks_stamp INTEGER,
  details_stamp INTEGER, version TEXT, config TEXT, declared TEXT, loaded TEXT, details_problem TEXT,
  UNIQUE (class_dir, hash));
CREATE INDEX artifacts_hash ON artifacts (hash);
CREATE INDEX artifacts_created ON artifacts (created);
CREATE INDEX artifacts_status ON artifacts (status);
CREATE INDEX artifacts_fqn ON artifacts (fqn);
CREATE TABLE fields (artifact INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL, num REAL, text TEXT);
CREATE INDEX fields_path_num ON fields (path, num);
CREATE INDEX fields_path_text ON fields (path, text);
CREATE INDEX fields_artifact ON fields (artifact);
CREATE TABLE deps (artifact INTEGER NOT NULL, loaded INTEGER NOT NULL, fqn TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX deps_hash ON deps (hash);
CREATE INDEX deps_artifact ON deps (artifact);
CREATE TABLE journal (file TEXT PRIMARY KEY, offset INTEGER NOT NULL);
"""

_SUMMARY = (
    "hash, stamp, raw_status, status, raw_problem, created, updated, started, ended, attempts, tags, name, "
    "size_bytes, size_stamp, marks_stamp"
)
_DETAILS = "hash, details_stamp, version, config, declared, loaded, details_problem"


class IndexUnusable(Exception):
    """The database cannot be opened or written (a cache: the catalog goes on without it)."""


class Store:
    """An open index database. Writes happen in :meth:`transaction`; reads are plain queries."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = _connect(path)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: writers queue instead of failing mid-way)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta --------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- namespace tree and shards --------------------------------------------------------

    def load_dirs(self) -> dict[str, DirIndex]:
        return {
            path: DirIndex(stamp=stamp, subdirs=json.loads(subdirs), has_artifacts=bool(has), artifacts=count)
            for path, stamp, subdirs, has, count in self.db.execute("SELECT * FROM dirs")
        }

    def save_dirs(self, db: sqlite3.Connection, dirs: dict[str, DirIndex]) -> None:
        db.execute("DELETE FROM dirs")
        db.executemany(
            "INSERT INTO dirs VALUES (?, ?, ?, ?, ?)",
            [(p, d.stamp, json.dumps(d.subdirs), int(d.has_artifacts), d.artifacts) for p, d in dirs.items()],
        )

    def load_shard(self, shard: Shard) -> bool:
        """Fill ``shard.entries`` from the index; False when the index does not know the class directory."""
        row = self.db.execute(
            "SELECT fqn, version_controlled, dir_stamp FROM shards WHERE class_dir = ?", (shard.class_dir,)
        ).fetchone()
        if row is None or row[0] != shard.fqn:
            return False
        rows = self.db.execute(f"SELECT {_SUMMARY} FROM artifacts WHERE class_dir = ?", (shard.class_dir,))
        shard.entries = {hash_: _entry(shard, hash_, *rest) for hash_, *rest in rows}
        shard.listed, shard.dir_stamp = True, row[2]
        return True

    def load_details(self, shard: Shard) -> dict[str, Details]:
        rows = self.db.execute(
            f"SELECT {_DETAILS} FROM artifacts WHERE class_dir = ? AND details_stamp IS NOT NULL", (shard.class_dir,)
        )
        return {hash_: _details(*rest) for hash_, *rest in rows}

    def save(
        self,
        db: sqlite3.Connection,
        shards: Iterable[Shard],
        changed: Iterable[Entry],
        details: Iterable[Entry],
        removed: Iterable[tuple[str, str]],
    ) -> None:
        """Write what changed: shard stamps, entries, details (with fields and edges), removals."""
        db.executemany(
            "INSERT OR REPLACE INTO shards VALUES (?, ?, ?, ?)",
            [(s.class_dir, s.fqn, int(s.version_controlled), s.dir_stamp) for s in shards],
        )
        gone = [(class_dir, hash_) for class_dir, hash_ in removed]
        if gone:
            db.executemany(
                "DELETE FROM fields WHERE artifact = (SELECT id FROM artifacts WHERE class_dir = ? AND hash = ?)", gone
            )
            db.executemany(
                "DELETE FROM deps WHERE artifact = (SELECT id FROM artifacts WHERE class_dir = ? AND hash = ?)", gone
            )
            db.executemany("DELETE FROM artifacts WHERE class_dir = ? AND hash = ?", gone)
        db.executemany(
            "INSERT INTO artifacts (class_dir, hash, fqn, namespace, version_controlled, stamp, raw_status, status, "
            "problem, raw_problem, created, updated, started, ended, attempts, tags, name, size_bytes, size_stamp, "
            "marks_stamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (class_dir, hash) DO UPDATE SET stamp = excluded.stamp, raw_status = excluded.raw_status, "
            "status = excluded.status, problem = excluded.problem, raw_problem = excluded.raw_problem, "
            "created = excluded.created, updated = excluded.updated, started = excluded.started, "
            "ended = excluded.ended, attempts = excluded.attempts, tags = excluded.tags, name = excluded.name, "
            "size_bytes = excluded.size_bytes, size_stamp = excluded.size_stamp, marks_stamp = excluded.marks_stamp",
            [_summary_row(entry) for entry in changed],
        )
        with_details = [entry for entry in details if entry.details is not None]
        if not with_details:
            return
        keys = [(entry.shard.class_dir, entry.hash) for entry in with_details]
        db.executemany(
            "DELETE FROM fields WHERE artifact = (SELECT id FROM artifacts WHERE class_dir = ? AND hash = ?)", keys
        )
        db.executemany(
            "DELETE FROM deps WHERE artifact = (SELECT id FROM artifacts WHERE class_dir = ? AND hash = ?)", keys
        )
        db.executemany(
            "UPDATE artifacts SET details_stamp = ?, version = ?, config = ?, declared = ?, loaded = ?, "
            "details_problem = ?, status = ?, problem = ? WHERE class_dir = ? AND hash = ?",
            [_details_row(entry) for entry in with_details],
        )
        ids = dict(
            db.execute(
                "SELECT class_dir || '/' || hash, id FROM artifacts WHERE hash IN (SELECT value FROM json_each(?))",
                (json.dumps([entry.hash for entry in with_details]),),
            ).fetchall()
        )
        field_rows: list[tuple[Any, ...]] = []
        dep_rows: list[tuple[Any, ...]] = []
        for entry in with_details:
            artifact = ids.get(entry.dir)
            assert entry.details is not None
            if artifact is None:
                continue
            field_rows.extend((artifact, *row) for row in getattr(query, "flatten_config", lambda c: [])(entry.details.config))  # TEMP until query lands
            dep_rows.extend((artifact, 0, fqn, hash_) for fqn, hash_ in entry.details.declared)
            dep_rows.extend((artifact, 1, fqn, hash_) for fqn, hash_ in entry.details.loaded)
        db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?)", field_rows)
        db.executemany("INSERT INTO deps VALUES (?, ?, ?, ?)", dep_rows)

    def prune_shards(self, db: sqlite3.Connection, keep: set[str]) -> None:
        """Forget class directories that no longer exist (and everything in them)."""
        known = {row[0] for row in db.execute("SELECT class_dir FROM shards")}
        gone = [(path,) for path in known - keep]
        if not gone:
            return
        for table in ("fields", "deps"):
            db.executemany(
                f"DELETE FROM {table} WHERE artifact IN (SELECT id FROM artifacts WHERE class_dir = ?)", gone
            )
        db.executemany("DELETE FROM artifacts WHERE class_dir = ?", gone)
        db.executemany("DELETE FROM shards WHERE class_dir = ?", gone)

    # -- journal offsets ------------------------------------------------------------------

    def journal_offsets(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT file, offset FROM journal").fetchall())

    def save_journal_offsets(self, db: sqlite3.Connection, offsets: dict[str, int]) -> None:
        db.execute("DELETE FROM journal")
        db.executemany("INSERT INTO journal VALUES (?, ?)", list(offsets.items()))

    def forget_everything(self) -> None:
        """Empty every table (a rescan that cannot trust any row rebuilds them)."""
        with self.transaction() as db:
            for table in ("meta", "dirs", "shards", "artifacts", "fields", "deps", "journal"):
                db.execute(f"DELETE FROM {table}")


def open_store(path: Path) -> Store:
    """Open (creating or rebuilding) the index at ``path``; raises :class:`IndexUnusable`.

    A file that is not a database, or a database of another schema, is a
    cache gone bad: it is deleted and created again.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise IndexUnusable(_why(error, path)) from error
    for _attempt in range(2):
        try:
            return Store(path)
        except sqlite3.OperationalError as error:  # locked, read-only, disk full: not the file's fault
            raise IndexUnusable(f"{error}: {path}") from error
        except sqlite3.DatabaseError as error:  # not a database, or a damaged one: a cache gone bad
            _log.info("rebuilding the catalog index %s (%s)", path, error)
            _delete(path)
        except OSError as error:
            raise IndexUnusable(_why(error, path)) from error
    raise IndexUnusable(f"{path} cannot be opened as a SQLite database even after deleting it")


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.create_function("regexp", 2, _regexp, deterministic=True)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            db.execute("BEGIN IMMEDIATE")
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for table in tables:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        db.execute("SELECT count(*) FROM shards").fetchone()  # a damaged file fails here, not mid-listing
    except BaseException:
        db.close()
        raise
    return db


def _delete(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _why(error: OSError, path: Path) -> str:
    return f"{error.strerror or error}: {error.filename or path}"


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _regexp(pattern: str, value: Any) -> bool:
    if value is None:
        return False
    compiled = _REGEX_CACHE.get(pattern)
    if compiled is None:
        compiled = _REGEX_CACHE.setdefault(pattern, re.compile(pattern))
    return compiled.search(str(value)) is not None


def _entry(shard: Shard, hash_: str, stamp: int, raw_status: str, status: str, raw_problem: str | None,
           created: float | None, updated: float | None, started: float | None, ended: float | None,
           attempts: int, tags: str, name: str | None, size_bytes: int | None, size_stamp: int | None,
           marks_stamp: int | None) -> Entry:
    return Entry(shard, hash_, stamp, raw_status, raw_problem, created, updated, started, ended, attempts,
                 json.loads(tags) if tags != "[]" else [], name, size_bytes, size_stamp, marks_stamp)


def _details(stamp: int, version: str | None, config: str | None, declared: str | None, loaded: str | None,
             problem: str | None) -> Details:
    return Details(
        stamp, version, json.loads(config) if config is not None else None,
        [(f, h) for f, h in json.loads(declared or "[]")], [(f, h) for f, h in json.loads(loaded or "[]")], problem,
    )


def _summary_row(entry: Entry) -> tuple[Any, ...]:
    fqn = entry.shard.fqn
    return (
        entry.shard.class_dir, entry.hash, fqn, fqn.rpartition(".")[0], int(entry.shard.version_controlled),
        entry.stamp, entry.raw_status, entry.status, entry.problem,
        entry.problem if entry.raw_status == entry.status else None,
        entry.created_ts, entry.updated_ts, entry.started_ts, entry.ended_ts, entry.attempts,
        json.dumps(entry.tags), entry.name, entry.size_bytes, entry.size_stamp, entry.marks_stamp,
    )


def _details_row(entry: Entry) -> tuple[Any, ...]:
    details = entry.details
    assert details is not None
    return (
        details.stamp, details.version, json.dumps(details.config) if details.config is not None else None,
        json.dumps(details.declared), json.dumps(details.loaded), details.problem, entry.status, entry.problem,
        entry.shard.class_dir, entry.hash,
    )


__all__ = ["NO_STAMP", "IndexUnusable", "SCHEMA_VERSION", "Store", "open_store"]
