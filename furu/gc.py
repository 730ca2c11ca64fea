"""Garbage collection: find artifacts nobody will load again, and remove them safely.

Candidates, by reason:

* ``failed``: the latest attempt raised;
* ``crashed``: an attempt stopped without an outcome, and no live process holds its lock;
* ``incomplete``: started but never finished (preempted, or invalidated) and not running;
* ``corrupt``: a furu file in ``.furu/`` cannot be read and there is no success marker;
* ``stale`` (only with ``include_stale``): succeeded, but today's classes no longer rebuild
  its stored config, or rebuild it with another hash (see :mod:`furu.staleness`);
* ``unused`` (only with ``older_than``): succeeded, untagged, nothing depends on it,
  and not updated for that long.

gc never deletes a result ``load_or_create`` would still load. Kept, and listed
with why: ``unknown`` (a class of its config does not import here: gc cannot
judge it; always so for a class defined in a notebook or ``python -c``, which
only its own process can import, see :mod:`furu.namespace`), ``stale``
without ``include_stale``, and ``damaged`` (a success marker
is there but another furu file is unreadable). Tagged and version-controlled
artifacts are protected unless asked for explicitly; running and queued ones
are never candidates. Removal re-checks every reason under the artifact's lock
(see :mod:`furu.removal`).

Only the successes gc might delete are checked against today's classes, because
the check imports them and rebuilds and rehashes each stored config (about a
second per 10,000 successes). With ``include_stale`` that is every success; with
``older_than`` alone, the old, untagged ones nothing depends on (the would-be
``unused``: a stale or unknown one among them is kept, as before); otherwise
none. The failed, crashed, incomplete and corrupt reasons come from the
artifacts' state and success markers alone. Successes that were not checked are
counted in :attr:`GcPlan.unchecked`, not listed: stale or unknown ones among
them are kept whatever they are, so the plan does not need to know which.
Without ``include_stale`` and ``older_than`` the plan is then a few queries over
the catalog's index: records are built only for the candidates it lists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.catalog.catalog import CREATED_ORDER
from furu.errors import FuruError
from furu.invalidate import FuruArtifactBusy
from furu.removal import FuruRemovalKept, Removal, remove_artifact, success_attempt

GcReason = Literal["failed", "crashed", "incomplete", "corrupt", "stale", "unused"]
REASONS: tuple[str, ...] = ("failed", "crashed", "incomplete", "corrupt", "stale", "unused")
KeptKind = Literal["unknown", "stale", "damaged"]
KEPT_KINDS: tuple[str, ...] = ("unknown", "stale", "damaged")
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
    success_attempt: str | None = Field(
        default=None, description="For stale and unused: the success marker's attempt; removal checks it is unchanged."
    )


class GcKept(BaseModel):
    """An artifact gc looked at and will not delete, and why."""

    record: ArtifactRecord
    kind: KeptKind
    detail: str


class GcPlan(BaseModel):
    """What ``furu gc`` would delete, and what it leaves alone."""

    candidates: list[GcCandidate] = Field(description="What gc deletes (only the newest ones with plan_gc(listed=N)).")
    protected: list[GcCandidate] = Field(
        description="Would be candidates, but are tagged or version-controlled (only the newest with plan_gc(listed=N))."
    )
    protected_count: int = Field(description="How many are protected, also when `protected` lists only some.")
    kept: list[GcKept] = Field(
        default_factory=list,
        description=(
            "Never deleted by this plan: unknown (class does not import here, or was defined in a notebook "
            "or `python -c`), stale (checked for --older-than, without --stale), damaged. Only checked "
            "successes can be unknown or stale: see `unchecked`."
        ),
    )
    counts: dict[str, int] = Field(description="Candidates per reason (all of them, also when `candidates` lists only some).")
    bytes: dict[str, int] = Field(description="Bytes per reason.")
    total_bytes: int
    unchecked: int = Field(
        default=0,
        description=(
            "Successes not checked against today's classes (no --stale): stale or unknown ones among them "
            "are kept without being listed in `kept`; --stale checks them all."
        ),
    )


class RemovalResult(BaseModel):
    removed: list[ArtifactRecord]
    freed_bytes: int
    skipped: list[GcCandidate] = Field(default_factory=list, description="Kept after all (changed since the plan, or busy), why in detail.")
    failed: list[GcCandidate] = Field(default_factory=list, description="Could not be removed (an error on disk), why in detail.")
    warnings: list[str] = Field(default_factory=list, description="Removed, but something was left on disk.")


def plan_gc(
    catalog: Catalog | None = None,
    *,
    older_than: timedelta | None = None,
    include_stale: bool = False,
    include_tagged: bool = False,
    include_version_controlled: bool = False,
    listed: int | None = None,
) -> GcPlan:
    """Find the candidates (nothing is deleted).

    ``listed`` keeps only the newest that many candidates, and as many protected
    ones, as records: a dry run that shows twenty of 10,000 candidates reads no
    more rows than it shows. Counts and sizes always cover them all.
    """
    catalog = catalog or Catalog()
    if include_stale or older_than is not None:
        plan = _checked_plan(catalog, older_than, include_stale, include_tagged, include_version_controlled)
    else:
        plan = _unchecked_plan(catalog, include_tagged, include_version_controlled, listed)
    if listed is not None:
        plan.candidates, plan.protected = plan.candidates[:listed], plan.protected[:listed]
    return plan


def _unchecked_plan(catalog: Catalog, include_tagged: bool, include_version_controlled: bool, listed: int | None) -> GcPlan:
    """Without --stale or --older-than: the plan is a few queries over the index, and no success is read."""
    catalog.sync()
    catalog.ensure_rows(("marks",))  # tags, and success markers: one under a failed state.json makes it damaged
    collectable = f"a.status IN ({', '.join(repr(status) for status in _BY_STATUS)})"
    protection = _protection_sql(include_tagged, include_version_controlled)
    catalog.ensure_rows(("sizes",), where=collectable)
    counts, sizes, protected_count = dict.fromkeys(REASONS, 0), dict.fromkeys(REASONS, 0), 0
    query = f"SELECT a.status, {protection}, count(*), total(a.size_bytes) FROM artifacts a WHERE {collectable} GROUP BY 1, 2"
    for status, is_protected, number, size in catalog.execute(query):
        if is_protected:
            protected_count += number
        else:
            counts[_BY_STATUS[status]] += number
            sizes[_BY_STATUS[status]] += int(size)

    def listing(where: str, index: str | None = None) -> list[GcCandidate]:
        entries = catalog.select(where, order=CREATED_ORDER, limit=listed, details=False, index=index)
        return [GcCandidate(record=e.record(), reason=_BY_STATUS[e.status], detail=e.problem or e.status) for e in entries]

    # Candidates are many (the newest are found walking the creation index); protected and damaged ones, few.
    damaged = catalog.select("a.status = 'damaged'", order=CREATED_ORDER, details=False, index="artifacts_status")
    return GcPlan(
        candidates=listing(f"{collectable} AND NOT ({protection})"),
        protected=listing(f"{collectable} AND ({protection})", index="artifacts_status"),
        protected_count=protected_count,
        kept=[GcKept(record=entry.record(), kind="damaged", detail=_damaged(entry)) for entry in damaged],
        counts=counts,
        bytes=sizes,
        total_bytes=sum(sizes.values()),
        unchecked=catalog.count("a.status = 'success'"),
    )


def _protection_sql(include_tagged: bool, include_version_controlled: bool) -> str:
    """Whether an ``artifacts a`` row is protected: tagged, or version-controlled, unless asked to collect those."""
    terms = [] if include_tagged else ["a.tags != '[]'"]
    if not include_version_controlled:
        terms.append("a.shard IN (SELECT sh.id FROM shards sh WHERE sh.version_controlled)")
    return f"({' OR '.join(terms)})" if terms else "0"


def _checked_plan(
    catalog: Catalog, older_than: timedelta | None, include_stale: bool, include_tagged: bool, include_version_controlled: bool
) -> GcPlan:
    """With --stale or --older-than: every artifact is read, and the successes that may go are checked."""
    entries = catalog.refresh()
    catalog.ensure_marks(entries)
    found: list[tuple[Entry, GcReason, str]] = []
    kept: list[tuple[Entry, KeptKind, str]] = []
    for entry in entries:
        if entry.status == "damaged":
            kept.append((entry, "damaged", _damaged(entry)))
        elif entry.status in _BY_STATUS:
            found.append((entry, _BY_STATUS[entry.status], entry.problem or entry.status))
    settled = [entry for entry in entries if entry.status == "success"]
    unused = _unused_test(catalog, older_than) if older_than is not None else _never  # reads every artifact's details
    if include_stale:
        catalog.ensure_details(settled)
    to_check: list[Entry] = []
    unchecked = 0
    for entry in settled:
        if entry.status != "success":  # its metadata.json turned out unreadable (known only once details were read)
            kept.append((entry, "damaged", _damaged(entry)))
        elif include_stale or unused(entry):
            to_check.append(entry)
        else:
            unchecked += 1  # never a candidate in this plan, whether current, stale or unknown
    current = _check_configs(catalog, to_check, include_stale, found, kept)
    if older_than is not None:
        for entry in current:
            if unused(entry):
                found.append((entry, "unused", f"nothing depends on it; not updated for over {_days(older_than)}"))
    catalog.ensure_sizes([entry for entry, _, _ in found] + [entry for entry, kind, _ in kept if kind == "stale"])
    candidates, protected = [], []
    found.sort(key=lambda item: -(item[0].created_ts or 0.0))  # the newest first, as the index lists them
    for entry, reason, detail in found:
        attempt = success_attempt(entry.dir) if reason in ("stale", "unused") else None
        item = GcCandidate(record=entry.record(), reason=reason, detail=detail, success_attempt=attempt)
        if (entry.tags and not include_tagged) or (entry.version_controlled and not include_version_controlled):
            protected.append(item)
        else:
            candidates.append(item)
    counts = {reason: sum(c.reason == reason for c in candidates) for reason in REASONS}
    sizes = {reason: sum(c.record.size_bytes or 0 for c in candidates if c.reason == reason) for reason in REASONS}
    return GcPlan(
        candidates=candidates,
        protected=protected,
        protected_count=len(protected),
        kept=[GcKept(record=entry.record(), kind=kind, detail=detail) for entry, kind, detail in kept],
        counts=counts,
        bytes=sizes,
        total_bytes=sum(sizes.values()),
        unchecked=unchecked,
    )


def collect(plan: GcPlan, catalog: Catalog | None = None) -> RemovalResult:
    """Delete the plan's candidates, each re-checked under its lock first (see :func:`furu.removal.remove_artifact`)."""
    catalog = catalog or Catalog()
    removed: list[Removal] = []
    skipped: list[GcCandidate] = []
    failed: list[GcCandidate] = []
    freed = 0
    with catalog.progress("Deleting artifacts", len(plan.candidates)) as advance:
        for candidate in plan.candidates:
            try:
                removal = remove_artifact(
                    candidate.record, expect_reason=candidate.reason, planned_success=candidate.success_attempt
                )
            except (FuruRemovalKept, FuruArtifactBusy) as error:
                skipped.append(candidate.model_copy(update={"detail": str(error)}))
            except FuruError as error:
                failed.append(candidate.model_copy(update={"detail": str(error)}))
            else:
                removed.append(removal)
                freed += candidate.record.size_bytes or 0
            advance(1)
    catalog.refresh()
    return RemovalResult(
        removed=[removal.record for removal in removed],
        freed_bytes=freed,
        skipped=skipped,
        failed=failed,
        warnings=[f"{removal.record.label}: {removal.leftover}" for removal in removed if removal.leftover],
    )


