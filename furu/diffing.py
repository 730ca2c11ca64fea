"""What differs between two configs, field by field, by dotted path (through nested configs).

Configs are compared as stored (``to_dict`` form), so a nested dependency's
fields appear as ``data.name``; a nested config of another class shows as a
change of ``data.__class__``. Each change says whether it takes part in the
hash (fields marked ``skip_hash`` do not), when the class can be imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord
from furu.errors import FuruError, FuruGitError
from furu.serialization import CLASS_KEY, entries

ChangeKind = Literal["changed", "added", "removed"]
_ABSENT = object()


class FieldChange(BaseModel):
    path: str = Field(description="Dotted path, e.g. data.name or datasets.0.rows.")
    kind: ChangeKind = Field(description="added: only in b; removed: only in a.")
    a: Any = None
    b: Any = None
    affects_hash: bool | None = Field(default=None, description="None when the class could not be imported.")

    def describe(self) -> str:
        if self.kind == "added":
            return f"{self.path} added ({_show(self.b)})"
        if self.kind == "removed":
            return f"{self.path} removed (was {_show(self.a)})"
        return f"{self.path} changed {_show(self.a)} -> {_show(self.b)}"


class ConfigDiff(BaseModel):
    """``furu diff``: two artifacts' config differences, and optionally their code differences."""

    a: ArtifactRecord
    b: ArtifactRecord
    changes: list[FieldChange]
    code_patch: str | None = Field(default=None, description="Unified diff from a's code snapshot to b's.")
    code_note: str | None = Field(default=None, description="Why there is no code diff, when there is none.")


def diff_configs(a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[FieldChange]:
    """Every differing leaf between two stored configs."""
    changes: list[FieldChange] = []
    _walk(a or {}, b or {}, (), changes, _HashedFields())
    return changes


def diff_records(a: ArtifactRecord, b: ArtifactRecord, *, code: bool = False, repo_path: Path | None = None) -> ConfigDiff:
    """Compare two artifacts' configs and, with ``code``, the code snapshots that produced them."""
    for record in (a, b):
        if record.config is None:
            raise FuruError(
                f"{record.label} has no stored config (metadata.json is written when an attempt succeeds; "
                f"its status is {record.status}), so there is nothing to compare."
            )
    result = ConfigDiff(a=a, b=b, changes=diff_configs(a.config, b.config))
    if code:
        result.code_patch, result.code_note = code_diff(a, b, repo_path)
    return result


def code_diff(a: ArtifactRecord, b: ArtifactRecord, repo_path: Path | None = None) -> tuple[str | None, str | None]:
    """``(patch, None)`` from a's code snapshot to b's, or ``(None, why not)``."""
    snapshots = []
    for record in (a, b):
        snapshot, repo_root, note = _snapshot_of(record)
        if snapshot is None:
            return None, f"{record.label} has no code snapshot: {note}"
        snapshots.append(snapshot)
        repo_path = repo_path or (Path(repo_root) if repo_root else None)
    if snapshots[0] == snapshots[1]:
        return "", None
    import pygit2

    from furu.settings import current

    start = repo_path or current().project_root or Path.cwd()
    found = pygit2.discover_repository(str(start))
    if found is None:
        return None, f"no git repository at {start} to read the snapshots from"
    repo = pygit2.Repository(found)
    try:
        old = repo.revparse_single(snapshots[0]).peel(pygit2.Commit)
        new = repo.revparse_single(snapshots[1]).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return None, (
            f"snapshot {snapshots[0][:12]} or {snapshots[1][:12]} is not in {found} "
            "(fetch refs/furu/* from where the artifacts were made)"
        )
    diff = repo.diff(old, new)
    diff.find_similar()
    return diff.patch or "", None


def _snapshot_of(record: ArtifactRecord) -> tuple[str | None, str | None, str]:
    from furu.atomic import read_model
    from furu.metadata import Metadata

    try:
        metadata = read_model(record.paths.metadata, Metadata)
    except FileNotFoundError:
        return None, None, "it has no metadata.json (it never succeeded)"
    except FuruError as error:
        return None, None, str(error)
    git = metadata.git
    if git is None or not git.snapshot_id:
        why = (git.note if git is not None else None) or "no git provenance was recorded"
        return None, None, why
    return git.snapshot_id, git.repo_root, ""


class _HashedFields:
    """Which fields of a class take part in the hash, by class name (None: unknown)."""

    def __init__(self) -> None:
        self.cache: dict[str, frozenset[str] | None] = {}

    def __call__(self, fqn: str | None) -> frozenset[str] | None:
        if fqn is None:
            return None
        if fqn not in self.cache:
            from furu.identity import hashed_field_names
            from furu.importing import make_project_importable
            from furu.serialization import import_class

            make_project_importable()
            try:
                cls = import_class(fqn)
                self.cache[fqn] = frozenset(hashed_field_names(cls)) if hasattr(cls, "model_fields") else None
            except (FuruError, FuruGitError, TypeError):
                self.cache[fqn] = None
        return self.cache[fqn]


def _walk(a: Any, b: Any, path: tuple[str, ...], out: list[FieldChange], hashed: _HashedFields, affects: bool | None = True) -> None:
    a, b = _unwrap(a), _unwrap(b)
    if isinstance(a, dict) and isinstance(b, dict):
        # Each side's class decides for its own fields: across classes, a field only
        # b's class has is judged by b's class, never reported "not hashed" by a's.
        fields_a, fields_b = hashed(a.get(CLASS_KEY) or b.get(CLASS_KEY)), hashed(b.get(CLASS_KEY) or a.get(CLASS_KEY))
        keys = sorted(set(a) | set(b), key=lambda key: (key != CLASS_KEY, key))
        for key in keys:
            child_affects = affects
            fields = fields_b if key in b else fields_a
            if key != CLASS_KEY and fields is not None and affects is not False:
                child_affects = key in fields
            _walk(a.get(key, _ABSENT), b.get(key, _ABSENT), (*path, key), out, hashed, child_affects)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (left, right) in enumerate(zip(a, b, strict=True)):
            _walk(left, right, (*path, str(index)), out, hashed, affects)
        return
    if a is _ABSENT and b is _ABSENT:
        return
    if a is _ABSENT:
        out.append(FieldChange(path=".".join(path), kind="added", b=b, affects_hash=affects))
    elif b is _ABSENT:
        out.append(FieldChange(path=".".join(path), kind="removed", a=a, affects_hash=affects))
    elif not _same(a, b):
        out.append(FieldChange(path=".".join(path), kind="changed", a=a, b=b, affects_hash=affects))


def _unwrap(value: Any) -> Any:
    return entries(value)  # tuples as lists, {"__dict__": pairs} by key text


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _show(value: Any) -> str:
    if isinstance(value, dict) and CLASS_KEY in value:
        return f"{value[CLASS_KEY].rsplit('.', 1)[-1]}(...)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
