"""The catalog's index: a SQLite database on local disk, a cache of the artifact directories.

One row per artifact in ``artifacts`` holds what every view filters and sorts
on; ``fields`` holds each stored config flattened to dotted paths and
``deps`` the dependency edges, so filters, sorts, pages, counts, distinct
values, ``rdeps`` and ``du`` are SQL queries (see :mod:`furu.query` for the
filter language's SQL form). Each row also holds the code fingerprint its
metadata.json recorded (``code_file``, ``module_digest``, ``class_digest``,
see :mod:`furu.fingerprint`), so ``code_changed=true`` compares digests
instead of reading every metadata.json. ``shards`` are the class directories, ``dirs``
the namespace tree with each directory's ctime, ``journal`` how far each
change journal file has been read (see :mod:`furu.journal`).

It is never the truth: every row carries the stamp (ctime of ``.furu/``) it
was read at, and a database that is missing, of another schema version or
unreadable is rebuilt from the directories. When the index cannot be kept on
disk at all, the same schema lives in memory for one command.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from furu import query
from furu.catalog.entry import Details, Entry, Shard
from furu.catalog.walk import DirIndex

SCHEMA_VERSION = 13
"""``PRAGMA user_version`` of the layout below; any other version is dropped and rebuilt."""

IN_MEMORY = ":memory:"

MMAP_BYTES = 1 << 30
"""How much of the index file reads map instead of copying (a 100,000-artifact index is ~200 MB)."""

BUSY_TIMEOUT_SECONDS = 30.0
"""How long a command waits for another process's write to the index before giving up on it."""

BULK_ROWS = 5_000
"""Writing at least this many rows into an empty table drops its secondary indexes and builds them after."""

_log = logging.getLogger("furu.catalog")

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE dirs (path TEXT PRIMARY KEY, stamp INTEGER NOT NULL, subdirs TEXT NOT NULL,
  has_artifacts INTEGER NOT NULL, artifacts INTEGER NOT NULL);
CREATE TABLE shards (id INTEGER PRIMARY KEY, class_dir TEXT NOT NULL UNIQUE, fqn TEXT NOT NULL,
  version_controlled INTEGER NOT NULL, dir_stamp INTEGER NOT NULL, namespace TEXT NOT NULL);
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY, shard INTEGER NOT NULL, hash TEXT NOT NULL, fqn TEXT NOT NULL,
  stamp INTEGER NOT NULL, raw_status TEXT NOT NULL, status TEXT NOT NULL, problem TEXT, raw_problem TEXT,
  created REAL, updated REAL, started REAL, ended REAL, attempts INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]', name TEXT, size_bytes INTEGER, size_stamp INTEGER, marks_stamp INTEGER,
  host TEXT, user TEXT, details_stamp INTEGER, details_problem TEXT,
  code_file TEXT, module_digest TEXT, class_digest TEXT);
CREATE TABLE details (artifact INTEGER PRIMARY KEY, version TEXT, config TEXT, declared TEXT, loaded TEXT);
CREATE TABLE fields (artifact INTEGER NOT NULL, shard INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
  num REAL, text TEXT);
