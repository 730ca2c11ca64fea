"""What a bundle holds: its header and its manifest, defined once for writer and reader.

A bundle is an uncompressed tar stream (see :mod:`furu.share`)::

    furu-bundle.json                     BundleHeader: format and schema version, first
    data/<module parts>/<QualName>/<hash>/...       artifacts from <data root>/data/
    artifacts/<module parts>/<QualName>/<hash>/...  version-controlled artifacts
    code.bundle                          git bundle of the snapshot commits (optional)
    manifest.json                        BundleManifest: every entry with size and digest, last

The header comes first so a reader refuses a bundle from a newer furu before
looking further; the manifest comes last because the writer learns the
digests while it streams the files (one read of every file, never two).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from furu.metadata import DependencyRef
from furu.schema import Record
from furu.share.errors import FuruBundleInvalid, FuruBundleTooNew

FORMAT: Literal["furu-bundle"] = "furu-bundle"
HEADER_MEMBER = "furu-bundle.json"
MANIFEST_MEMBER = "manifest.json"
CODE_MEMBER: Literal["code.bundle"] = "code.bundle"
DATA_PREFIX = "data/"
ARTIFACTS_PREFIX = "artifacts/"

_HASH = re.compile(r"[0-9a-f]{32}")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")

FileKind = Literal["file", "dir", "symlink"]
PickleFormat = Literal["pickle", "torch", "joblib", "numpy-object"]

RecordT = TypeVar("RecordT", bound=Record)


def check_relative(path: str) -> str:
    """A '/'-separated relative path with no empty, ``.`` or ``..`` part (ValueError otherwise)."""
    if not path or path.startswith("/") or "\x00" in path or "\\" in path:
        raise ValueError(f"{path!r} is not a plain relative path")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"{path!r} has an empty, '.' or '..' part")
    return path


class FileEntry(BaseModel):
    """One file, directory or symlink inside an artifact directory."""

    path: str = Field(description="Relative to the artifact directory, '/'-separated.")
    kind: FileKind = "file"
    size: int = Field(default=0, ge=0, description="Bytes (files only).")
    xxh3_128: str | None = Field(default=None, description="xxh3-128 hex digest of the content (files only).")
    target: str | None = Field(default=None, description="Link target (symlinks only), relative, inside the artifact.")
    unpickles_code: bool = Field(
        default=False, description="Loading this file runs pickle, which can execute arbitrary code."
    )
    pickle_format: PickleFormat | None = None

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return check_relative(value)

    @model_validator(mode="after")
    def _kind_fields(self) -> FileEntry:
        if self.kind == "file" and (self.xxh3_128 is None or not _HASH.fullmatch(self.xxh3_128)):
            raise ValueError(f"file {self.path!r} needs a 32-hex-digit xxh3_128 digest")
        if self.kind == "symlink" and not self.target:
            raise ValueError(f"symlink {self.path!r} needs a target")
        if self.kind != "file" and (self.size or self.xxh3_128):
            raise ValueError(f"{self.kind} {self.path!r} cannot have a size or digest")
        return self


class ExperimentEntry(BaseModel):
    """One artifact in the bundle, with what rebuilds its config."""

    fqn: str
    hash: str
    version_controlled: bool
    location: str = Field(description="``<module parts>/<QualName>/<hash>`` relative to its root.")
    requested: bool = Field(description="Chosen by the exporter (False: included as a dependency).")
    python: str = Field(description="Python source that rebuilds the config object.")
    config: dict[str, Any] = Field(description="The config as JSON (``Furu.from_dict`` rebuilds it).")
    snapshot_id: str | None = Field(default=None, description="The git snapshot commit of its code.")
    dependencies: list[DependencyRef] = Field(default_factory=list)
    exported_from_dir: str = Field(description="Where the artifact lived at the exporter.")
    files: list[FileEntry]

    @field_validator("hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        if not _HASH.fullmatch(value):
            raise ValueError(f"{value!r} is not a furu hash (32 lowercase hex digits)")
        return value

    @field_validator("snapshot_id")
    @classmethod
    def _snapshot(cls, value: str | None) -> str | None:
        if value is not None and not _OBJECT_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a git commit id")
        return value

    @model_validator(mode="after")
    def _location(self) -> ExperimentEntry:
        check_relative(self.location)
        parts = self.location.split("/")
        nested = any(_HASH.fullmatch(part) for part in parts[:-1])  # an artifact inside another
        if len(parts) < 3 or parts[-1] != self.hash or nested or any(part.startswith(".") for part in parts):
            raise ValueError(f"location {self.location!r} is not <module parts>/<QualName>/{self.hash}")
        paths = [entry.path for entry in self.files]
        if len(set(paths)) != len(paths):
            raise ValueError(f"{self.location} lists a file twice")
        return self

    @property
    def member_prefix(self) -> str:
        """Where its files sit in the tar: ``data/<location>/`` or ``artifacts/<location>/``."""
        return f"{ARTIFACTS_PREFIX if self.version_controlled else DATA_PREFIX}{self.location}/"

    @property
    def label(self) -> str:
        return f"{self.fqn} {self.hash[:8]}"

    @property
    def unpickling_files(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.unpickles_code]


class CodeEntry(BaseModel):
    """The git bundle of the snapshot commits."""

    member: Literal["code.bundle"] = CODE_MEMBER
    size: int = Field(ge=0)
    xxh3_128: str
    snapshot_ids: list[str] = Field(description="Snapshot commits in the bundle, as refs/furu/snapshots/<id>.")


class BundleHeader(Record):
    """``furu-bundle.json``, the first entry: says what this file is before anything else is read."""

    SCHEMA_VERSION = 1
    format: Literal["furu-bundle"] = FORMAT
    furu_version: str


class BundleManifest(Record):
    """``manifest.json``, the last entry: everything in the bundle, with sizes and digests."""

    SCHEMA_VERSION = 1
    format: Literal["furu-bundle"] = FORMAT
    furu_version: str
    exported_at: datetime
    host: str
    user: str
    project_root: str | None = None
    experiments: list[ExperimentEntry]
    code: CodeEntry | None = None
    missing_snapshot_ids: list[str] = Field(
        default_factory=list, description="Snapshots the exporter's repository did not have."
    )
    missing_dependencies: list[DependencyRef] = Field(
        default_factory=list, description="Dependencies that were not on disk at the exporter."
    )

    @model_validator(mode="after")
    def _unique(self) -> BundleManifest:
        hashes = [experiment.hash for experiment in self.experiments]
        if len(set(hashes)) != len(hashes):
            raise ValueError("an experiment is listed twice")
        return self

    def members(self) -> dict[str, FileEntry]:
        """Every artifact entry of the tar, by member name."""
        return {
            experiment.member_prefix + entry.path: entry
            for experiment in self.experiments
            for entry in experiment.files
        }


def parse_record(data: bytes, model: type[RecordT], bundle: str | Path, member: str) -> RecordT:
    """Validate a header or manifest, telling a newer schema apart from a broken file."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise FuruBundleInvalid(bundle, f"{member} is not valid JSON ({error}).") from None
    version = raw.get("schema_version") if isinstance(raw, dict) else None
    if isinstance(version, int) and version > model.SCHEMA_VERSION:
        raise FuruBundleTooNew(
            bundle,
            f"{member} has schema version {version}, newer than this furu understands "
            f"({model.SCHEMA_VERSION}); upgrade furu (pip install -U furu) to import it.",
        )
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise FuruBundleInvalid(
            bundle,
            f"{member} does not validate as a {model.__name__} ({error.error_count()} problem(s), "
            f"first at {where}: {first['msg']}).",
        ) from None
