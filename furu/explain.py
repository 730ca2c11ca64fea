"""Why would this config recompute? The cache-miss explanation behind ``furu explain``.

A config is cached when its directory holds a success marker and
``_validate()`` agrees. Otherwise the explanation says what its own directory
shows (never started, failed, running, invalidated, ...) and compares it with
the nearest existing artifacts of the same class: exactly which fields differ
(``lr changed 0.001 -> 0.0003``), whether the class's version changed, and
whether its schema changed (fields added or removed) since they were made.
It also says when the code of a result's class changed since it was made
(:mod:`furu.fingerprint`): never a reason to recompute, but a reason to doubt
that a cached result is what the code makes today.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord, Catalog
from furu.core import Furu
from furu.diffing import FieldChange, diff_configs
from furu.invalidate import was_invalidated

NEAREST = 3


class Neighbour(BaseModel):
    """An existing artifact of the same class, and how its config differs."""

    record: ArtifactRecord
    changes: list[FieldChange] = Field(description="Fields that differ (hash-relevant ones first).")
    version_change: tuple[str, str] | None = Field(default=None, description="(its version, the class's version now).")
    schema_changes: list[str] = Field(default_factory=list, description="Fields added to or removed from a class since.")

    def reasons(self) -> list[str]:
        out = []
        if self.version_change is not None:
            out.append(f"class version changed {self.version_change[0]!r} -> {self.version_change[1]!r}")
        out += self.schema_changes
        out += [change.describe() for change in self.changes if change.affects_hash is not False and change.kind == "changed"]
        if not out and any(change.affects_hash is not False for change in self.changes):
            out.append("; ".join(change.describe() for change in self.changes))
        return out


class Explanation(BaseModel):
    fqn: str
    hash: str
    dir: str
    cached: bool
    status: str = Field(description="Its own directory's status, or 'missing' when there is none.")
    summary: str = Field(description="One sentence for humans.")
    details: list[str] = Field(default_factory=list)
    nearest: list[Neighbour] = Field(default_factory=list)


def explain(obj: Furu[Any], *, catalog: Catalog | None = None, nearest: int = NEAREST) -> Explanation:
    catalog = catalog or Catalog()
    fqn, furu_hash, paths = obj.furu_fqn(), obj.furu_hash, obj._paths()
    label = f"{fqn} {furu_hash[:8]}"
    base: dict[str, Any] = {"fqn": fqn, "hash": furu_hash, "dir": paths.root_str}
    entry = catalog.entry_at(paths.root) if paths.root.is_dir() else None
    if entry is not None and paths.success.exists():
        drift = _drift_lines([catalog.records([entry], details=True)[0]], own=True)
        if obj._validate():
            return Explanation(
                **base, cached=True, status="success", details=drift,
                summary=f"Cached: {label} is in {paths.root_str}; load_or_create() will load it.",
            )
        return Explanation(
            **base, cached=False, status="success", details=drift,
            summary=f"Will recompute {label}: its result exists but {type(obj).__qualname__}._validate() rejects it.",
        )
    own = _own_story(entry, paths) if entry is not None else None
    neighbours = _nearest(obj, catalog, nearest)
    if own is not None:
        summary = f"Will recompute {label}: {own}."
    elif neighbours:
        first = neighbours[0]
        why = "; ".join(first.reasons()) or "no hashed field differs, yet the hash does (the hash encoding changed)"
        summary = f"Will compute {label}: never created. Nearest existing artifact {first.record.short_hash}: {why}."
    else:
        summary = f"Will compute {label}: never created, and no artifact of {fqn} exists yet."
    details = []
    if entry is not None and entry.problem:
        details.append(entry.problem)
    details += _drift_lines([neighbour.record for neighbour in neighbours], own=False)
    return Explanation(
        **base, cached=False, status=entry.status if entry is not None else "missing",
        summary=summary, details=details, nearest=neighbours,
    )


def _drift_lines(records: list[ArtifactRecord], *, own: bool) -> list[str]:
    """One line per result whose class's code changed since it was made, and how to see the change."""
    lines = []
    for record in records:
        if record.code_drift is None:
            continue
        who = "the cached result" if own else f"nearest {record.short_hash}"
        lines.append(f"{who}: {record.code_drift.sentence}; furu show {record.short_hash} --code-diff shows how")
    return lines


def _own_story(entry: Any, paths: Any) -> str:
    status = entry.status
    if status == "running":
        return "it is being created right now (a live process holds its lock); load_or_create() will wait for it"
    if status == "queued":
        return "it is queued on a cluster; load_or_create() will wait for it"
    if status == "failed":
        return f"its last attempt failed ({entry.problem})" if entry.problem else "its last attempt failed"
    if status == "crashed":
        return f"its last attempt crashed ({entry.problem})"
    if status == "preempted":
        return "its last attempt was preempted; it resumes from its checkpoint"
    if status == "corrupt":
        return f"its directory is corrupt ({entry.problem})"
    if was_invalidated(paths):
        return "it was invalidated (furu invalidate)"
    if entry.attempts:
        return "its success marker is gone (removed by hand?)"
    return "its directory exists but no attempt was ever recorded"


def _nearest(obj: Furu[Any], catalog: Catalog, limit: int) -> list[Neighbour]:
    fqn, own_hash = obj.furu_fqn(), obj.furu_hash
    entries = [e for e in catalog.refresh(lambda name: name == fqn) if e.fqn == fqn and e.hash != own_hash]
    catalog.ensure_details(entries)
    config = obj.to_dict()
    version = type(obj).furu_version
    scored = []
    for entry in entries:
        if entry.config is None:
            continue
        changes = diff_configs(entry.config, config)
        relevant = sum(change.affects_hash is not False for change in changes)
        stale = (entry.details.version if entry.details else None) != version
        scored.append((relevant + stale, entry.status != "success", -(entry.updated_ts or 0), entry, changes))
    scored.sort(key=lambda item: item[:3])
    out = []
    for _, _, _, entry, changes in scored[:limit]:
        old_version = entry.details.version if entry.details else None
        schema = [
            f"field {c.path} {'added to' if c.kind == 'added' else 'removed from'} the class since"
            for c in changes if c.kind != "changed"
        ]
        changes.sort(key=lambda c: (c.affects_hash is False, c.path))
        out.append(
            Neighbour(
                record=catalog.records([entry], details=True)[0],
                changes=changes,
                version_change=(old_version or "", version) if old_version is not None and old_version != version else None,
                schema_changes=schema,
            )
        )
    return out