CREATE TABLE deps (artifact INTEGER NOT NULL, loaded INTEGER NOT NULL, fqn TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE journal (file TEXT PRIMARY KEY, offset INTEGER NOT NULL);
"""

UNSETTLED = "stamp = -1 OR created IS NULL OR status IN ('running', 'queued')"
"""Rows whose summary may change without a journal line: checked against their directory on every sync.

Just written (no trustworthy stamp yet), not started, or in flight: a live
lock holder can die, a queued job can vanish. A crashed one stays crashed
until a new attempt, and that attempt is journaled.
"""

NEEDS = {
    "marks": "marks_stamp IS NULL OR marks_stamp != stamp OR stamp = -1",
    "details": "details_stamp IS NULL OR details_stamp != stamp OR stamp = -1",
    "sizes": "size_bytes IS NULL OR size_stamp IS NULL OR size_stamp = -1",
}
"""Rows whose tags and name, details or size must be read before a query can filter or sort on them.

Each has a partial index, so asking costs nothing once every row has them.
"""

_INDEXES = {
    "artifacts": (
        "CREATE UNIQUE INDEX IF NOT EXISTS artifacts_key ON artifacts (shard, hash)",
        "CREATE INDEX IF NOT EXISTS artifacts_hash ON artifacts (hash)",
        "CREATE INDEX IF NOT EXISTS artifacts_created ON artifacts (created DESC, id)",
        "CREATE INDEX IF NOT EXISTS artifacts_status ON artifacts (status)",
        f"CREATE INDEX IF NOT EXISTS artifacts_unsettled ON artifacts (id) WHERE {UNSETTLED}",
        *(f"CREATE INDEX IF NOT EXISTS artifacts_needs_{need} ON artifacts (id) WHERE {where}" for need, where in NEEDS.items()),
        # The few distinct (file, digest) pairs are read off it, and the artifacts of the drifted ones found by it.
        "CREATE INDEX IF NOT EXISTS artifacts_code ON artifacts (code_file, module_digest) WHERE code_file IS NOT NULL",
    ),
    # Covering: a config filter or sort never reads the table itself. The artifact's class directory
    # (shard) is copied into each row, so `lr>1e-3 class~Train` is counted off this index alone.
    "fields": (
        "CREATE INDEX IF NOT EXISTS fields_num ON fields (path, kind, num, shard, artifact)",
        "CREATE INDEX IF NOT EXISTS fields_text ON fields (path, kind, text, shard, artifact)",
        "CREATE INDEX IF NOT EXISTS fields_artifact ON fields (artifact, path, kind, num, text)",
    ),
    "deps": (
        "CREATE INDEX IF NOT EXISTS deps_hash ON deps (hash)",
        "CREATE INDEX IF NOT EXISTS deps_artifact ON deps (artifact)",
    ),
}

SUMMARY_COLUMNS = (
    "a.hash, a.stamp, a.raw_status, a.raw_problem, a.created, a.updated, a.started, a.ended, a.attempts, "
    "a.tags, a.name, a.size_bytes, a.size_stamp, a.marks_stamp, a.host, a.user"
)
DETAILS_COLUMNS = (
    "a.details_stamp, d.version, d.config, d.declared, d.loaded, a.details_problem, a.code_file, a.module_digest, a.class_digest"
)
DETAILS_JOIN = "LEFT JOIN details d ON d.artifact = a.id"
"""Configs live in their own table: scanning 100,000 summaries must not read 100,000 configs."""

_UPSERT = (
    "INSERT INTO artifacts (shard, hash, fqn, stamp, raw_status, status, problem, raw_problem, created, updated, "
    "started, ended, attempts, tags, name, size_bytes, size_stamp, marks_stamp, host, user) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (shard, hash) DO UPDATE SET stamp = excluded.stamp, raw_status = excluded.raw_status, "
    # a summary re-read without its details keeps what the details said while they still apply
    "status = CASE WHEN artifacts.details_problem IS NOT NULL AND artifacts.details_stamp = excluded.stamp "
    "AND excluded.stamp != -1 THEN (CASE WHEN excluded.status IN ('success', 'damaged') THEN 'damaged' "
    "ELSE 'corrupt' END) ELSE excluded.status END, "
    "problem = excluded.problem, raw_problem = excluded.raw_problem, created = excluded.created, "
    "updated = excluded.updated, started = excluded.started, ended = excluded.ended, attempts = excluded.attempts, "
    "tags = excluded.tags, name = excluded.name, size_bytes = excluded.size_bytes, size_stamp = excluded.size_stamp, "
    "marks_stamp = excluded.marks_stamp, host = excluded.host, user = excluded.user"
)
_INSERT = _UPSERT.split(" ON CONFLICT")[0]


class IndexUnusable(Exception):
    """The database cannot be opened or written (a cache: the catalog goes on without it)."""


class ShardRow:
    """A class directory as the index knows it."""

    __slots__ = ("class_dir", "dir_stamp", "fqn", "id", "version_controlled")

    def __init__(self, id: int, class_dir: str, fqn: str, version_controlled: bool, dir_stamp: int) -> None:
        self.id, self.class_dir, self.fqn = id, class_dir, fqn
        self.version_controlled, self.dir_stamp = version_controlled, dir_stamp


class Store:
    """An open index database. Writes happen in :meth:`transaction`; reads are plain queries."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.db = _connect(path)
        self._shard_rows: dict[str, ShardRow] | None = None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``: writers queue instead of failing mid-way)."""
        self.db.execute("BEGIN IMMEDIATE")
        self._shard_rows = None  # another process may have added class directories since they were read
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            self._shard_rows = None
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

    def shard_rows(self) -> dict[str, ShardRow]:
        """Every class directory the index knows, by path (a few hundred rows at most: read once)."""
        if self._shard_rows is None:
            self._shard_rows = {
                row[1]: ShardRow(row[0], row[1], row[2], bool(row[3]), row[4])
                for row in self.db.execute("SELECT id, class_dir, fqn, version_controlled, dir_stamp FROM shards")
            }
        return self._shard_rows

    def hashes(self, shard_id: int) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT hash FROM artifacts WHERE shard = ?", (shard_id,))]

    def load_shards(self, shards: Sequence[Shard], *, many: bool) -> None:
        """Fill each shard's entries from the index (a shard the index does not know stays empty).

        ``many``: they hold a good part of the index, so one scan of the table
        beats seeking every row through the (shard, hash) index.
        """
        rows = self.shard_rows()
        by_id = {row.id: shard for shard in shards if (row := rows.get(shard.class_dir)) is not None and row.fqn == shard.fqn}
        for shard in by_id.values():
            shard.entries, shard.dir_stamp = {}, rows[shard.class_dir].dir_stamp
        if not by_id:
            return
        source = "artifacts a NOT INDEXED" if many else "artifacts a"
        marks = ", ".join("?" * len(by_id))
        cursor = self.db.execute(
            f"SELECT a.shard, {SUMMARY_COLUMNS}, a.status, a.problem FROM {source} WHERE a.shard IN ({marks})", list(by_id)
        )
        for values in cursor:
            shard = by_id[values[0]]
            entry = shard.entries[values[1]] = entry_from_row(shard, values[1:-2])
            entry.status, entry.problem = values[-2], values[-1]  # as the last sync left them (a lock holder checked)

    def load_details(self, shard: Shard) -> dict[str, Details]:
        row = self.shard_rows().get(shard.class_dir)
        if row is None:
            return {}
        rows = self.db.execute(
            f"SELECT a.hash, {DETAILS_COLUMNS} FROM artifacts a {DETAILS_JOIN} WHERE a.shard = ? AND a.details_stamp IS NOT NULL",
            (row.id,),
        )
        return {values[0]: details_from_row(values[1:]) for values in rows}

    def save(
        self,
        db: sqlite3.Connection,
        shards: Iterable[Shard],
        changed: Iterable[Entry],
        details: Iterable[Entry],
        removed: Iterable[tuple[str, str]],
    ) -> None:
        """Write what changed: shard stamps, entries, details (with fields and edges), removals."""
        rows = self.shard_rows()
        for shard in shards:
            known = rows.get(shard.class_dir)
            if known is None:
                cursor = db.execute(
                    "INSERT INTO shards (class_dir, fqn, version_controlled, dir_stamp, namespace) VALUES (?, ?, ?, ?, ?)",
                    (shard.class_dir, shard.fqn, int(shard.version_controlled), shard.dir_stamp, shard.namespace),
                )
                assert cursor.lastrowid is not None
                rows[shard.class_dir] = ShardRow(
                    cursor.lastrowid, shard.class_dir, shard.fqn, shard.version_controlled, shard.dir_stamp
                )
            elif (known.fqn, known.dir_stamp) != (shard.fqn, shard.dir_stamp):
                db.execute(
                    "UPDATE shards SET fqn = ?, version_controlled = ?, dir_stamp = ?, namespace = ? WHERE id = ?",
                    (shard.fqn, int(shard.version_controlled), shard.dir_stamp, shard.namespace, known.id),
                )
                known.fqn, known.dir_stamp = shard.fqn, shard.dir_stamp
        gone = [(rows[class_dir].id, hash_) for class_dir, hash_ in removed if class_dir in rows]
        if gone:
            self._delete_artifacts(db, "shard = ? AND hash = ?", gone)
        summaries = [_summary_row(rows[e.shard.class_dir].id, e) for e in changed if e.shard.class_dir in rows]
        if len(summaries) >= BULK_ROWS and db.execute("SELECT 1 FROM artifacts LIMIT 1").fetchone() is None:
            with _indexes_built_after(db, "artifacts"):
                db.executemany(_INSERT, summaries)
        else:
            db.executemany(_UPSERT, summaries)
        self._save_details(db, [e for e in details if e.details is not None and e.shard.class_dir in rows])

    def _save_details(self, db: sqlite3.Connection, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        rows = self.shard_rows()
        keys = [(rows[entry.shard.class_dir].id, entry.hash) for entry in entries]
        db.executemany(
            "UPDATE artifacts SET details_stamp = ?, details_problem = ?, status = ?, problem = ?, code_file = ?, "
            "module_digest = ?, class_digest = ? WHERE shard = ? AND hash = ?",
            [_details_summary(entry, key) for entry, key in zip(entries, keys, strict=True)],
        )
        ids: dict[tuple[int, str], int] = {}
        if len(keys) < BULK_ROWS:
            for key in keys:
                ids.update((key, row[0]) for row in db.execute("SELECT id FROM artifacts WHERE shard = ? AND hash = ?", key))
        else:
            for shard_id in {key[0] for key in keys}:
                cursor = db.execute("SELECT hash, id FROM artifacts WHERE shard = ?", (shard_id,))
                ids.update(((shard_id, hash_), artifact) for hash_, artifact in cursor)
        found = [(ids[key], key[0], entry) for key, entry in zip(keys, entries, strict=True) if key in ids]
        db.executemany(
            "INSERT OR REPLACE INTO details (artifact, version, config, declared, loaded) VALUES (?, ?, ?, ?, ?)",
            [(artifact, *_details_row(entry)) for artifact, _, entry in found],
        )
        fresh = db.execute("SELECT 1 FROM fields LIMIT 1").fetchone() is None
        if not fresh:
            db.executemany("DELETE FROM fields WHERE artifact = ?", [(i,) for i, _, _ in found])
            db.executemany("DELETE FROM deps WHERE artifact = ?", [(i,) for i, _, _ in found])
        field_rows: list[tuple[Any, ...]] = []
        dep_rows: list[tuple[Any, ...]] = []
        for artifact, shard_id, entry in found:
            details = entry.details
            assert details is not None
            field_rows.extend((artifact, shard_id, *row) for row in query.flatten_config(details.config))
            dep_rows.extend((artifact, 0, fqn, hash_) for fqn, hash_ in details.declared)
            dep_rows.extend((artifact, 1, fqn, hash_) for fqn, hash_ in details.loaded)
        bulk = fresh and len(field_rows) >= BULK_ROWS
        with _indexes_built_after(db, "fields", when=bulk), _indexes_built_after(db, "deps", when=bulk):
            db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?, ?)", field_rows)
            db.executemany("INSERT INTO deps VALUES (?, ?, ?, ?)", dep_rows)

    def _delete_artifacts(self, db: sqlite3.Connection, where: str, params: list[tuple[Any, ...]]) -> None:
        for table in ("fields", "deps", "details"):
            db.executemany(f"DELETE FROM {table} WHERE artifact IN (SELECT id FROM artifacts WHERE {where})", params)
        db.executemany(f"DELETE FROM artifacts WHERE {where}", params)

    def prune_shards(self, db: sqlite3.Connection, keep: set[str]) -> None:
        """Forget class directories that no longer exist (and everything in them)."""
        rows = self.shard_rows()
        gone = [rows[path] for path in set(rows) - keep]
        if not gone:
            return
        self._delete_artifacts(db, "shard = ?", [(row.id,) for row in gone])
        db.executemany("DELETE FROM shards WHERE id = ?", [(row.id,) for row in gone])
        for row in gone:
            del rows[row.class_dir]

    # -- journal offsets ------------------------------------------------------------------

    def journal_offsets(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT file, offset FROM journal").fetchall())

    def save_journal_offsets(self, db: sqlite3.Connection, offsets: dict[str, int]) -> None:
        db.execute("DELETE FROM journal")
        db.executemany("INSERT INTO journal VALUES (?, ?)", list(offsets.items()))

    def forget_everything(self) -> None:
        """Empty every table (a rescan that cannot trust any row rebuilds them)."""
        with self.transaction() as db:
            for table in ("meta", "dirs", "shards", "artifacts", "details", "fields", "deps", "journal"):
                db.execute(f"DELETE FROM {table}")
        self._shard_rows = None


def open_store(path: Path | str) -> Store:
    """Open (creating or rebuilding) the index at ``path``; raises :class:`IndexUnusable`.

    A file that is not a database, or a database of another schema, is a
    cache gone bad: it is deleted and created again.
    """
    if path != IN_MEMORY:
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise IndexUnusable(f"{error.strerror or error}: {error.filename or path}") from error
    for _attempt in range(2):
        try:
            return Store(path)
        except sqlite3.OperationalError as error:  # locked, read-only, disk full: not the file's fault
            raise IndexUnusable(f"{error}: {path}") from error
        except sqlite3.DatabaseError as error:  # not a database, or a damaged one: a cache gone bad
            _log.info("rebuilding the catalog index %s (%s)", path, error)
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise IndexUnusable(f"{path} cannot be opened as a SQLite database even after deleting it")


def _connect(path: Path | str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        if path != IN_MEMORY:
            _use_write_ahead_log(db)
            db.execute("PRAGMA synchronous = NORMAL")
            # Reads share the OS's cached pages instead of copying each into a new connection's
            # cache: a command opens the index once, so its first query would otherwise pay for
            # every page it reads (a third of a page() at 100,000 artifacts). Local disk only
            # (see furu.catalog.location), where a read error is as unlikely as anywhere.
            db.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        db.execute("PRAGMA cache_size = -65536")
        db.create_function("regexp", 2, query.sql_regexp, deterministic=True)
        if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            _create_schema(db)
        db.execute("SELECT count(*) FROM shards").fetchone()  # a damaged file fails here, not mid-listing
    except BaseException:
        db.close()
        raise
    return db


def _use_write_ahead_log(db: sqlite3.Connection) -> None:
    """Put the index in WAL mode, so readers never wait for a writer.

    When two processes open a new index together, each switch needs the lock the
    other holds, and SQLite answers "database is locked" at once instead of
    waiting out the busy timeout. One of them wins within milliseconds, so the
    other retries for as long as it would have waited on any other lock.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    pause = 0.001
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.1)


