"""What the catalog knows about one artifact: :class:`ArtifactRecord` and its status.

``ArtifactRecord`` is the public, JSON-ready form every command prints with
``--json`` and every library caller (time travel, export, the dashboard)
receives. It is built from the artifact directory alone, so it is never more
true than the directory: the catalog's index only makes building it cheaper.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from furu.layout import ArtifactPaths
from furu.schema import DependencyRef
from furu.statuses import STATUSES, ArtifactStatus



class ArtifactRecord(BaseModel):
    """One artifact directory as the catalog sees it."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    fqn: str = Field(description="The class, as module.QualName.")
    hash: str = Field(description="The config hash (32 hex chars); the directory's name.")
    dir: str = Field(description="Absolute path of the artifact directory.")
    version_controlled: bool = Field(description="Lives under the artifacts root (meant to be committed).")
    status: ArtifactStatus
    problem: str | None = Field(default=None, description="Why it is damaged, corrupt, failed or crashed (naming the file).")
    created: datetime | None = Field(default=None, description="When the first attempt started.")
    updated: datetime | None = Field(default=None, description="When its state last changed.")
    runtime_secs: float | None = Field(default=None, description="Duration of the latest attempt (so far).")
    attempts: int = 0
    job_id: str | None = Field(
        default=None, description="Cluster job of the latest attempt, for queued, running and preempted artifacts."
    )
    size_bytes: int | None = Field(default=None, description="Bytes on disk; None when not computed.")
    tags: list[str] = Field(default_factory=list)
    name: str | None = None
    host: str | None = Field(default=None, description="Where the latest attempt ran.")
    user: str | None = Field(default=None, description="Who ran the latest attempt.")
    version: str | None = Field(default=None, description="The class version it was created with.")
    config: dict[str, Any] | None = Field(default=None, description="The config (from metadata.json).")
    declared_dependencies: list[DependencyRef] = Field(default_factory=list)
    loaded_dependencies: list[DependencyRef] = Field(default_factory=list)
    details_loaded: bool = Field(
        default=False, description="Whether config, version and dependencies were read from metadata.json."
    )

    @property
    def paths(self) -> ArtifactPaths:
        return ArtifactPaths(self.dir)

    @property
    def short_hash(self) -> str:
        return self.hash[:8]

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
    def dependencies(self) -> list[DependencyRef]:
        """Declared and loaded dependencies, each once, declared first."""
        seen: dict[str, DependencyRef] = {}
        for ref in [*self.declared_dependencies, *self.loaded_dependencies]:
            seen.setdefault(ref.hash, ref)
        return list(seen.values())


def timestamp_to_datetime(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None
