"""``metadata.json``: everything needed to understand and reproduce one result.

Written once, when an attempt succeeds (or a migration carries a result
over), and rewritten only to append to ``migrated_to``: it is the stable
record that version-controlled artifacts commit and that the CLI, time travel
and export read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from furu.atomic import read_model
from furu.environment import HostInfo, PackageEnvironment
from furu.fingerprint import CodeFingerprint
from furu.errors import FuruGitError, FuruNotFound
from furu.layout import ArtifactPaths
from furu.provenance.model import GitProvenance
from furu.resources import ResourceUsage
from furu.dependency_ref import DependencyRef as DependencyRef  # in a module of its own so the catalog need not import this one
from furu.schema import Record

from furu.configs import Config


class ImportOrigin(BaseModel):
    """Where an imported artifact came from (``furu import``); absent for artifacts made here."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    bundle: str
    exported_at: datetime
    exported_by_host: str
    exported_by_user: str
    exporter_furu_version: str
    exported_from_dir: str
    imported_at: datetime


MigrationPolicy = Literal["alias", "move", "copy"]


class MigrationRecord(BaseModel):
    """One migration, as both of its artifacts record it (``migrated_from`` / ``migrated_to``).

    ``fqn``, ``hash`` and ``dir`` name the *other* artifact: the one it came
    from in the new artifact's metadata, the one it went to in the old one's.
    """

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    fqn: str
    hash: str
    dir: str
    policy: MigrationPolicy
    changes: list[str]
    """What changed, in words: "field `momentum` added with default 0.9"."""
    cascaded_from: str | None = None
    """The hash of the migrated dependency that changed this artifact's hash (a cascaded step)."""
    by: str
    """``furu migrate``, ``furu.migrate()`` or ``declared history of pkg.mod.Class``."""
    at: datetime
    host: str
    user: str


class ConfigRecord(Record):
    """Contents of ``.furu/config.json``: the config, written when an attempt starts.

    ``metadata.json`` exists only after a success; this lets listings, diffs
    and ``furu show`` describe failed, running and crashed artifacts too.
    """

    fqn: str
    hash: str
    version: str
    config: dict[str, Any]
    python: str
    declared_dependencies: list[DependencyRef]


class Metadata(Record):
    """Contents of ``.furu/metadata.json``."""

    fqn: str
    hash: str
    version: str
    version_controlled: bool
    config: dict[str, Any]
    python: str
    furu_version: str
    attempt_id: str
    started_at: datetime
    finished_at: datetime
    duration_secs: float
    host: HostInfo
    environment: PackageEnvironment
    declared_dependencies: list[DependencyRef]
    loaded_dependencies: list[DependencyRef]
    resources: ResourceUsage
    git: GitProvenance | None = None
    imported_from: ImportOrigin | None = None
    code: CodeFingerprint | None = None
    """The producing class's code when it was made (see :mod:`furu.fingerprint`)."""
    migrated_from: MigrationRecord | None = None
    """Set when this result was carried over from an older artifact instead of being computed."""
    migrated_to: list[MigrationRecord] = []
    """Where this result was carried to (each migration appends one)."""


def read_metadata(paths: ArtifactPaths, obj: Config[Any]) -> Metadata:
    try:
        return read_model(paths.metadata, Metadata)
    except FileNotFoundError:
        raise FuruNotFound(
            f"{type(obj).__qualname__} {obj.furu_hash} has no metadata at {paths.metadata}: "
            "it has not been created successfully yet. Call .load_or_create() first."
        ) from None


def dependency_ref(obj: Config[Any]) -> DependencyRef:
    return DependencyRef(fqn=obj.furu_fqn(), hash=obj.furu_hash)


def recorded_provenance(metadata: Metadata, *, require_snapshot: bool = True) -> GitProvenance:
    """The git provenance in ``metadata``; FuruGitError when a snapshot is required and there is none."""
    label = f"{metadata.fqn} {metadata.hash[:8]}"
    git = metadata.git
    if git is None:
        raise FuruNotFound(f"{label} was created by a furu that did not record git provenance.")
    if require_snapshot and (not git.in_repository or git.snapshot_id is None):
        reason = git.note or "it was created outside a git repository"
        raise FuruGitError(
            f"{label} has no code snapshot ({reason}). Set FURU_REQUIRE_GIT=1 so future "
            "artifacts refuse to run without one."
        )
    return git
