"""Invalidation: make a result count as absent so the next ``load_or_create`` recomputes it.

The directory stays the truth: under the artifact's lock the success marker is
removed, ``state.json`` says ``result="absent"`` and ``events.jsonl`` gets an
``invalidated`` event. Result files stay until the recompute overwrites them.
An artifact being created right now (a live lock holder) is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel, Field

from furu.atomic import CorruptFileError
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.errors import FuruError
from furu.layout import ArtifactPaths
from furu.lineage import transitive_dependents
from furu.locking import ArtifactLock
from furu.settings import Settings, current
from furu.state import ArtifactState, read_state, record_event, write_state


class FuruArtifactBusy(FuruError):
    """The artifact is being created by a live process, so it cannot be changed now."""


class Skipped(BaseModel):
    record: ArtifactRecord
    reason: str


class InvalidationResult(BaseModel):
    invalidated: list[ArtifactRecord] = Field(description="Now absent: the next load_or_create recomputes them.")
    skipped: list[Skipped] = Field(default_factory=list, description="Left alone, with the reason.")


@contextmanager
def idle_artifact(paths: ArtifactPaths, settings: Settings | None = None) -> Iterator[ArtifactLock]:
    """Hold the artifact's lock, taking over a dead holder; FuruArtifactBusy if a live one has it."""
    settings = settings or current()
    lock = ArtifactLock(paths.lock, lease_secs=settings.lease_secs, heartbeat_secs=settings.effective_heartbeat_secs)
    busy = lock.acquire_unless_busy()
    if busy is not None:
        raise FuruArtifactBusy(
            f"{paths.root} is being created right now (lock {busy.describe()}); "
            "wait for it to finish or stop that process first."
        )
    try:
        yield lock
    finally:
        lock.release()


def invalidate_artifact(record: ArtifactRecord | Entry, *, reason: str = "furu invalidate") -> None:
    """Mark one artifact absent (see the module docstring)."""
    paths = ArtifactPaths(record.dir)
    if not paths.internal.is_dir():
        raise FuruError(f"{record.dir} has no .furu/ directory, so there is nothing to invalidate; remove it with `furu rm`.")
    with idle_artifact(paths):
        paths.success.unlink(missing_ok=True)
        try:
            state = read_state(paths, record.fqn, record.hash)
        except CorruptFileError:
            state = ArtifactState(fqn=record.fqn, hash=record.hash)
        state.result = "absent"
        write_state(paths, state)
        record_event(paths, "invalidated", reason=reason)


def invalidate(entries: list[Entry], *, cascade: bool = False, catalog: Catalog | None = None) -> InvalidationResult:
    """Invalidate ``entries`` and, with ``cascade``, everything downstream of them.

    A named artifact that is being created raises :class:`FuruArtifactBusy`;
    a downstream one is skipped and reported.
    """
    catalog = catalog or Catalog()
    downstream = transitive_dependents(entries, catalog) if cascade else []
    for entry in entries:
        invalidate_artifact(entry)
    done = list(entries)
    skipped: list[Skipped] = []
    origin = ", ".join(entry.hash[:8] for entry in entries)
    for entry in downstream:
        try:
            invalidate_artifact(entry, reason=f"furu invalidate --cascade (upstream: {origin})")
        except FuruArtifactBusy as error:
            skipped.append(Skipped(record=entry.record(), reason=str(error)))
            continue
        done.append(entry)
    catalog.validate(done)
    return InvalidationResult(invalidated=catalog.records(done, details=False), skipped=skipped)


def was_invalidated(paths: ArtifactPaths) -> bool:
    """Whether the latest event of the artifact is an invalidation (reads events.jsonl from the end)."""
    try:
        with open(paths.events, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return False
    for line in reversed(lines):
        if b'"event":"invalidated"' in line:
            return True
        if b'"event":"attempt_' in line:
            return False
    return False
