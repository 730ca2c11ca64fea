"""The same filters and sort orders as SQL over the catalog's index: what the Python ones select, in their order.

The catalog answers ``furu ls`` from its SQLite index; each clause here is true exactly where
the matching Python test is, and tests/test_query_sql.py checks both on random records and
configs. :func:`flatten_config` writes the index's ``fields`` rows that the clauses read.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from furu.query.errors import FuruQueryError
from furu.query.filters import Filter, flag_value, time_comparison
from furu.query.patterns import compiled_pattern, forget_failure, last_failure, per_value_limit
from furu.query.paths import MISSING, as_float, as_text, config_value, filter_paths
from furu.query.sorting import parse_sort
from furu.query.values import parse_duration, parse_size, parse_time
from furu.statuses import STATUSES

# Tables (furu.catalog.store): ``artifacts a`` (status, fqn, hash, tags as a JSON array, name,
# host, user, created, updated, started, ended, size_bytes, and the recorded code fingerprint's
# code_file and module_digest), ``shards sh`` (id, fqn, namespace, version_controlled: one row per
# class directory), ``fields f`` (artifact, shard, path, kind, num, text), one row per config path
# (:func:`flatten_config`), and the temporary DRIFTED_CODE_TABLE and STALE_TABLE below. Every clause is 0 or 1,
# never NULL, so ``NOT`` of it selects what ``not`` does in Python.

ConfigRow = tuple[str, str, float | None, str | None]
_RUNTIME = (
    "(CASE WHEN a.started IS NULL THEN NULL WHEN a.ended IS NOT NULL THEN max(0.0, a.ended - a.started) "
    "WHEN a.status IN ('running', 'queued') THEN max(0.0, {now} - a.started) END)"
)
_SQL_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}

DRIFTED_CODE_TABLE = "drifted_code"
"""The recorded ``(file, module_digest)`` pairs whose file no longer has that digest (or is gone).

Today's digest of a file is not in the index, so the one who runs a
``code_changed`` filter fills this table first, from the distinct pairs the
index holds (``furu.catalog.drift.note_drifted_code``): a handful of rows,
however many artifacts share them.
"""
DRIFTED_CODE_SCHEMA = (
    f"CREATE TEMP TABLE IF NOT EXISTS {DRIFTED_CODE_TABLE} (file TEXT NOT NULL, module_digest TEXT NOT NULL, "
    "PRIMARY KEY (file, module_digest)) WITHOUT ROWID"
)


STALE_TABLE = "stale_results"
"""The ids of the index's stale successes (today's classes no longer rebuild their configs to their hashes).

