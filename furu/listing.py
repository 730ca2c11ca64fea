"""The listing ``furu ls`` shows: filter, sort and limit the catalog, reading only what is needed.

Only what the filters and the sort key need is read for every artifact
(tags, configs and sizes are read on demand, cheapest filters first). When
nothing in the query can change behind the index's back (a plain ``furu ls``,
or filters on class, hash, created or config), only the rows shown are
checked against their directories, and the selection is redone if any of
them changed.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from furu.atomic import CorruptFileError
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.query import (
    DEFAULT_SORT,
    SORT_KEYS,
    Filter,
    FuruQueryError,
    check_listing_keys,
    parse_filter,
    sort_is_mutable,
    sort_items,
    sort_tier,
)
from furu.state import read_state


class Listing(BaseModel):
    """What ``furu ls`` shows: the chosen records plus how many matched and exist."""

    records: list[ArtifactRecord]
    matched: int
    total: int


def list_artifacts(
    filters: Sequence[str | Filter] = (),
    *,
    sort: str = DEFAULT_SORT,
    reverse: bool = False,
    limit: int | None = None,
    sizes: bool = True,
    catalog: Catalog | None = None,
) -> Listing:
    """The artifacts matching every filter, sorted, at most ``limit`` of them.

    Only what the filters and the sort key need is read for all artifacts;
    the records returned are checked against their directories and carry
    details (config, dependencies) and, with ``sizes``, their size.
    """
    catalog = catalog or Catalog()
    parsed = [f if isinstance(f, Filter) else parse_filter(f) for f in filters]
    if sort not in SORT_KEYS and not sort.replace(".", "").replace("_", "").isalnum():
        raise FuruQueryError(f"Cannot sort by {sort!r}: use one of {', '.join(SORT_KEYS)} or a config path like lr.")
    class_filters = [f for f in parsed if f.kind == "class"]
    classes = (lambda fqn: all(f.test(_Named(fqn)) for f in class_filters)) if class_filters else None
    check_all = any(f.mutable for f in parsed) or sort_is_mutable(sort)
    entries = catalog.refresh(classes)
    for _attempt in range(5):
        matched = _apply(catalog, entries, parsed, sort)
        shown = sort_items(matched, sort, reverse=reverse, limit=limit if limit and limit > 0 else None)
        if check_all:
            break
        before = [(e.stamp, e.status) for e in shown]
        catalog.validate(shown)
        if before == [(e.stamp, e.status) for e in shown]:
            break
    records = catalog.records(shown, details=True, sizes=sizes)
    add_job_ids(records)
    kept = [record for record in records if all(f.test(record) for f in parsed)]
    check_listing_keys(parsed, sort, catalog, kept)  # a typo is an error, not an empty listing
    matched_count = len(matched) - (len(records) - len(kept))  # details showed some were damaged or corrupt
    return Listing(records=kept, matched=matched_count, total=catalog.total)


JOB_STATUSES = ("queued", "running", "preempted")


def add_job_ids(records: Sequence[ArtifactRecord]) -> None:
    """Fill ``job_id`` of records whose latest attempt is (or was just) a cluster job.

    Read from state.json only for the few artifacts in flight, not kept in the index.
    """
    for record in records:
        if record.status in JOB_STATUSES:
            try:
                latest = read_state(record.paths, record.fqn, record.hash).latest_attempt
            except CorruptFileError as error:  # rewritten since the scan: show it as it is now
                record.status, record.problem = "corrupt", str(error)
                continue
            record.job_id = latest.job_id if latest is not None else None


def _apply(catalog: Catalog, entries: list[Entry], filters: list[Filter], sort: str) -> list[Entry]:
    """Filter in order of cost: summary fields first, then tags, details, sizes."""
    items = entries
    for tier in ("summary", "marks", "details", "sizes"):
        wanted = [f for f in filters if f.tier == tier]
        if not wanted:
            continue
        if tier == "details" and any(f.kind == "status" for f in wanted):
            catalog.ensure_marks(items)  # an unreadable annotations.json also makes an artifact damaged or corrupt
        _ensure(catalog, items, tier)
        items = [item for item in items if all(f.test(item) for f in wanted)]
    _ensure(catalog, items, sort_tier(sort))
    return items


def _ensure(catalog: Catalog, entries: list[Entry], tier: str) -> None:
    if tier == "marks":
        catalog.ensure_marks(entries)
    elif tier == "details":
        catalog.ensure_details(entries)
    elif tier == "sizes":
        catalog.ensure_sizes(entries)


class _Named:
    """Stands in for an entry when only its class name is known (to skip whole class directories)."""

    __slots__ = ("fqn",)

    def __init__(self, fqn: str) -> None:
        self.fqn = fqn
