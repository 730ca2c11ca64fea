"""Garbage collection: find artifacts nobody will load again, and remove them safely.

Candidates, by reason:

* ``failed``: the latest attempt raised;
* ``crashed``: an attempt stopped without an outcome, and no live process holds its lock;
* ``incomplete``: started but never finished (preempted, or invalidated) and not running;
* ``corrupt``: a furu file in ``.furu/`` cannot be read;
* ``orphaned``: its class can no longer be imported, its stored config is no longer
  valid for the class, or the config now hashes to a different directory (the
  class's fields or version changed), so no ``load_or_create`` can reach it;
* ``unused`` (only with ``older_than``): succeeded, untagged, nothing depends on it,
  and not updated for that long.

Tagged and version-controlled artifacts are protected unless asked for
explicitly; running and queued ones are never candidates. Removal renames the
directory out of the way under its lock, then deletes it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.errors import FuruError
from furu.invalidate import idle_artifact
from furu.layout import ArtifactPaths
from furu.lineage import dependents_index

GcReason = Literal["failed", "crashed", "incomplete", "corrupt", "orphaned", "unused"]
REASONS: tuple[str, ...] = ("failed", "crashed", "incomplete", "corrupt", "orphaned", "unused")
_BY_STATUS: dict[str, GcReason] = {
    "failed": "failed",
    "crashed": "crashed",
    "preempted": "incomplete",
    "absent": "incomplete",
    "corrupt": "corrupt",
}


class GcCandidate(BaseModel):
    record: ArtifactRecord
    reason: GcReason
    detail: str


class GcPlan(BaseModel):
    """What ``furu gc`` would delete, and what it leaves alone because it is protected."""

    candidates: list[GcCandidate]
    protected: list[GcCandidate] = Field(description="Would be candidates, but are tagged or version-controlled.")
    counts: dict[str, int] = Field(description="Candidates per reason.")
    bytes: dict[str, int] = Field(description="Bytes per reason.")
    total_bytes: int


class RemovalResult(BaseModel):
    removed: list[ArtifactRecord]
    freed_bytes: int
    skipped: list[GcCandidate] = Field(default_factory=list)


def plan_gc(
    catalog: Catalog | None = None,
    *,
    older_than: timedelta | None = None,
    include_tagged: bool = False,
    include_version_controlled: bool = False,
) -> GcPlan:
    """Find the candidates (nothing is deleted)."""
    catalog = catalog or Catalog()
    entries = catalog.refresh()
    catalog.ensure_marks(entries)
    found: list[tuple[Entry, GcReason, str]] = []
    for entry in entries:
        reason = _BY_STATUS.get(entry.status)
        if reason is not None:
            found.append((entry, reason, entry.problem or entry.status))
    settled = [entry for entry in entries if entry.status == "success"]
    catalog.ensure_details(settled)
    for entry, detail in _orphans([e for e in settled if e.status == "success"], catalog):
        found.append((entry, "orphaned", detail))
    if older_than is not None:
        cutoff = time.time() - older_than.total_seconds()
        reverse = dependents_index(catalog)
        flagged = {id(entry) for entry, _, _ in found}
        for entry in settled:
            if (
                id(entry) not in flagged and entry.status == "success" and not entry.tags
                and not reverse.get(entry.hash) and (entry.updated_ts or 0) < cutoff
            ):
                found.append((entry, "unused", f"nothing depends on it; not updated for over {_days(older_than)}"))
    catalog.ensure_sizes([entry for entry, _, _ in found])
    candidates, protected = [], []
    for entry, reason, detail in found:
        item = GcCandidate(record=entry.record(), reason=reason, detail=detail)
        if (entry.tags and not include_tagged) or (entry.version_controlled and not include_version_controlled):
            protected.append(item)
        else:
            candidates.append(item)
    counts = {reason: sum(c.reason == reason for c in candidates) for reason in REASONS}
    sizes = {reason: sum(c.record.size_bytes or 0 for c in candidates if c.reason == reason) for reason in REASONS}
    return GcPlan(candidates=candidates, protected=protected, counts=counts, bytes=sizes, total_bytes=sum(sizes.values()))


def collect(plan: GcPlan, catalog: Catalog | None = None) -> RemovalResult:
    """Delete the plan's candidates (each re-checked under its lock first)."""
    catalog = catalog or Catalog()
    removed: list[ArtifactRecord] = []
    skipped: list[GcCandidate] = []
    freed = 0
    with catalog.progress("Deleting artifacts", len(plan.candidates)) as advance:
        for candidate in plan.candidates:
            try:
                remove_artifact(candidate.record, expect_reason=candidate.reason)
            except FuruError as error:
                skipped.append(candidate.model_copy(update={"detail": str(error)}))
            else:
                removed.append(candidate.record)
                freed += candidate.record.size_bytes or 0
            advance(1)
    catalog.refresh()
    return RemovalResult(removed=removed, freed_bytes=freed, skipped=skipped)


def remove_artifact(record: ArtifactRecord, *, expect_reason: str | None = None) -> None:
    """Delete an artifact directory: under its lock, renamed away first so nobody sees half of it.

    With ``expect_reason`` (from a gc plan) a result that succeeded since the
    plan was made is kept, unless the reason was about success itself.
    """
    paths = ArtifactPaths(record.dir)
    if not paths.root.is_dir():
        return
    tombstone = paths.root.with_name(f".{paths.root.name}.furu-deleting-{secrets.token_hex(4)}")
    if paths.internal.is_dir():
        with idle_artifact(paths):  # FuruArtifactBusy when a live process is creating it
            if expect_reason in ("failed", "crashed", "incomplete") and paths.success.exists():
                raise FuruError(f"{record.label} succeeded since gc looked at it; kept.")
            os.rename(paths.root, tombstone)
    else:
        os.rename(paths.root, tombstone)
    shutil.rmtree(tombstone, ignore_errors=True)


def _orphans(entries: list[Entry], catalog: Catalog) -> list[tuple[Entry, str]]:
    """Successful artifacts no config object of today's code can reach."""
    from furu.serialization import from_dict, import_class

    classes: dict[str, Any] = {}
    orphans: list[tuple[Entry, str]] = []
    with catalog.progress("Checking configs against today's classes", len(entries)) as advance:
        for entry in entries:
            advance(1)
            if entry.fqn not in classes:
                try:
                    classes[entry.fqn] = import_class(entry.fqn)
                except FuruError:
                    classes[entry.fqn] = None
            if classes[entry.fqn] is None:
                orphans.append((entry, f"class {entry.fqn} can no longer be imported"))
                continue
            config = entry.config
            if config is None:
                continue
            try:
                obj = from_dict(config)
                rebuilt = obj.furu_hash
            except Exception as error:  # noqa: BLE001 - any failure means today's code cannot rebuild it
                message = str(error).strip().splitlines()
                orphans.append((entry, f"its stored config is no longer valid for the class: {message[0] if message else type(error).__name__}"))
                continue
            if rebuilt != entry.hash:
                orphans.append((entry, f"its config now hashes to {rebuilt[:8]} (the class's fields, types or version changed)"))
    return orphans


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{delta.total_seconds():g}s"
