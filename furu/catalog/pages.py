"""The one query API every view calls: pages of artifacts, counts, distinct values (``furu.catalog``).

``furu ls``, the terminal UI and the web dashboard all ask the same three
questions, in the ``furu ls`` filter language (:func:`furu.query.parse_expression`):

* :func:`page`: the artifacts matching a filter, sorted by one or more keys,
  ``limit`` of them from ``offset``, with how many match and how many exist;
* :func:`counts`: how many match per status, class, namespace, host or user;
* :func:`distinct`: the values a field takes (a built-in key or a config path),
  most frequent first, for dropdowns and completion.

Each is one SQL query over the catalog's index after a sync that costs what
changed (see :mod:`furu.catalog.catalog`); the rows of a page are then checked
against their directories, and the query is run again if any changed meanwhile.

::

    from furu.catalog import page, counts, distinct
    shown = page("status=failed or (lr>1e-3 and not tag=best)", sort="-runtime,lr", limit=100)
    print(shown.matched, [r.hash for r in shown.records])
    counts(by="status")            # {"success": 90, "failed": 5, ...}
    distinct("data.name")          # [ValueCount(value="toy", count=12), ...]
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from furu.atomic import CorruptFileError
from furu.catalog.catalog import Catalog
from furu.catalog.record import ArtifactRecord
from furu.query import (
    BUILTIN_KEYS,
    DEFAULT_SORT,
    SORT_KEYS,
    And,
    Expression,
    Filter,
    FuruQueryError,
    Term,
    check_known_paths,
    filter_faults,
    filter_paths,
    parse_expression,
    parse_sort,
    sort_sql,
    sort_tier,
)

Filters = str | Sequence[str | Filter] | Expression
CountKey = Literal["status", "class", "namespace", "host", "user", "version_controlled"]

# Columns of ``artifacts a``, or, for the keys in _CLASS_DIR_KEYS, of its class directory's ``shards s`` row.
_COUNT_COLUMNS: dict[str, str] = {
    "status": "a.status",
    "class": "a.fqn",
    "namespace": "s.namespace",
    "host": "coalesce(a.host, '')",
    "user": "coalesce(a.user, '')",
    "version_controlled": "CASE WHEN s.version_controlled THEN 'true' ELSE 'false' END",
}
_DISTINCT_COLUMNS: dict[str, str] = {
    "status": "a.status", "class": "a.fqn", "fqn": "a.fqn", "namespace": "s.namespace", "name": "a.name",
    "host": "a.host", "user": "a.user",
}
_CLASS_DIR_KEYS = ("namespace", "version_controlled")
JOB_STATUSES = ("queued", "running", "preempted")


@dataclass(slots=True, kw_only=True)
class Page:
    """One page of a query (a dataclass, like :class:`ArtifactRecord`, so printing one needs no pydantic).

    Attributes:
        records: The records shown.
        matched: Artifacts matching the filter (all pages).
        total: Artifacts in the catalog.
        offset: Where the page starts among the matches.
        limit: Page size asked for (None: every match).
    """

    records: list[ArtifactRecord]
    matched: int
    total: int
    offset: int = 0
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class ValueCount:
    """One value a field takes, and on how many matching artifacts.

    ``value`` is as stored: a string, number, bool or None (a nested config: its class).
    """

    value: Any
    count: int


def page(
    filters: Filters = (),
    *,
    sort: str | Sequence[str] = DEFAULT_SORT,
    reverse: bool = False,
    limit: int | None = 100,
    offset: int = 0,
    sizes: bool = False,
    stale: bool = False,
    catalog: Catalog | None = None,
) -> Page:
    """The artifacts matching ``filters``, sorted by ``sort`` (``created,-runtime,lr``), one page of them.

    The records carry details (config, dependencies) and, with ``sizes``,
    their size on disk; with ``stale`` (or a ``stale`` filter), whether today's
    classes still rebuild each success's config, and why not (this imports them). A config path no stored config has is an error with
    the closest field, not an empty page.
    """
    catalog = catalog or Catalog()
    with filter_faults(catalog.settings.regex_secs):
        return _page(catalog, as_expression(filters), sort, reverse, limit, offset, sizes, stale)


def _page(
    catalog: Catalog, expression: Expression, sort: str | Sequence[str], reverse: bool, limit: int | None, offset: int, sizes: bool, stale: bool
) -> Page:
    keys = parse_sort(sort)
    catalog.sync()
    now = time.time()
    where, params = expression.sql(now)
    order = sort_sql(sort, reverse=reverse, now=now)
    size = limit if limit is not None and limit > 0 else None
    needs = needed(expression, sort)
    catalog.ensure_rows(needs)
    count_query, count_params = expression.count_sql(now)

    def count() -> int:
        return int(catalog.execute(count_query, count_params).fetchone()[0])

    matched = count()
    for _attempt in range(5):
        shown = catalog.select(
            where, params, order=order, limit=size, offset=offset, common=matched * 20 > catalog.total,
            by_field=one_field(keys, reverse), per_row=expression.sql(now, per_row=True),
        )
        before = [(e.stamp, e.status) for e in shown]
        catalog.validate(shown)
        records = catalog.records(shown, details=True, sizes=sizes, stale=stale or "stale" in needs)  # details can change the status
        if before == [(e.stamp, e.status) for e in shown]:
            break
        matched = count()  # some changed on disk meanwhile: ask again
    add_job_ids(records)
    kept = [record for record in records if expression.test(record)]
    check_keys(expression, keys, catalog, kept)
    matched -= len(records) - len(kept)  # their directories showed they no longer match
    return Page(records=kept, matched=matched, total=catalog.total, offset=offset, limit=size)


def counts(filters: Filters = (), *, by: CountKey = "status", catalog: Catalog | None = None) -> dict[str, int]:
    """How many artifacts match ``filters``, per value of ``by``, most first."""
    catalog = catalog or Catalog()
    with filter_faults(catalog.settings.regex_secs):
        expression = as_expression(filters)
        catalog.sync()
        catalog.ensure_rows(needed(expression, ()))
        where, params = expression.sql(time.time())
        if by not in _COUNT_COLUMNS:
            raise FuruQueryError(f"Cannot count by {by!r}: use one of {', '.join(_COUNT_COLUMNS)}.")
        rows = catalog.execute(
            f"SELECT {_COUNT_COLUMNS[by]}, count(*) FROM {_grouping(by)} WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1", params
        )
        return {str(value): int(count) for value, count in rows}


def distinct(field: str, filters: Filters = (), *, limit: int | None = 50, catalog: Catalog | None = None) -> list[ValueCount]:
    """The values ``field`` (a built-in key, ``tag``, or a config path) takes on matching artifacts, most frequent first."""
    catalog = catalog or Catalog()
    with filter_faults(catalog.settings.regex_secs):
        expression = as_expression(filters)
        catalog.sync()
        where, params = expression.sql(time.time())
        top = f" LIMIT {int(limit)}" if limit is not None and limit > 0 else ""
        if field in ("tag", "tags"):
            catalog.ensure_rows({"marks"} | needed(expression, ()))
            rows = catalog.execute(
                f"SELECT t.value, count(*) FROM artifacts a, json_each(a.tags) t WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1{top}",
                params,
            )
            return [ValueCount(value=value, count=count) for value, count in rows]
        if field in _DISTINCT_COLUMNS:
            catalog.ensure_rows(({"marks"} if field == "name" else set()) | needed(expression, ()))
            rows = catalog.execute(
                f"SELECT {_DISTINCT_COLUMNS[field]}, count(*) FROM {_grouping(field)} WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1{top}",
                params,
            )
            return [ValueCount(value=value, count=count) for value, count in rows]
        if field in BUILTIN_KEYS:
            raise FuruQueryError(
                f"Cannot list the values of {field!r}: distinct values exist for {', '.join([*_DISTINCT_COLUMNS, 'tag'])} "
                "and config paths (config.<field> for a config field named like a built-in key)."
            )
        path = field.removeprefix("config.")
        catalog.ensure_rows({"details"} | needed(expression, ()))
        join, where, params = _fields_of(expression, where, params)
        rows = catalog.execute(
            f"SELECT f.kind, f.num, f.text, count(*) FROM fields f {join}"
            f"WHERE f.path = ? AND {where} GROUP BY f.kind, f.num, f.text ORDER BY 4 DESC, 3{top}",
            [path, *params],
        )
        return [ValueCount(value=_stored_value(kind, num, text), count=count) for kind, num, text, count in rows]


def _grouping(key: str) -> str:
    """The rows to group by ``key``: the artifacts, joined to their class directories only for a
    key of those (the join makes a count over 100,000 artifacts five times slower)."""
    return "artifacts a JOIN shards s ON s.id = a.shard" if key in _CLASS_DIR_KEYS else "artifacts a"


def one_field(keys: Sequence[tuple[str, bool]], reverse: bool) -> tuple[str, bool] | None:
    """``(path, descending)`` when the sort is by one config field alone (config values go up by default)."""
    if len(keys) != 1 or keys[0][0] in SORT_KEYS:
        return None
    key, flipped = keys[0]
    return key.removeprefix("config."), flipped != reverse


def as_expression(filters: Filters) -> Expression:
    """A filter expression from the forms callers hold (parsed terms are ANDed, as ``furu ls`` always did)."""
    if isinstance(filters, Expression):
        return filters
    if isinstance(filters, str):
        return parse_expression(filters)
    if all(isinstance(f, Filter) for f in filters):
        return And(tuple(Term(f) for f in filters if isinstance(f, Filter)))
    return parse_expression([f if isinstance(f, str) else f.text for f in filters])


def needed(expression: Expression, sort: str | Sequence[str]) -> set[str]:
    """What must be read for every artifact before the query can run (tags, details, sizes)."""
    tiers: set[str] = {f.tier for f in expression.filters()}
    if sort:
        tiers.add(sort_tier(",".join([sort] if isinstance(sort, str) else sort)))
    if any(f.kind == "status" and f.tier == "details" for f in expression.filters()):
        tiers.add("marks")  # an unreadable annotations.json also makes an artifact damaged or corrupt
    return tiers - {"summary"}


def check_keys(expression: Expression, keys: Sequence[tuple[str, bool]], catalog: Catalog, shown: Sequence[ArtifactRecord]) -> None:
    """Refuse config paths (in filters or sort keys) that no stored config has; cheap when the rows shown prove them.

    Rows shown passed every term of a plain AND, so its config paths exist;
    otherwise the paths are looked up among every config in the index.
    """
    sort_paths = [key.removeprefix("config.") for key, _ in keys if key not in SORT_KEYS]
    if not sort_paths and not any(f.kind == "config" for f in expression.filters()):
        return
    configs = [record.config for record in shown if record.config is not None]
    if expression.is_plain_and and configs and all(any(path in filter_paths(c) for c in configs) for path in sort_paths):
        return
    sort = ",".join(("-" if flipped else "") + key for key, flipped in keys)
    check_known_paths(expression.filters(), sort, known_config_paths(catalog))


def known_config_paths(catalog: Catalog) -> set[str]:
    """Every dotted path some stored config has (read from the index, after reading the configs it lacks)."""
    catalog.ensure_rows(("details",))
    return {path for (path,) in catalog.execute("SELECT DISTINCT path FROM fields")}


def field_paths(filters: Filters = (), *, catalog: Catalog | None = None) -> list[tuple[str, list[str]]]:
    """The config paths the matching artifacts' configs have, each with the kinds of values stored there, A to Z."""
    catalog = catalog or Catalog()
    with filter_faults(catalog.settings.regex_secs):
        expression = as_expression(filters)
        catalog.sync()
        catalog.ensure_rows({"details"} | needed(expression, ()))
        join, where, params = _fields_of(expression, *expression.sql(time.time()))
        rows = catalog.execute(
            f"SELECT f.path, group_concat(DISTINCT f.kind) FROM fields f {join}WHERE {where} GROUP BY f.path ORDER BY f.path",
            params,
        )
        return [(path, sorted(kinds.split(","))) for path, kinds in rows]