def _unused_test(catalog: Catalog, older_than: timedelta) -> Callable[[Entry], bool]:
    """Whether a success is unused: untagged, nothing depends on it, not updated since ``older_than`` ago."""
    from furu.lineage import dependents_index  # only with --older-than

    cutoff = time.time() - older_than.total_seconds()
    reverse = dependents_index(catalog)
    return lambda entry: not entry.tags and not reverse.get(entry.hash) and (entry.updated_ts or 0) < cutoff


def _never(_entry: Entry) -> bool:
    return False


def _check_configs(
    catalog: Catalog,
    entries: list[Entry],
    include_stale: bool,
    found: list[tuple[Entry, GcReason, str]],
    kept: list[tuple[Entry, KeptKind, str]],
) -> list[Entry]:
    """Check ``entries`` (successes) against today's classes; return the current ones.

    A stale one becomes a candidate with ``include_stale`` and is kept otherwise;
    an unknown one (its class does not import, or no config is stored) is kept.
    """
    if not entries:
        return []  # nothing imported, not even the project made importable
    from furu.migration import links_into
    from furu.staleness import ConfigChecker  # ~30 ms of imports a plain dry run does not need

    catalog.ensure_details(entries)
    current: list[Entry] = []
    checker = ConfigChecker()
    with catalog.progress("Checking configs against today's classes", len(entries)) as advance:
        for entry in entries:
            advance(1)
            if entry.status != "success":  # its metadata.json turned out unreadable
                kept.append((entry, "damaged", _damaged(entry)))
            elif entry.config is None:
                kept.append((entry, "unknown", "no stored config (metadata.json or config.json) to check"))
            else:
                check = checker.check(entry.fqn, entry.hash, entry.config, entry.version)
                if check.verdict == "current":
                    current.append(entry)
                elif check.still_loads:  # its class's declared history finds it: load_or_create still loads it
                    kept.append((entry, "stale", f"{check.detail}; its class's declared history still finds it"))
                elif check.verdict == "stale" and include_stale and (aliases := links_into(entry.dir)):
                    kept.append((entry, "stale", f"{check.detail}; migrated artifacts ({len(aliases)}) load through links into its files"))
                elif check.verdict == "stale" and include_stale:
                    found.append((entry, "stale", check.detail))
                else:
                    kept.append((entry, check.verdict, check.detail))
    return current


def _damaged(entry: Entry) -> str:
    problem = entry.problem or "a furu file is unreadable"
    return f"{problem}; its success marker is there, so load_or_create still loads it (`furu rm` deletes it)"


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{delta.total_seconds():g}s"
