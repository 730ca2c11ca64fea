"""The catalog's in-memory rows: one :class:`Entry` per artifact directory, grouped in shards.

A shard is one class directory (``<root>/<module parts>/<QualName>``). Entries
are plain slotted objects rather than pydantic models because a listing builds
100,000 of them; :meth:`Entry.record` turns the few that are shown into
:class:`~furu.catalog.record.ArtifactRecord`.
"""

from __future__ import annotations

import time
from typing import Any

from furu.catalog.record import ArtifactRecord, namespace_of, timestamp_to_datetime
from furu.dependency_ref import DependencyRef

NO_STAMP = -1
"""A stamp that never matches: the entry is read again on the next refresh."""


class Details:
    """What ``metadata.json`` adds to an entry; read only when a command needs it.

    ``declared`` and ``loaded`` are ``(fqn, hash)`` pairs; ``code`` is the
    recorded fingerprint as ``(file, module_digest, class_digest)``, None when
    none was recorded (a ``python -c`` class, a result older than fingerprints).
    Plain slots, not a model: a config filter over 100,000 artifacts holds
    100,000 of these.
    """

    __slots__ = ("code", "config", "declared", "loaded", "problem", "stamp", "version")

    def __init__(
        self,
        stamp: int,
        version: str | None = None,
        config: dict[str, Any] | None = None,
        declared: list[tuple[str, str]] | None = None,
        loaded: list[tuple[str, str]] | None = None,
        problem: str | None = None,
        code: tuple[str, str, str | None] | None = None,
    ) -> None:
        self.stamp = stamp
        self.version = version
        self.config = config
        self.declared = declared or []
        self.loaded = loaded or []
        self.problem = problem
        self.code = code

    def row(self) -> list[Any]:
        """The index row: ``[stamp, version, config, declared, loaded, problem, code]``."""
        return [self.stamp, self.version, self.config, self.declared, self.loaded, self.problem, self.code]


class Shard:
    """One class directory and its entries, keyed by hash."""

    __slots__ = (
        "class_dir",
        "details_loaded",
        "dir_stamp",
        "entries",
        "fqn",
        "version_controlled",
    )

    def __init__(self, class_dir: str, fqn: str, version_controlled: bool) -> None:
        self.class_dir = class_dir
        self.fqn = fqn
        self.version_controlled = version_controlled
        self.entries: dict[str, Entry] = {}
        self.dir_stamp = NO_STAMP
        self.details_loaded = False  # the index's details of this class directory were merged in

    @property
    def namespace(self) -> str:
        return namespace_of(self.fqn, self.class_dir)


class Entry:
    """One artifact directory: the summary read from ``.furu/`` plus optional details.

    ``stamp`` is the ctime (ns) of ``.furu/``: every furu write there is an
    atomic rename or a create/unlink, each of which changes it. ``marks_stamp``
    is the stamp at which ``tags``/``name`` were read and the success marker was
    checked (see ``Catalog.ensure_marks``); they are unknown while it differs.
    """

    __slots__ = (
        "attempts",
        "created_ts",
        "details",
        "ended_ts",
        "hash",
        "host",
        "marks_stamp",
        "name",
        "problem",
        "raw_status",
        "shard",
        "size_bytes",
        "size_stamp",
        "stamp",
        "started_ts",
        "status",
        "tags",
        "updated_ts",
        "user",
    )

    def __init__(
        self,
        shard: Shard,
        hash: str,
        stamp: int = NO_STAMP,
        raw_status: str = "absent",
        problem: str | None = None,
        created_ts: float | None = None,
        updated_ts: float | None = None,
        started_ts: float | None = None,
        ended_ts: float | None = None,
        attempts: int = 0,
        tags: list[str] | None = None,
        name: str | None = None,
        size_bytes: int | None = None,
        size_stamp: int | None = None,
        marks_stamp: int | None = None,
        host: str | None = None,
        user: str | None = None,
    ) -> None:
        self.shard = shard
        self.hash = hash
        self.stamp = stamp
        self.raw_status = raw_status
        self.status = raw_status
        self.problem = problem
        self.created_ts = created_ts
        self.updated_ts = updated_ts
        self.started_ts = started_ts
        self.ended_ts = ended_ts
        self.attempts = attempts
        self.tags = tags or []
        self.name = name
        self.size_bytes = size_bytes
        self.size_stamp = size_stamp
        self.marks_stamp = marks_stamp
        self.host = host
        self.user = user
        self.details: Details | None = None

    def replace_with(self, fresh: Entry) -> None:
        """Take over a freshly read entry's fields (callers keep holding this object)."""
        for slot in Entry.__slots__:
            setattr(self, slot, getattr(fresh, slot))

    def __repr__(self) -> str:
        return f"Entry({self.fqn} {self.hash[:8]} {self.status})"

    @property
    def fqn(self) -> str:
        return self.shard.fqn

    @property
    def dir(self) -> str:
        return f"{self.shard.class_dir}/{self.hash}"

    @property
    def version_controlled(self) -> bool:
        return self.shard.version_controlled

    @property
    def namespace(self) -> str:
        return self.shard.namespace

    @property
    def config(self) -> dict[str, Any] | None:
        return self.details.config if self.details is not None else None

    @property
    def version(self) -> str | None:
        """The class version it was created with (from its details)."""
        return self.details.version if self.details is not None else None

    @property
    def dependency_count(self) -> int | None:
        """How many artifacts it depends on, declared and loaded, each once (None: details not read)."""
        if self.details is None:
            return None
        return len({furu_hash for _fqn, furu_hash in [*self.details.declared, *self.details.loaded]})

    @property
    def runtime_secs(self) -> float | None:
        if self.started_ts is None:
            return None
        end = self.ended_ts
        if end is None:
            if self.status not in ("running", "queued"):
                return None
            end = time.time()
        return max(0.0, end - self.started_ts)

    def set_details(self, details: Details) -> None:
        """Attach what metadata.json says; an unreadable one makes a success damaged, anything else corrupt."""
        self.details = details
        if details.problem is not None:
            self.status = "damaged" if self.status in ("success", "damaged") else "corrupt"
            if self.problem is None or details.problem not in self.problem:
                self.problem = f"{self.problem}; {details.problem}" if self.problem else details.problem

    def record(self) -> ArtifactRecord:
        details = self.details
        return ArtifactRecord(
            fqn=self.fqn,
            hash=self.hash,
            dir=self.dir,
            version_controlled=self.version_controlled,
            status=self.status,  # type: ignore[arg-type]
            problem=self.problem,
            created=timestamp_to_datetime(self.created_ts),
            updated=timestamp_to_datetime(self.updated_ts),
            runtime_secs=self.runtime_secs,
            attempts=self.attempts,
            size_bytes=self.size_bytes,
            tags=list(self.tags),
            name=self.name,
            host=self.host,
            user=self.user,
            version=details.version if details else None,
            config=details.config if details else None,
            declared_dependencies=[DependencyRef(fqn=f, hash=h) for f, h in details.declared] if details else [],
            loaded_dependencies=[DependencyRef(fqn=f, hash=h) for f, h in details.loaded] if details else [],
            details_loaded=details is not None,
        )