def _create_schema(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:  # another process just made it
        db.execute("COMMIT")
        return
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in [*_TABLES.split(";"), *(s for group in _INDEXES.values() for s in group)]:
        if statement.strip():
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.execute("COMMIT")


@contextmanager
def _indexes_built_after(db: sqlite3.Connection, table: str, *, when: bool = True) -> Iterator[None]:
    """Bulk-load ``table`` without its indexes, then build them: sorting once beats 100,000 B-tree inserts."""
    if not when:
        yield
        return
    for statement in _INDEXES[table]:
        db.execute(f"DROP INDEX IF EXISTS {statement.split(' EXISTS ')[1].split(' ')[0]}")
    yield
    for statement in _INDEXES[table]:
        db.execute(statement)
    db.execute(f"ANALYZE {table}")  # the planner picks the covering indexes only once it knows their shape


def entry_from_row(shard: Shard, values: Sequence[Any]) -> Entry:
    """An :class:`Entry` from the :data:`SUMMARY_COLUMNS` of one row."""
    (hash_, stamp, raw_status, raw_problem, created, updated, started, ended, attempts, tags, name,
     size_bytes, size_stamp, marks_stamp, host, user) = values
    return Entry(shard, hash_, stamp, raw_status, raw_problem, created, updated, started, ended, attempts,
                 json.loads(tags) if tags != "[]" else [], name, size_bytes, size_stamp, marks_stamp, host, user)


def details_from_row(values: Sequence[Any]) -> Details:
    """:class:`Details` from the :data:`DETAILS_COLUMNS` of one row."""
    stamp, version, config, declared, loaded, problem, code_file, module_digest, class_digest = values
    return Details(
        stamp, version, json.loads(config) if config is not None else None,
        [(f, h) for f, h in json.loads(declared or "[]")], [(f, h) for f, h in json.loads(loaded or "[]")], problem,
        (code_file, module_digest, class_digest) if code_file is not None else None,
    )


def _summary_row(shard_id: int, entry: Entry) -> tuple[Any, ...]:
    tags = entry.tags
    return (
        shard_id, entry.hash, entry.shard.fqn, entry.stamp, entry.raw_status, entry.status, entry.problem,
        entry.problem if entry.raw_status == entry.status else None,
        entry.created_ts, entry.updated_ts, entry.started_ts, entry.ended_ts, entry.attempts,
        json.dumps(tags) if tags else "[]", entry.name, entry.size_bytes, entry.size_stamp, entry.marks_stamp,
        entry.host, entry.user,
    )


def _details_summary(entry: Entry, key: tuple[int, str]) -> tuple[Any, ...]:
    """What the details change in the entry's ``artifacts`` row: their stamp and problem, the status, the fingerprint."""
    details = entry.details
    assert details is not None
    return (details.stamp, details.problem, entry.status, entry.problem, *(details.code or (None, None, None)), *key)


def _details_row(entry: Entry) -> tuple[Any, ...]:
    details = entry.details
    assert details is not None
    config = json.dumps(details.config) if details.config is not None else None
    return details.version, config, json.dumps(details.declared), json.dumps(details.loaded)


__all__ = ["DETAILS_JOIN", "IN_MEMORY", "NEEDS", "UNSETTLED", "IndexUnusable", "SCHEMA_VERSION", "ShardRow", "Store", "open_store"]
