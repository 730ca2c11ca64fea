"""Choosing artifacts: ``key OP value`` filters, expressions of them, sort orders, and their SQL.

A filter is one ``key OP value`` term (:func:`parse_filter`). Keys are the
built-in fields ``status``, ``class`` (alias ``fqn``), ``namespace``,
``version_controlled``, ``hash``, ``tag``, ``name``, ``host``, ``user``,
``created``, ``updated``, ``runtime``, ``size``, ``code_changed`` and ``stale``; anything else is
a config path (``lr``, ``data.name``, ``datasets.0.rows``; prefix ``config.``
to reach a config field that shares a built-in's name). Operators:
``=  !=  ~ (regex)  !~  >  >=  <  <=``.

Values are read the way the field needs them: ``created>2026-11-01`` (ISO
date or time, local time zone; or ``7d`` for "7 days ago"), ``runtime>1h30m``,
``size>=2GB``, ``lr>1e-3`` (compared as numbers when the config value is one),
``status=failed,crashed`` (any of), ``version_controlled=true``.
``code_changed=true`` holds where the module file of the result's class differs
from the one it was made with, or is gone (see :mod:`furu.fingerprint`;
``furu show`` says whether the class itself changed); a result with no recorded
fingerprint (from ``python -c``, or older than fingerprints) counts as
``code_changed=false``. ``stale=true`` holds for successes whose stored config
today's classes no longer rebuild to their hash (see :mod:`furu.staleness`;
finding out imports those classes); a result whose class does not import is
not known to be stale. Filters and sort keys work on catalog entries and on
:class:`~furu.catalog.ArtifactRecord` alike (``code_changed`` and ``stale`` on
records only: the catalog sets them when it reads their details).

Terms combine into an :class:`Expression` (:func:`parse_expression`): side by
side or with ``and`` they must all hold, ``or`` needs one, ``not`` negates, and
parentheses group; ``not`` binds tightest, then ``and``, then ``or``:
``status=failed or (lr>1e-3 and not tag=best)``. They may be separate argv words
(``'(' status=failed or status=crashed ')' class~Train``) or one string.
``Expression.text`` is a canonical form that parses back to the same expression.

The same choice runs as SQL over the catalog's index: ``Expression.sql(now)`` is
a WHERE clause over ``artifacts a`` and its config ``fields`` (rows from
:func:`flatten_config`), :func:`sort_sql` an ORDER BY for ``created,-runtime,lr``.
A ``code_changed`` clause also reads :data:`DRIFTED_CODE_TABLE`, which whoever
runs it fills first with the recorded code files that differ today (the catalog
does, in ``Catalog.ensure_rows({"code"})``, as :attr:`Filter.tier` asks); a
``stale`` clause reads :data:`STALE_TABLE` (``Catalog.ensure_rows({"stale"})``).
Both forms select and order exactly what the Python ones do on the same data
(tests/test_query_sql.py checks it on random records and configs).

The package's modules, each on the ones before it: ``errors``; ``values`` (durations, sizes,
times); ``paths`` (a stored config by dotted path); ``filters`` (one ``key OP value``);
``sorting``; ``keys`` (typo checks for config fields); ``sql`` (filters and sorts over the
index); ``expressions`` (and, or, not); ``parser`` (reading an expression from argv words).
Only the public names are re-exported here; the helpers stay in their modules.
"""

from __future__ import annotations

from furu.query.errors import FuruQueryError
from furu.query.expressions import And, Expression, Not, Or, Term
from furu.query.filters import BUILTIN_KEYS, Filter, parse_filter
from furu.query.keys import check_config_keys, check_known_paths, shadowed_config_keys
from furu.query.parser import parse_expression
from furu.query.paths import config_value, filter_paths, is_missing
from furu.query.sorting import DEFAULT_SORT, SORT_KEYS, parse_sort, sort_items, sort_tier
from furu.query.sql import (
    DRIFTED_CODE_SCHEMA,
    DRIFTED_CODE_TABLE,
    STALE_SCHEMA,
    STALE_TABLE,
    filter_faults,
    flatten_config,
    sort_sql,
    sql_regexp,
)
from furu.query.patterns import per_value_limit, time_limit
from furu.query.values import parse_duration, parse_size, parse_time

__all__ = [
    "And",
    "BUILTIN_KEYS",
    "DEFAULT_SORT",
    "DRIFTED_CODE_SCHEMA",
    "DRIFTED_CODE_TABLE",
    "Expression",
    "Filter",
    "FuruQueryError",
    "Not",
    "Or",
    "SORT_KEYS",
    "STALE_SCHEMA",
    "STALE_TABLE",
    "Term",
    "check_config_keys",
    "check_known_paths",
    "config_value",
    "filter_faults",
    "filter_paths",
    "flatten_config",
    "is_missing",
    "parse_duration",
    "parse_expression",
    "parse_filter",
    "parse_size",
    "parse_sort",
    "parse_time",
    "per_value_limit",
    "shadowed_config_keys",
    "sort_items",
    "sort_sql",
    "sort_tier",
    "sql_regexp",
    "time_limit",
]
