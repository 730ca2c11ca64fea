"""Invalidation: make a result count as absent so the next ``load_or_create`` recomputes it.

The directory stays the truth: under the artifact's lock the success marker is
removed first, and that unlink alone is the invalidation (a cache hit checks
nothing else). Then ``state.json`` says ``result="absent"`` and
``events.jsonl`` gets an ``invalidated`` event; on a full disk those records
may not fit, which is reported and does not undo anything. Result files stay
until the recompute overwrites them. An artifact being created right now (a
live lock holder) is never touched.

With ``cascade``, everything downstream is invalidated too, found from every
record of dependencies (see :func:`furu.lineage.downstream`); when some
artifact's records cannot be read, nobody can tell whether it is downstream,
so the cascade is refused unless ``force``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from furu.atomic import CorruptFileError, SymlinkRefusedError, check_internal_dir
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.errors import FuruError
from furu.layout import ArtifactPaths
from furu.lineage import downstream
from furu.locking import FuruArtifactBusy as FuruArtifactBusy, idle_artifact
from furu.state import ArtifactState, read_state, record_event, write_state

SHOWN_UNREADABLE = 5


class FuruCascadeIncomplete(FuruError):
    """Some artifact's dependency records cannot be read, so a cascade might miss dependents."""


class Skipped(BaseModel):
    record: ArtifactRecord
    reason: str


class InvalidationResult(BaseModel):
    invalidated: list[ArtifactRecord] = Field(description="Now absent: the next load_or_create recomputes them.")
    skipped: list[Skipped] = Field(default_factory=list, description="Downstream artifacts left alone, with the reason.")
    unchecked: list[Skipped] = Field(
        default_factory=list,
        description="With --force: successes whose dependency records cannot be read, so they may be downstream.",
    )
    warnings: list[str] = Field(default_factory=list, description="Invalidated, but not every record of it could be written.")


def invalidate_artifact(record: ArtifactRecord | Entry, *, reason: str = "furu invalidate") -> str | None:
    """Mark one artifact absent (see the module docstring); return a warning if it could not be recorded."""
    label = record.label if isinstance(record, ArtifactRecord) else f"{record.fqn} {record.hash[:8]}"
    paths = ArtifactPaths(record.dir)
    if not paths.internal.is_dir():
        raise FuruError(
            f"{label}: {paths.internal} is not a directory, so there is nothing to invalidate; "
            "remove it with `furu rm`."
        )
    check_internal_dir(paths.success)  # never unlink through a .furu that is a link
    with idle_artifact(paths, label=label):
        try:
            paths.success.unlink(missing_ok=True)
        except OSError as error:
            raise FuruError(
                f"Cannot invalidate {label}: removing {paths.success} failed ({error.strerror or error}); "
                "it still counts as a result."
            ) from None
        return _record_invalidation(paths, record, reason, label)


def _record_invalidation(paths: ArtifactPaths, record: ArtifactRecord | Entry, reason: str, label: str) -> str | None:
    """Write state and event; the success marker is gone already, so a failure here is only reported."""
    try:
        state = read_state(paths, record.fqn, record.hash)
    except (CorruptFileError, OSError):
        state = ArtifactState(fqn=record.fqn, hash=record.hash)
    state.result = "absent"
    failures: dict[str, str] = {}
    try:
        write_state(paths, state)
    except (OSError, SymlinkRefusedError) as error:
        failures["state.json"] = _why(error)
    try:
        record_event(paths, "invalidated", reason=reason)
    except (OSError, SymlinkRefusedError) as error:
        failures["events.jsonl"] = _why(error)
    if not failures:
        return None
    return (
        f"invalidated {label}, but could not record it in {' and '.join(failures)} "
        f"({'; '.join(dict.fromkeys(failures.values()))}); it counts as absent all the same: its success marker is gone."
    )


def invalidate(
    entries: list[Entry], *, cascade: bool = False, force: bool = False, catalog: Catalog | None = None
) -> InvalidationResult:
    """Invalidate ``entries`` and, with ``cascade``, everything downstream of them.

    A named artifact that cannot be invalidated raises (FuruArtifactBusy when
    it is being created); a downstream one is skipped and reported. A cascade
    with unreadable dependency records raises :class:`FuruCascadeIncomplete`
    before anything is changed, unless ``force``.
    """
    catalog = catalog or Catalog()
    below = downstream(entries, catalog) if cascade else None
    if below is not None and below.unreadable and not force:
        raise FuruCascadeIncomplete(_incomplete_message(entries, below.unreadable))
    warnings = [warning for entry in entries if (warning := invalidate_artifact(entry)) is not None]
    done = list(entries)
    skipped: list[Skipped] = []
    origin = ", ".join(entry.hash[:8] for entry in entries)
    for entry in below.order if below is not None else []:
        try:
            warning = invalidate_artifact(entry, reason=f"furu invalidate --cascade (upstream: {origin})")
        except FuruError as error:
            skipped.append(Skipped(record=entry.record(), reason=str(error)))
            continue
        if warning is not None:
            warnings.append(warning)
        done.append(entry)
    catalog.validate(done)
    unchecked = [Skipped(record=entry.record(), reason=problem) for entry, problem in below.unreadable] if below else []
    return InvalidationResult(
        invalidated=catalog.records(done, details=False), skipped=skipped, unchecked=unchecked, warnings=warnings
    )


def _incomplete_message(entries: list[Entry], unreadable: list[tuple[Entry, str]]) -> str:
    names = ", ".join(f"{entry.fqn} {entry.hash[:8]}" for entry in entries)
    shown = "; ".join(f"{entry.fqn} {entry.hash[:8]}: {problem}" for entry, problem in unreadable[:SHOWN_UNREADABLE])
    more = f"; and {len(unreadable) - SHOWN_UNREADABLE} more" if len(unreadable) > SHOWN_UNREADABLE else ""
    return (
        f"Cannot tell whether {len(unreadable)} artifact(s) depend on {names}, so --cascade could miss "
        f"dependents: {shown}{more}. Repair or `furu rm` them, or add --force to invalidate what can be found "
        "and leave them as they are. Nothing was invalidated."
    )


def _why(error: OSError | SymlinkRefusedError) -> str:
    if isinstance(error, SymlinkRefusedError):
        return "a symbolic link is in the way, and furu never writes through one"
    return error.strerror or str(error)


def was_invalidated(paths: ArtifactPaths) -> bool:
    """Whether the latest event of the artifact is an invalidation (reads events.jsonl from the end)."""
    try:
        with open(paths.events, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            lines = handle.read().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return False
    for line in reversed(lines):
        if b'"event":"invalidated"' in line:
            return True
        if b'"event":"attempt_' in line:
            return False
    return False
