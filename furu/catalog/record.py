"""What the catalog knows about one artifact: :class:`ArtifactRecord` and its status.

``ArtifactRecord`` is the public, JSON-ready form every command prints with
``--json`` and every library caller (time travel, export, the dashboard)
receives. It is built from the artifact directory alone, so it is never more
true than the directory: the catalog's index only makes building it cheaper.

A dataclass, not a pydantic model: ``furu ls`` builds the records it prints
without importing pydantic, a third of its run otherwise. Pydantic still
serializes it (``pydantic_core.to_jsonable_python``) and reads it as a field of
its models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from furu.dependency_ref import DependencyRef
from furu.fingerprint import Drift
from furu.layout import ArtifactPaths
from furu.statuses import ArtifactStatus


@dataclass(slots=True, kw_only=True)
class ArtifactRecord:
    """One artifact directory as the catalog sees it.

    Attributes:
        fqn: The class, as ``module.QualName``.
        hash: The config hash (32 hex chars); the directory's name.
        dir: Absolute path of the artifact directory.
        version_controlled: Lives under the artifacts root (meant to be committed).
        status: One of :data:`~furu.statuses.STATUSES`.
        problem: Why it is damaged, corrupt, failed or crashed (naming the file).
        created: When the first attempt started.
        updated: When its state last changed.
        runtime_secs: Duration of the latest attempt (so far).
        attempts: How many attempts were made.
        job_id: Cluster job of the latest attempt, for queued, running and preempted artifacts.
        size_bytes: Bytes on disk; None when not computed.
        tags, name: The labels ``furu tag`` and ``furu name`` gave it.
        host, user: Where, and by whom, the latest attempt ran.
        version: The class version it was created with.
        config: The config (from metadata.json).
        declared_dependencies, loaded_dependencies: From metadata.json (or config.json).
        details_loaded: Whether config, version and dependencies were read from metadata.json.
        code_changed: Whether the code of its class's module changed since it was made (see
            :mod:`furu.fingerprint`); None when no fingerprint was recorded (a class from
            ``python -c`` or a notebook, a result older than fingerprints) or details were not read.
        code_drift: How it changed (``kind`` class, module or gone, the ``file``, a ``sentence``).
        stale: Whether today's classes no longer rebuild its config to its hash (see
            :mod:`furu.staleness`); None when not asked for (it imports the classes), not a
            success, or its class does not import.
        stale_reasons: For a stale result, what changed, in words.
        stale_still_loads: A stale result its class's declared history still finds:
            ``load_or_create`` migrates it on first use.
    """

    fqn: str
    hash: str
    dir: str
    version_controlled: bool
    status: ArtifactStatus
    problem: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    runtime_secs: float | None = None
    attempts: int = 0
    job_id: str | None = None
    size_bytes: int | None = None
    tags: list[str] = field(default_factory=list)
    name: str | None = None
    host: str | None = None
    user: str | None = None
    version: str | None = None
    config: dict[str, Any] | None = None
    declared_dependencies: list[DependencyRef] = field(default_factory=list)
    loaded_dependencies: list[DependencyRef] = field(default_factory=list)
    details_loaded: bool = False
    code_changed: bool | None = None
    code_drift: Drift | None = None
    stale: bool | None = None
    stale_reasons: list[str] = field(default_factory=list)
    stale_still_loads: bool = False

    @property
    def paths(self) -> ArtifactPaths:
        return ArtifactPaths(self.dir)

    @property
    def short_hash(self) -> str:
        return self.hash[:8]

    @property
    def namespace(self) -> str:
        """The module part of the class name (``mypkg.models`` for ``mypkg.models.Train``)."""
        return namespace_of(self.fqn, self.dir.rpartition("/")[0])

    @property
    def class_name(self) -> str:
        """The class's qualname without its module (best effort from the fqn)."""
        return self.fqn.rsplit(".", 1)[-1]

    @property
    def label(self) -> str:
        """``module.QualName 1a2b3c4d``: how messages name an artifact."""
        return f"{self.fqn} {self.short_hash}"

    @property
    def created_ts(self) -> float | None:
        return self.created.timestamp() if self.created is not None else None

    @property
    def updated_ts(self) -> float | None:
        return self.updated.timestamp() if self.updated is not None else None

    @property
    def dependency_count(self) -> int | None:
        """How many artifacts it depends on (None: details not read), as the ``dependencies`` sort key counts."""
        return len(self.dependencies) if self.details_loaded else None

    @property
    def dependencies(self) -> list[DependencyRef]:
        """Declared and loaded dependencies, each once, declared first."""
        seen: dict[str, DependencyRef] = {}
        for ref in [*self.declared_dependencies, *self.loaded_dependencies]:
            seen.setdefault(ref.hash, ref)
        return list(seen.values())


def namespace_of(fqn: str, class_dir: str) -> str:
    """The module part of a class name (the class directory's parents; a qualname may hold dots)."""
    qualname = class_dir.rpartition("/")[2]
    return fqn[: -len(qualname) - 1] if fqn.endswith("." + qualname) else fqn.rpartition(".")[0]


def timestamp_to_datetime(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None