def _fields_of(expression: Expression, where: str, params: list[Any]) -> tuple[str, str, list[Any]]:
    """The join to the artifacts a query over ``fields`` needs for ``expression`` (none without a filter:
    a join per row costs more than the grouping), with its WHERE clause and parameters."""
    if not expression.filters():
        return "", "1", []
    return "JOIN artifacts a ON a.id = f.artifact ", where, params


def add_job_ids(records: Sequence[ArtifactRecord]) -> None:
    """Fill ``job_id`` of records whose latest attempt is (or was just) a cluster job.

    Read from state.json only for the few artifacts in flight, not kept in the index.
    """
    for record in records:
        if record.status in JOB_STATUSES:
            from furu.state import read_state  # its models cost a listing with no job in flight ~50 ms

            try:
                latest = read_state(record.paths, record.fqn, record.hash).latest_attempt
            except CorruptFileError as error:  # rewritten since the scan: show it as it is now
                record.status, record.problem = "corrupt", str(error)
                continue
            record.job_id = latest.job_id if latest is not None else None


def _stored_value(kind: str, num: float | None, text: str | None) -> Any:
    if kind == "bool":
        return bool(num)
    if kind == "num":
        return int(num) if num is not None and num.is_integer() and text is not None and "." not in text and "e" not in text else num
    if kind == "null":
        return None
    if kind in ("str", "class"):
        return text
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return text


def signature(catalog: Catalog | None = None) -> tuple[int, int, int]:
    """A value that changes whenever an artifact appears, goes or changes on disk (after a sync).

    What a view polls to know when to ask again: how many artifacts, and two
    sums of their directories' stamps; one query, however large the catalog.
    """
    catalog = catalog or Catalog()
    catalog.sync()
    row = catalog.execute("SELECT count(*), coalesce(sum(stamp % 1000000007), 0), coalesce(max(stamp), 0) FROM artifacts").fetchone()
    return int(row[0]), int(row[1]), int(row[2])