Only Python can tell (``furu.staleness``), so the one who runs a ``stale``
filter fills this table first (``furu.catalog.stale.note_stale``).
"""
STALE_SCHEMA = f"CREATE TEMP TABLE IF NOT EXISTS {STALE_TABLE} (id INTEGER PRIMARY KEY)"


def sql_regexp(pattern: str, value: str | None) -> bool:
    """The ``regexp(pattern, value)`` SQLite function the index's connection registers (``X REGEXP ?``).

    A search under the time limit, as the Python filters do; no value matches nothing.
    """
    return value is not None and compiled_pattern(pattern).found(value)


@contextmanager
def filter_faults(regex_secs: float) -> Iterator[None]:
    """A query of the catalog: its matches limited to ``regex_secs`` each, and SQLite's refusals of
    its filter as the filter's fault (a :class:`FuruQueryError`), not furu's.

    A filter 1,000 levels deep exceeds SQLite's limits; a regular expression
    out of time inside ``REGEXP`` reaches SQLite only as "user-defined function
    raised exception", so the time-out it raised is looked up.
    """
    forget_failure()
    try:
        with per_value_limit(regex_secs):
            yield
    except sqlite3.OperationalError as error:
        failure = last_failure()
        if failure is not None:
            raise failure from None
        if "too large" in str(error) or "too many" in str(error):
            raise FuruQueryError(f"The filter is too large for the catalog's index ({error}); split it up.") from None
        raise


def filter_sql(f: Filter, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
    """One filter as a clause that is true exactly where ``f.test`` is (see :meth:`Expression.sql`)."""
    op, value = f.op, f.value
    if f.kind == "config":
        return _config_sql(f, per_row)
    if f.kind == "status":
        wanted = sorted({part.strip() for part in value.split(",") if part.strip()})
        return _in("a.status", wanted, negate=op == "!=")
    if f.kind in SHARD_KINDS:
        shards, params = _shard_ids(f)
        return f"a.shard IN ({shards})", params
    if f.kind == "hash":
        if op in ("=", "!="):
            prefix = value.lower()
            clause = "(substr(a.hash, 1, ?) = ?)"
            return (f"NOT {clause}" if op == "!=" else clause), [len(prefix), prefix]
        return _text_sql("a.hash", op, value)
    if f.kind == "tag":
        if op in ("=", "!="):
            found, params = "EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value = ?)", [value]
        else:
            found, params = "EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value REGEXP ?)", [value]
        return (f"NOT {found}" if op in ("!=", "!~") else found), params
    if f.kind in ("name", "host", "user"):
        column = f"coalesce(a.{f.kind}, '')"
        if op in ("=", "!="):
            return _in(column, sorted(set(value.split(","))) if value else [""], negate=op == "!=")
        return _text_sql(column, op, value)
    if f.kind in ("created", "updated"):
        column = f"a.{f.kind}"
        start, end = f.bounds if f.bounds is not None else parse_time(value, f.text)
        if op in ("=", "!="):
            within = f"{column} >= ? AND {column} < ?"
            return (f"coalesce({within}, 0)" if op == "=" else f"coalesce(NOT ({within}), 0)"), [start, end]
        compare, bound = time_comparison(op, (start, end))
        return f"coalesce({column} {_SQL_OPS[compare]} ?, 0)", [bound]
    if f.kind == "runtime":
        bound = parse_duration(value, f.text).total_seconds()
        return f"coalesce({_RUNTIME.format(now='?')} {_SQL_OPS[op]} ?, 0)", [now, bound]
    if f.kind == "size":
        return f"coalesce(a.size_bytes {_SQL_OPS[op]} ?, 0)", [float(parse_size(value, f.text))]
    if f.kind == "code_changed":
        return _code_changed_sql(flag_value(f.text, op, value, "code_changed"), per_row)
    if f.kind == "stale":
        clause = f"a.id IN (SELECT id FROM {STALE_TABLE})"
        return (clause if flag_value(f.text, op, value, "stale") else f"NOT {clause}"), []
    raise FuruQueryError(f"Filter {f.text!r}: no SQL form for key {f.key!r}.")  # pragma: no cover - all kinds above


def _code_changed_sql(wanted: bool, per_row: bool) -> tuple[str, list[Any]]:
    """Artifacts whose recorded (file, digest) pair is in :data:`DRIFTED_CODE_TABLE` (no fingerprint: not changed).

    ``a.id IN (...)`` finds the drifted ones through the ``(code_file, module_digest)``
    index, one range per drifted pair (``CROSS JOIN`` keeps the small table outside);
    ``per_row`` probes the small table for the row at hand.
    """
    if per_row:
        clause = (
            f"EXISTS (SELECT 1 FROM {DRIFTED_CODE_TABLE} c WHERE c.file = a.code_file AND c.module_digest = a.module_digest)"
        )
    else:
        clause = f"a.id IN (SELECT x.id FROM {_DRIFTED_ARTIFACTS})"
    return (clause if wanted else f"NOT {clause}"), []


_DRIFTED_ARTIFACTS = (
    f"{DRIFTED_CODE_TABLE} c CROSS JOIN artifacts x ON x.code_file = c.file AND x.module_digest = c.module_digest"
)
"""Each artifact whose recorded pair drifted, once (an artifact records one pair)."""


def code_changed_count_sql(f: Filter) -> tuple[str, list[Any]]:
    """How many artifacts pass one ``code_changed`` filter, counted off the drifted pairs' index ranges
    (a tenth of collecting their ids first)."""
    drifted = f"SELECT count(*) FROM {_DRIFTED_ARTIFACTS}"
    if flag_value(f.text, f.op, f.value, "code_changed"):
        return drifted, []
    return f"SELECT (SELECT count(*) FROM artifacts) - ({drifted})", []


def _in(column: str, values: Sequence[str], *, negate: bool) -> tuple[str, list[Any]]:
    if not values:
        return ("1" if negate else "0"), []
    marks = ", ".join("?" * len(values))
    return f"({column} {'NOT IN' if negate else 'IN'} ({marks}))", list(values)


SHARD_KINDS = ("class", "namespace", "version_controlled")
"""Filters on what a class directory (a ``shards`` row) says of all its artifacts alike."""


def _shard_ids(f: Filter) -> tuple[str, list[Any]]:
    """The class directories (``shards`` ids) a filter of :data:`SHARD_KINDS` selects.

    Every artifact belongs to exactly one ``shards`` row, whose fqn, namespace and
    version control are its own, so this selects exactly what testing each artifact
    would, testing once per class directory.
    """
    clause, params = _shard_condition(f)
    return f"SELECT sh.id FROM shards sh WHERE {clause}", params


def _shard_condition(f: Filter) -> tuple[str, list[Any]]:
    """A filter of one of :data:`SHARD_KINDS` as a condition on ``shards sh``."""
    if f.kind == "class":
        return _class_sql(f.op, f.value)
    if f.kind == "version_controlled":
        return "(sh.version_controlled = ?)", [int(flag_value(f.text, f.op, f.value))]
    if f.op in ("=", "!="):
        names = sorted({part.strip() for part in f.value.split(",") if part.strip()})
        clauses = ["(sh.namespace = ? OR substr(sh.namespace, 1, ?) = ?)" for _ in names]
        params = [param for name in names for param in (name, len(name) + 1, name + ".")]
        clause = "(" + " OR ".join(clauses) + ")" if clauses else "0"
        return (f"NOT {clause}" if f.op == "!=" else clause), params
    return _text_sql("sh.namespace", f.op, f.value)


def _class_sql(op: str, value: str) -> tuple[str, list[Any]]:
    if op in ("=", "!="):
        names = sorted({part.strip() for part in value.split(",") if part.strip()})
        clauses, params = [], []
        for name in names:
            clause, named = _same_class("sh.fqn", name)
            clauses.append(clause)
            params += named
        clause = "(" + " OR ".join(clauses) + ")" if clauses else "0"
        return (f"NOT {clause}" if op == "!=" else clause), params
    return _text_sql("sh.fqn", op, value)


def _same_class(column: str, name: str) -> tuple[str, list[Any]]:
    """``module.Class`` equal to the name or ending in ``.name`` (what ``class=Train`` means)."""
    return f"({column} = ? OR substr({column}, -?) = ?)", [name, len(name) + 1, "." + name]


def _text_sql(column: str, op: str, value: str) -> tuple[str, list[Any]]:
    """Regex and ordering on a text that is never NULL (``_text_test``)."""
    if op == "~":
        return f"({column} REGEXP ?)", [value]
    if op == "!~":
        return f"(NOT ({column} REGEXP ?))", [value]
    return f"({column} {_SQL_OPS[op]} ?)", [value]


def _config_sql(f: Filter, per_row: bool) -> tuple[str, list[Any]]:
    """A ``fields`` row at the path whose kind and value pass, as ``_config_filter`` reads them.

    Written as ``a.id IN (...)``: SQLite then walks the ``(path, ...)`` index
    once instead of probing it for every artifact. ``per_row`` gives ``EXISTS``
    instead, which probes the ``(artifact, path)`` index for the row at hand:
    what a walk that stops after one page wants, where building the whole list
    of matches first would cost more than the page.
    """
    branches = _config_branches(f)
    path = ".".join(f.path)
    if per_row:
        either = " OR ".join(f"({clause})" for clause, _ in branches)
        return (
            f"EXISTS (SELECT 1 FROM fields f INDEXED BY fields_artifact WHERE f.artifact = a.id AND f.path = ? AND ({either}))",
            [path, *(param for _, params in branches for param in params)],
        )
    rows, params = _matching_rows(path, branches)
    return f"a.id IN ({rows})", params


def config_count_sql(f: Filter, per_class: Sequence[Filter] = ()) -> tuple[str, list[Any]]:
    """How many artifacts pass one config filter (and the ``per_class`` filters, of :data:`SHARD_KINDS`),
    counted off the ``fields`` index alone.

    Exact because an artifact has one ``fields`` row per path (:func:`flatten_config`),
    and the branches test disjoint kinds; each row carries its artifact's class
    directory, so a class filter needs no ``artifacts`` row either. The ``a.id IN``
    form would first collect every match (tens of milliseconds at 60,000).
    """
    branches = _config_branches(f)
    for class_filter in per_class:
        shards, shard_params = _shard_ids(class_filter)
        branches = [(f"{clause} AND f.shard IN ({shards})", [*params, *shard_params]) for clause, params in branches]
    rows, params = _matching_rows(".".join(f.path), branches)
    return f"SELECT count(*) FROM ({rows})", params


def _matching_rows(path: str, branches: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """The ``fields`` rows at ``path`` that pass any branch: one SELECT per branch, joined by UNION ALL.

    Each SELECT then walks the covering ``(path, kind, value)`` index over its
    own range, where one SELECT with OR-ed branches would read every row at the path.
    """
    selects = " UNION ALL ".join(f"SELECT f.artifact FROM fields f WHERE f.path = ? AND {clause}" for clause, _ in branches)
    return selects, [param for _, params in branches for param in (path, *params)]


def _config_branches(f: Filter) -> list[tuple[str, list[Any]]]:
    """The ways a ``fields`` row passes ``f``, one per kind of value (they never overlap)."""
    op, value = f.op, f.value
    if op in ("~", "!~"):
        return [("f.text REGEXP ?" if op == "~" else "NOT (f.text REGEXP ?)", [value])]
    branches: list[tuple[str, list[Any]]] = []
    lowered = value.lower()
    truth = True if lowered in ("true", "1", "yes") else False if lowered in ("false", "0", "no") else None
    if truth is not None:
        branches.append((f"f.kind = 'bool' AND f.num {_SQL_OPS[op]} ?", [float(truth)]))
    elif op == "!=":
        branches.append(("f.kind = 'bool'", []))
    try:
        number: float | None = float(value)
    except ValueError:
        number = None
    if number is not None and not math.isnan(number):
        if op == "!=":
            branches.append(("f.kind = 'num' AND (f.num IS NULL OR f.num != ?)", [number]))  # NaN != anything
        else:
            branches.append((f"f.kind = 'num' AND f.num {_SQL_OPS[op]} ?", [number]))
    elif op == "!=":
        branches.append(("f.kind = 'num'", []))
    if (lowered in ("none", "null", "")) == (op == "="):
        if op in ("=", "!="):
            branches.append(("f.kind = 'null'", []))
    branches.append((f"f.kind = 'str' AND f.text {_SQL_OPS[op]} ?", [value]))
    if op in ("=", "!="):
        same, params = _same_class("f.text", value)
        branches.append((f"f.kind = 'class' AND {'NOT ' if op == '!=' else ''}{same}", params))
        if op == "!=":
            branches.append(("f.kind = 'other'", []))
    else:
        branches.append((f"f.kind = 'class' AND f.text {_SQL_OPS[op]} ?", [value]))
    return branches


def flatten_config(config: dict[str, Any] | None) -> list[ConfigRow]:
    """The index's ``fields`` rows of a stored config: ``(path, kind, num, text)`` for each path a filter can name.

    Paths are those of :func:`config_paths` plus the ``__class__`` of nested configs
    (``data.__class__~Shuffled``); a path no filter can reach (a key holding a dot) is left out.
    ``kind`` is ``num``, ``bool``, ``null``, ``str``, ``class`` (a nested config) or ``other``
    (lists, plain dicts); ``num`` is the number (bools as 0/1, NaN as None); ``text`` is what
    regex filters search (a nested config's class, ``str()`` of anything else).
    """
    rows: list[ConfigRow] = []
    for path in sorted(filter_paths(config)):
        value = config_value(config, path.split("."))
        if value is MISSING:
            continue
        num: float | None = None
        if isinstance(value, bool):
            kind, num = "bool", float(value)
        elif isinstance(value, int | float):
            kind, num = "num", None if isinstance(value, float) and math.isnan(value) else as_float(value)
        elif value is None:
            kind = "null"
        elif isinstance(value, str):
            kind = "str"
        elif isinstance(value, dict) and isinstance(value.get("__class__"), str):
            kind = "class"
        else:
            kind = "other"
        rows.append((path, kind, num, as_text(value)))
    return rows


def sort_sql(keys: str | Sequence[str], *, reverse: bool = False, now: float | None = None) -> str:
    """What goes after ``ORDER BY`` to sort the index's rows as :func:`sort_items` sorts entries.

    Each key sorts in its default direction (times, runtimes and sizes largest first, the rest
    A to Z), flipped by a leading ``-`` and by ``reverse``; unknown values go last either way;
    ties keep the index's order (``a.id``). Runtimes of running artifacts end at ``now``
    (default: the database's clock).
    """
    terms: list[str] = []
    clock = repr(float(now)) if now is not None else "((julianday('now') - 2440587.5) * 86400.0)"
    for key, flipped in parse_sort(keys):
        expression, descending = _sort_sql_key(key, clock)
        # Unknown values last: SQLite orders NULL first, so DESC already puts them last, which lets
        # an index on (created DESC, id) serve the default listing without sorting.
        terms.append(f"{expression} DESC" if descending ^ flipped ^ reverse else f"{expression} ASC NULLS LAST")
    return ", ".join([*terms, "a.id"])


def _sort_sql_key(key: str, clock: str) -> tuple[str, bool]:
    columns = {"created": "a.created", "updated": "a.updated", "size": "a.size_bytes"}
    if key in columns:
        return columns[key], True
    if key == "dependencies":  # the details' rows: NULL (last) where they were not read
        return (
            "(CASE WHEN a.details_stamp IS NULL THEN NULL ELSE "
            "(SELECT count(DISTINCT d.hash) FROM deps d WHERE d.artifact = a.id) END)"
        ), True
    if key == "runtime":
        return _RUNTIME.format(now=clock), True
    if key == "status":
        whens = " ".join(f"WHEN '{status}' THEN {index}" for index, status in enumerate(STATUSES))
        return f"(CASE a.status {whens} ELSE 99 END)", False
    if key == "namespace":
        return "(SELECT sh.namespace FROM shards sh WHERE sh.id = a.shard)", False
    if key in ("class", "hash", "name", "host", "user"):
        return {"class": "a.fqn", "hash": "a.hash", "name": "a.name", "host": "a.host", "user": "a.user"}[key], False
    path = key.removeprefix("config.").replace("'", "''")
    return (
        "(SELECT CASE WHEN f.kind IN ('num', 'bool') THEN f.num WHEN f.kind IN ('str', 'class', 'other') "
        f"THEN f.text END FROM fields f WHERE f.artifact = a.id AND f.path = '{path}')",  # SQLite: numbers before text
        False,
    )


def stale_count_sql(f: Filter) -> tuple[str, list[Any]]:
    """How many artifacts pass one ``stale`` filter: the table's size, or the rest."""
    stale = f"SELECT count(*) FROM {STALE_TABLE}"
    if flag_value(f.text, f.op, f.value, "stale"):
        return stale, []
    return f"SELECT (SELECT count(*) FROM artifacts) - ({stale})", []
