"""Choosing artifacts: ``key OP value`` filters, expressions of them, sort orders, and their SQL.

A filter is one ``key OP value`` term (:func:`parse_filter`). Keys are the
built-in fields ``status``, ``class`` (alias ``fqn``), ``hash``, ``tag``,
``name``, ``created``, ``updated``, ``runtime`` and ``size``; anything else is
a config path (``lr``, ``data.name``, ``datasets.0.rows``; prefix ``config.``
to reach a config field that shares a built-in's name). Operators:
``=  !=  ~ (regex)  !~  >  >=  <  <=``.

Values are read the way the field needs them: ``created>2026-11-01`` (ISO
date or time, local time zone; or ``7d`` for "7 days ago"), ``runtime>1h30m``,
``size>=2GB``, ``lr>1e-3`` (compared as numbers when the config value is one),
``status=failed,crashed`` (any of). Filters and sort keys work on catalog
entries and on :class:`~furu.catalog.ArtifactRecord` alike.

Terms combine into an :class:`Expression` (:func:`parse_expression`): side by
side or with ``and`` they must all hold, ``or`` needs one, ``not`` negates, and
parentheses group; ``not`` binds tightest, then ``and``, then ``or``:
``status=failed or (lr>1e-3 and not tag=best)``. They may be separate argv words
(``'(' status=failed or status=crashed ')' class~Train``) or one string.
``Expression.text`` is a canonical form that parses back to the same expression.

The same choice runs as SQL over the catalog's index: ``Expression.sql(now)`` is
a WHERE clause over ``artifacts a`` and its config ``fields`` (rows from
:func:`flatten_config`), :func:`sort_sql` an ORDER BY for ``created,-runtime,lr``.
Both forms select and order exactly what the Python ones do on the same data
(tests/test_query_sql.py checks it on random records and configs).
"""

from __future__ import annotations

import difflib
import heapq
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Literal

from furu.errors import FuruError
from furu.serialization import entries
from furu.statuses import STATUSES

Operator = Literal["=", "!=", "~", "!~", ">", ">=", "<", "<="]
Tier = Literal["summary", "marks", "details", "sizes"]

BUILTIN_KEYS = ("status", "class", "fqn", "hash", "tag", "name", "created", "updated", "runtime", "size")
SORT_KEYS = ("created", "updated", "runtime", "status", "class", "size", "hash", "name")
DEFAULT_SORT = "created"

_FILTER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(!=|>=|<=|!~|==|=|~|>|<)\s*(.*?)\s*$", re.DOTALL)
_MISSING = object()
_STATUS_ORDER = {status: index for index, status in enumerate(STATUSES)}


class FuruQueryError(FuruError):
    """A filter or sort key that cannot be understood."""


@dataclass(frozen=True)
class Filter:
    """One parsed ``key OP value`` condition.

    Two filters are equal when they mean the same (key, operator, value), however
    they were written (``lr > 1e-3`` and ``lr>1e-3``): ``text`` is kept as the user
    wrote it, for error messages. ``bounds`` is the ``(start, end)`` a ``created``
    or ``updated`` value was read as when parsed (``7d`` is relative to that
    moment), so :meth:`Expression.sql` selects what :attr:`test` does.
    """

    text: str = field(compare=False)
    key: str
    op: Operator
    value: str
    kind: str  # a built-in key, or "config"
    path: tuple[str, ...] = ()
    test: Callable[[Any], bool] = field(default=lambda item: True, compare=False, repr=False)
    bounds: tuple[float, float] | None = field(default=None, compare=False, repr=False)

    @property
    def tier(self) -> Tier:
        """What must be read before the filter can be evaluated."""
        if self.kind in ("tag", "name"):
            return "marks"
        if self.kind == "status" and ("corrupt" in self.value or "damaged" in self.value):
            return "details"  # a broken metadata.json or annotations.json is only seen once it is read
        if self.kind == "size":
            return "sizes"
        if self.kind == "config":
            return "details"
        return "summary"

    @property
    def mutable(self) -> bool:
        """Whether the field can change while the artifact stays (so every entry must be checked)."""
        return self.kind in ("status", "tag", "name", "updated", "runtime", "size")

    def matches(self, item: Any) -> bool:
        return self.test(item)


def parse_filter(text: str) -> Filter:
    """Parse ``key OP value``; raises :class:`FuruQueryError` with the reason."""
    match = _FILTER.match(text)
    if match is None:
        raise FuruQueryError(
            f"Cannot read filter {text!r}: write key OP value, e.g. status=failed, class~Train, "
            "lr>1e-3, data.name=toy, created>2026-11-01, tag=best (OP is one of = != ~ !~ > >= < <=)."
        )
    key, op, value = match.group(1), match.group(2), match.group(3)
    op = "=" if op == "==" else op
    if op not in ("~", "!~") and (value[:1] in ("<", ">", "=", "~") or value[:2] in ("!=", "!~")):
        written = match.group(2) + re.match(r"[<>=~!]*", value).group(0)  # type: ignore[union-attr]
        raise FuruQueryError(
            f"Cannot read filter {text!r}: {written!r} is not an operator; OP is one of = != ~ !~ > >= < <= "
            "(e.g. lr>1e-3); to match a value that starts with one of these characters, use a regex (name~^<x)."
        )
    if key.startswith("config."):
        return _config_filter(text, key, op, value, tuple(key.split(".")[1:]))  # type: ignore[arg-type]
    if key not in BUILTIN_KEYS:
        return _config_filter(text, key, op, value, tuple(key.split(".")))  # type: ignore[arg-type]
    kind = "class" if key == "fqn" else key
    if kind in ("created", "updated"):
        bounds = _time_bounds(kind, text, op, value)
        test = _time_test(f"{kind}_ts", op, bounds)
        return Filter(text=text, key=key, op=op, value=value, kind=kind, test=test, bounds=bounds)  # type: ignore[arg-type]
    test = _BUILTIN_TESTS[kind](text, op, value)
    return Filter(text=text, key=key, op=op, value=value, kind=kind, test=test)  # type: ignore[arg-type]


# -- built-in fields -------------------------------------------------------------------


def _status_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    wanted = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(wanted - set(STATUSES))
    if unknown or op not in ("=", "!="):
        raise FuruQueryError(
            f"Filter {text!r}: status takes = or != and one or more of {', '.join(STATUSES)}"
            + (f" (not {', '.join(unknown)})" if unknown else "")
            + "."
        )
    if op == "=":
        return lambda item: item.status in wanted
    return lambda item: item.status not in wanted


def _text_test(field: Callable[[Any], str | None], text: str, op: str, value: str) -> Callable[[Any], bool]:
    if op in ("~", "!~"):
        pattern = _regex(text, value)
        if op == "~":
            return lambda item: pattern.search(field(item) or "") is not None
        return lambda item: pattern.search(field(item) or "") is None
    if op in ("=", "!="):
        wanted = {part for part in value.split(",")} if value else {""}
        if op == "=":
            return lambda item: (field(item) or "") in wanted
        return lambda item: (field(item) or "") not in wanted
    return _ordering(text, op, value, lambda item: field(item) or "")


def _class_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    if op in ("=", "!="):
        names = {part.strip() for part in value.split(",") if part.strip()}

        def same(item: Any) -> bool:
            fqn = item.fqn
            return any(fqn == name or fqn.endswith("." + name) for name in names)

        return same if op == "=" else (lambda item: not same(item))
    return _text_test(lambda item: item.fqn, text, op, value)


def _hash_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    if op in ("=", "!="):
        prefix = value.lower()
        if op == "=":
            return lambda item: item.hash.startswith(prefix)
        return lambda item: not item.hash.startswith(prefix)
    return _text_test(lambda item: item.hash, text, op, value)


def _tag_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    if op == "=":
        return lambda item: value in item.tags
    if op == "!=":
        return lambda item: value not in item.tags
    if op in ("~", "!~"):
        pattern = _regex(text, value)

        def found(item: Any) -> bool:
            return any(pattern.search(tag) for tag in item.tags)

        return found if op == "~" else (lambda item: not found(item))
    raise FuruQueryError(f"Filter {text!r}: tag takes =, !=, ~ or !~.")


def _time_bounds(kind: str, text: str, op: str, value: str) -> tuple[float, float]:
    if op in ("~", "!~"):
        raise FuruQueryError(f"Filter {text!r}: {kind} takes = != > >= < <=.")
    return parse_time(value, text)


def _time_comparison(op: str, bounds: tuple[float, float]) -> tuple[str, float]:
    """``created OP value`` as one comparison with one bound (for every op but = and !=)."""
    start, end = bounds
    period = end > start  # a date: GitHub's reading, ">2026-11-01" means after that day
    if op == ">":
        return (">=", end) if period else (">", start)
    if op == "<=":
        return ("<", end) if period else ("<=", start)
    return op, start


def _time_test(attribute: str, op: str, bounds: tuple[float, float]) -> Callable[[Any], bool]:
    start, end = bounds

    def get(item: Any) -> Any:
        return getattr(item, attribute)

    if op == "=":
        return lambda item: (v := get(item)) is not None and start <= v < end
    if op == "!=":
        return lambda item: (v := get(item)) is not None and not start <= v < end
    return _compare(*_time_comparison(op, bounds), get)


def _number_test(attribute: str, parse: Callable[[str, str], float]) -> Callable[[str, str, str], Callable[[Any], bool]]:
    def build(text: str, op: str, value: str) -> Callable[[Any], bool]:
        if op in ("~", "!~"):
            raise FuruQueryError(f"Filter {text!r}: {attribute} takes = != > >= < <=.")
        number = parse(value, text)

        def get(item: Any) -> Any:
            return getattr(item, attribute)

        return _compare(op, number, get)

    return build


def _compare(op: str, bound: float, get: Callable[[Any], float | None]) -> Callable[[Any], bool]:
    compare = _COMPARISONS[op]
    return lambda item: (v := get(item)) is not None and compare(v, bound)


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}

_BUILTIN_TESTS: dict[str, Callable[[str, str, str], Callable[[Any], bool]]] = {
    "status": _status_test,
    "class": _class_test,
    "hash": _hash_test,
    "tag": _tag_test,
    "name": lambda text, op, value: _text_test(lambda item: item.name, text, op, value),
    "runtime": _number_test("runtime_secs", lambda value, text: parse_duration(value, text).total_seconds()),
    "size": _number_test("size_bytes", lambda value, text: float(parse_size(value, text))),
}


# -- config fields ---------------------------------------------------------------------


def config_value(config: dict[str, Any] | None, path: Sequence[str]) -> Any:
    """The value at a dotted path of a stored config (through nested configs and lists), or MISSING."""
    value: Any = config
    for part in path:
        value = entries(value)  # tuples as lists, {"__dict__": pairs} by key text
        if isinstance(value, dict):
            if part not in value:
                return _MISSING
            value = value[part]
        elif isinstance(value, list) and _is_index(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return entries(value)


def _is_index(part: str) -> bool:
    """``0``, ``12``: a list index as :func:`config_paths` writes it (not ``00`` or ``٣``), so the index agrees."""
    return part.isascii() and part.isdigit() and (part == "0" or not part.startswith("0"))


def is_missing(value: Any) -> bool:
    return value is _MISSING


def config_paths(config: dict[str, Any] | None) -> set[str]:
    """Every dotted path a filter or sort key can name in a stored config (``data``, ``data.name``)."""
    found: set[str] = set()

    def walk(value: Any, prefix: str) -> None:
        value = entries(value)
        if isinstance(value, dict):
            for key, child in value.items():
                if key != "__class__" and isinstance(key, str):
                    found.add(prefix + key)
                    walk(child, f"{prefix}{key}.")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                found.add(f"{prefix}{index}")
                walk(child, f"{prefix}{index}.")

    walk(config, "")
    return found


def check_config_keys(filters: Sequence[Filter], sort: str | None, items: Sequence[Any]) -> None:
    """Refuse a config path (in a filter or the sort key) that no item's stored config has: a typo.

    ``items`` are entries or records with their details read. Artifacts with no
    stored config yet (running, failed) say nothing either way, so when none
    has one nothing is refused. The error suggests the closest field
    (``alhpa`` -> ``alpha``) and lists the keys that do exist.
    """
    configs = [item.config for item in items if item.config is not None]
    if configs:
        check_known_paths(filters, sort, set().union(*map(filter_paths, configs)))


def check_known_paths(filters: Sequence[Filter], sort: str | None, known: set[str]) -> None:
    """:func:`check_config_keys` against the paths that stored configs have (e.g. from the catalog's index)."""
    if not known:
        return
    top = ", ".join(sorted(key for key in known if "." not in key and key != "__class__")) or "(none)"
    for f in filters:
        path = ".".join(f.path)
        if f.kind == "config" and path not in known:
            raise FuruQueryError(
                f"Filter {f.text!r}: no artifact's config has a field {path!r}.{_closest(path, known, BUILTIN_KEYS)} "
                f"Config fields: {top} (nested ones as data.name); built-in keys: {', '.join(BUILTIN_KEYS)}."
            )
    for key, _ in _sort_parts(sort) if sort is not None else []:
        sort_path = key.removeprefix("config.") if key not in SORT_KEYS else None
        if sort_path is not None and sort_path not in known:
            raise FuruQueryError(
                f"Cannot sort by {key!r}: it is not one of {', '.join(SORT_KEYS)}, and no artifact's config has "
                f"that field.{_closest(sort_path, known, SORT_KEYS)} Config fields: {top} (nested ones as data.name)."
            )


def shadowed_config_keys(filters: Sequence[Filter], known: set[str]) -> list[Filter]:
    """Built-in filters (``name=toy``) whose key is also a config field (one of ``known``): the user may have meant it."""
    return [f for f in filters if f.kind != "config" and f.key in known]


def _closest(name: str, known: set[str], built_in: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, [*built_in, *sorted(known)], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _config_filter(text: str, key: str, op: Operator, value: str, path: tuple[str, ...]) -> Filter:
    if not path or not all(path):
        raise FuruQueryError(f"Filter {text!r}: {key!r} is not a config path like lr or data.name.")
    pattern = _regex(text, value) if op in ("~", "!~") else None
    compare = _COMPARISONS.get(op)

    def test(item: Any) -> bool:
        found = config_value(item.config, path)
        if found is _MISSING:
            return False
        if pattern is not None:
            hit = pattern.search(_as_text(found)) is not None
            return hit if op == "~" else not hit
        assert compare is not None
        typed = _typed_like(found, value)
        if typed is _MISSING:
            return op == "!="
        if isinstance(found, dict):
            found = found["__class__"]  # _typed_like made sure it is a class name
            if op in ("=", "!="):
                same = found == value or found.endswith("." + value)
                return same if op == "=" else not same
        elif isinstance(found, int | float) and not isinstance(found, bool):
            found = _as_float(found)  # as the index stores it: a huge int compares as the float it rounds to
        try:
            return compare(found, typed)
        except TypeError:
            return False

    return Filter(text=text, key=key, op=op, value=value, kind="config", path=path, test=test)


def _typed_like(found: Any, value: str) -> Any:
    """Read the filter's text as the same type as the stored value."""
    if isinstance(found, bool):
        lowered = value.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        return _MISSING
    if isinstance(found, int | float):
        try:
            return float(value)
        except ValueError:
            return _MISSING
    if found is None:
        return None if value.lower() in ("none", "null", "") else _MISSING
    if isinstance(found, str) or (isinstance(found, dict) and isinstance(found.get("__class__"), str)):
        return value  # a nested config compares by its class name; a plain dict, like a list, by nothing
    return _MISSING


def _as_float(value: int | float) -> float:
    """A config number as a float (what the index's REAL column holds); ints too large for one are infinite."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _as_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("__class__", value))
    return str(value)


# -- values ----------------------------------------------------------------------------

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s|ms)?", re.IGNORECASE)
_DURATION_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)(b?)\s*$", re.IGNORECASE)


def parse_duration(value: str, context: str | None = None) -> timedelta:
    """``90``, ``90s``, ``5m``, ``1h30m``, ``2d``, ``1w`` as a timedelta."""
    text = value.strip().replace(" ", "")
    position, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2).lower() if match.group(2) else None]
        position = match.end()
    where = f"Filter {context!r}: " if context else ""
    if not text or position != len(text):
        raise FuruQueryError(f"{where}cannot read {value!r} as a duration; write e.g. 90s, 5m, 1h30m, 30d.")
    try:
        return timedelta(seconds=total)
    except OverflowError:
        raise FuruQueryError(f"{where}{value!r} is too long a duration; write e.g. 90s, 5m, 1h30m, 30d.") from None


def parse_size(value: str, context: str | None = None) -> int:
    """``123``, ``10k``, ``1.5MB`` (powers of 1000), ``2GiB`` (powers of 1024) as bytes."""
    match = _SIZE.match(value)
    if match is None:
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}cannot read {value!r} as a size; write e.g. 500MB, 2GiB, 10k.")
    number, prefix, binary = float(match.group(1)), match.group(2).lower(), bool(match.group(3))
    power = "kmgtp".index(prefix) + 1 if prefix else 0
    size = number * (1024 if binary else 1000) ** power
    if not math.isfinite(size):
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}{value!r} is too large a size; write e.g. 500MB, 2GiB, 10k.")
    return int(size)


def parse_time(value: str, context: str | None = None) -> tuple[float, float]:
    """A point in time as ``(start, end)`` epoch seconds: a date covers its whole (local) day.

    Accepts ISO dates and times (local time unless they carry an offset),
    ``today``, ``yesterday``, and durations meaning "that long ago" (``7d``).
    """
    text = value.strip()
    now = time.time()
    if text in ("today", "yesterday"):
        day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        if text == "yesterday":
            day -= timedelta(days=1)
        return day.timestamp(), (day + timedelta(days=1)).timestamp()
    if text and text[0].isdigit() and text[-1].isalpha() and "-" not in text:
        ago = now - parse_duration(text, context).total_seconds()
        return ago, ago
    try:
        moment = datetime.fromisoformat(text)
        start = moment.timestamp()
        if len(text) == 10:  # a date: the whole day
            return start, (moment + timedelta(days=1)).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one the clock cannot reach (year 1, 9999-12-31)
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(
            f"{where}cannot read {value!r} as a time; write e.g. 2026-11-01, 2026-11-01T14:30, today, 7d (ago)."
        ) from None
    return start, start


def _regex(text: str, value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except (re.error, OverflowError, RecursionError) as error:  # a{99999999999}, or groups nested too deep
        raise FuruQueryError(f"Filter {text!r}: {value!r} is not a valid regular expression ({error}).") from None


def _ordering(text: str, op: str, value: str, get: Callable[[Any], Any]) -> Callable[[Any], bool]:
    return _compare(op, value, get)  # type: ignore[arg-type]


# -- sorting ---------------------------------------------------------------------------


def sort_items(items: list[Any], key: str = DEFAULT_SORT, *, reverse: bool = False, limit: int | None = None) -> list[Any]:
    """Sort by a built-in key or a config path. Times, runtimes and sizes put the largest first;
    names, classes and statuses go A to Z; ``reverse`` flips either. Unknown values go last.

    ``key`` may name several keys, ``created,-runtime,lr``: the first decides, the next break
    ties, and a leading ``-`` flips one (the order :func:`sort_sql` gives the index)."""
    if "," in key or key.startswith("-"):
        keys = parse_sort(key)
        if len(keys) > 1:
            ordered = _sort_several(items, keys, reverse)
            return ordered if limit is None else ordered[:limit]
        key, flipped = keys[0]
        reverse = reverse != flipped
    getter, descending = _sort_getter(key)
    keys = list(map(getter, items))
    known = [index for index, value in enumerate(keys) if value is not None] if None in keys else range(len(keys))
    newest_first = descending != reverse
    if limit is not None and limit < len(known) // 4:
        pick = heapq.nlargest if newest_first else heapq.nsmallest
        chosen = pick(limit, known, key=keys.__getitem__)
    else:
        chosen = sorted(known, key=keys.__getitem__, reverse=newest_first)
    ordered = [items[index] for index in chosen]
    if limit is None or len(ordered) < limit:
        ordered += [item for item, value in zip(items, keys, strict=True) if value is None]
    return ordered if limit is None else ordered[:limit]


def sort_is_mutable(key: str) -> bool:
    """Whether a sort key (any of ``created,-runtime``) can change while an artifact stays."""
    return any(part in ("updated", "runtime", "status", "size", "name") for part, _ in _sort_parts(key))


def sort_tier(key: str) -> Tier:
    """What must be read to sort by the key (the most of it, for several keys)."""
    tiers: list[Tier] = ["summary", "marks", "details", "sizes"]
    return max((_one_sort_tier(part) for part, _ in _sort_parts(key)), key=tiers.index)


def _one_sort_tier(key: str) -> Tier:
    if key == "size":
        return "sizes"
    if key == "name":
        return "marks"
    if key in SORT_KEYS:
        return "summary"
    return "details"


def _sort_parts(key: str) -> list[tuple[str, bool]]:
    return parse_sort(key) if "," in key or key.startswith("-") else [(key, False)]


def _sort_getter(key: str) -> tuple[Callable[[Any], Any], bool]:
    getters: dict[str, tuple[Callable[[Any], Any], bool]] = {
        "created": (attrgetter("created_ts"), True),
        "updated": (attrgetter("updated_ts"), True),
        "runtime": (attrgetter("runtime_secs"), True),
        "size": (attrgetter("size_bytes"), True),
        "status": (lambda item: _STATUS_ORDER.get(item.status, 99), False),
        "class": (attrgetter("fqn"), False),
        "hash": (attrgetter("hash"), False),
        "name": (attrgetter("name"), False),
    }
    if key in getters:
        return getters[key]
    path = tuple(key.removeprefix("config.").split("."))

    def config_key(item: Any) -> Any:
        value = config_value(item.config, path)
        if value is _MISSING or value is None:
            return None
        if isinstance(value, bool | int | float):
            return (0, _as_float(value), "") if not (isinstance(value, float) and math.isnan(value)) else None
        return (1, 0.0, _as_text(value))

    return config_key, False


# -- expressions: and, or, not, parentheses --------------------------------------------------

_TERM_START = re.compile(r"([A-Za-z0-9_.\-]+)\s*(!=|>=|<=|!~|==|=|~|>|<)")
_KEYWORDS = ("and", "or", "not")
_GLUED = re.compile(r"(and|or|not)\(")
_MAX_DEPTH = 100  # parentheses nested deeper are refused rather than recursed into
_EXAMPLE = "status=failed or (lr>1e-3 and not tag=best)"


class Expression(ABC):
    """A parsed filter expression: terms combined with and, or, not (see :func:`parse_expression`)."""

    @abstractmethod
    def test(self, item: Any) -> bool:
        """Whether an entry or record matches."""

    @abstractmethod
    def filters(self) -> list[Filter]:
        """Every term, left to right (for what must be read first, and for typo checks)."""

    @property
    @abstractmethod
    def text(self) -> str:
        """The canonical form: parses back to an equal expression (the dashboard's filter builder keeps it)."""

    @abstractmethod
    def sql(self, now: float) -> tuple[str, list[Any]]:
        """A WHERE clause over the catalog index (``artifacts a``, ``fields f``) and its ``?`` parameters.

        ``now`` is when running and queued artifacts' runtime ends. It selects exactly what :meth:`test`
        does on the same data; regex operators need the connection's ``regexp`` (:func:`sql_regexp`).
        """

    @property
    def is_plain_and(self) -> bool:
        """Whether this is terms that must all hold (what ``furu ls`` always took): no or, no not."""
        return False

    def matches(self, item: Any) -> bool:
        return self.test(item)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Term(Expression):
    """One ``key OP value`` filter."""

    filter: Filter

    def test(self, item: Any) -> bool:
        return self.filter.test(item)

    def filters(self) -> list[Filter]:
        return [self.filter]

    @property
    def text(self) -> str:
        return f"{self.filter.key}{self.filter.op}{self.filter.value}"

    def sql(self, now: float) -> tuple[str, list[Any]]:
        return filter_sql(self.filter, now)

    @property
    def is_plain_and(self) -> bool:
        return True


@dataclass(frozen=True)
class And(Expression):
    """Every part holds; ``And(())`` matches everything (no filters at all)."""

    parts: tuple[Expression, ...]

    def test(self, item: Any) -> bool:
        return all(part.test(item) for part in self.parts)

    def filters(self) -> list[Filter]:
        return [f for part in self.parts for f in part.filters()]

    @property
    def text(self) -> str:
        return " and ".join(_grouped(part) if isinstance(part, Or) else part.text for part in self.parts)

    def sql(self, now: float) -> tuple[str, list[Any]]:
        return _joined(self.parts, "AND", "1", now)

    @property
    def is_plain_and(self) -> bool:
        return all(isinstance(part, Term) for part in self.parts)


@dataclass(frozen=True)
class Or(Expression):
    """At least one part holds."""

    parts: tuple[Expression, ...]

    def test(self, item: Any) -> bool:
        return any(part.test(item) for part in self.parts)

    def filters(self) -> list[Filter]:
        return [f for part in self.parts for f in part.filters()]

    @property
    def text(self) -> str:
        return " or ".join(part.text for part in self.parts)

    def sql(self, now: float) -> tuple[str, list[Any]]:
        return _joined(self.parts, "OR", "0", now)


@dataclass(frozen=True)
class Not(Expression):
    """The part does not hold (an artifact without the field matches ``not lr>1``)."""

    part: Expression

    def test(self, item: Any) -> bool:
        return not self.part.test(item)

    def filters(self) -> list[Filter]:
        return self.part.filters()

    @property
    def text(self) -> str:
        inner = self.part.text if isinstance(self.part, Term | Not) else _grouped(self.part)
        return f"not {inner}"

    def sql(self, now: float) -> tuple[str, list[Any]]:
        clause, params = self.part.sql(now)
        return f"NOT {clause}", params


def _grouped(expression: Expression) -> str:
    """``(...)``, with a space before the ``)`` when the last value would otherwise keep it (``name=a(``)."""
    inner = expression.text
    last = expression
    while not isinstance(last, Term):
        if isinstance(last, Not):
            last = last.part
        elif isinstance(last, And | Or) and last.parts:
            last = last.parts[-1]
        else:
            return f"({inner})"
    value = last.filter.value
    kept = _strip_closing(value + ")")[0] != value
    return f"({inner} )" if kept else f"({inner})"


def _joined(parts: Sequence[Expression], word: str, empty: str, now: float) -> tuple[str, list[Any]]:
    if not parts:
        return empty, []
    clauses, params = [], []
    for part in parts:
        clause, part_params = part.sql(now)
        clauses.append(clause)
        params += part_params
    return "(" + f" {word} ".join(clauses) + ")", params


def parse_expression(terms: str | Sequence[str]) -> Expression:
    """Parse ``furu ls`` filters: terms joined by ``and`` (or just side by side), ``or``, ``not``, ``( )``.

    ``terms`` are argv words or one string (``"status=failed or (lr>1e-3 and not tag=best)"``);
    parentheses and the lowercase words ``and``, ``or``, ``not`` may stand alone or inside a
    word. ``not`` binds tightest, then ``and``, then ``or``. A word without an operator after a
    term continues its value (``name=my run``); so do ``and``/``or``/``not`` unless a filter or
    a ``(`` follows them (``name=rock and roll``). A ``)`` that closes a group may end the last
    value (``(tag=a or tag=b)``); one that is part of a regex stays (``class~(Train|Eval)``).
    No terms at all give ``And(())``, which matches everything.
    """
    elements = [terms] if isinstance(terms, str) else list(terms)
    tokens = _Lexer(elements).tokens()
    if not tokens:
        return And(())
    parser = _Parser(tokens, elements)
    expression = parser.disjunction(0)
    if parser.index < len(tokens):  # only a ')' stops a top-level disjunction
        raise parser.error(tokens[parser.index], "this ')' has no '(' before it", "open each group you close")
    return expression


@dataclass(frozen=True)
class _Word:
    element: int
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "and", "or", "not", "term"
    element: int
    start: int
    end: int
    filter: Filter | None = None


class _Lexer:
    """Splits argv words into parentheses, keywords and ``key OP value`` terms (values may hold spaces)."""

    def __init__(self, elements: list[str]) -> None:
        self.elements = elements
        self.words = [
            _Word(index, match.start(), match.end())
            for index, element in enumerate(elements)
            for match in re.finditer(r"\S+", element)
        ]
        self.out: list[_Token] = []

    def text(self, word: _Word) -> str:
        return self.elements[word.element][word.start : word.end]

    def tokens(self) -> list[_Token]:
        index, expect_operand = 0, True
        while index < len(self.words):
            word = self.words[index]
            text = self.text(word)
            bare = text.rstrip(")")
            glued = _GLUED.match(text)
            if glued:  # "not(status=failed)": the keyword, then the group
                keyword = glued.group(1)
                self.out.append(_Token(keyword, word.element, word.start, word.start + len(keyword)))
                self.words[index] = _Word(word.element, word.start + len(keyword), word.end)
                expect_operand = True
            elif not bare:
                self._parens(")", word)
                index += 1
                expect_operand = False
            elif bare in _KEYWORDS:  # "or", or "or)" (which the parser refuses: nothing follows the or)
                self.out.append(_Token(bare, word.element, word.start, word.start + len(bare)))
                self._parens(")", _Word(word.element, word.start + len(bare), word.end))
                index += 1
                expect_operand = bare == text
            elif not expect_operand:
                expect_operand = True  # a term or a group right after another: an implicit "and"
            elif text.startswith("("):
                opening = len(text) - len(text.lstrip("("))
                self._parens("(", _Word(word.element, word.start, word.start + opening))
                if opening == len(text):
                    index += 1
                else:
                    self.words[index] = _Word(word.element, word.start + opening, word.end)
            else:
                index = self._term(index)
                expect_operand = False
        return self.out

    def _parens(self, kind: str, word: _Word) -> None:
        for position in range(word.start, word.end):
            self.out.append(_Token(kind, word.element, position, position + 1))

    def _term(self, index: int) -> int:
        """Read the term starting at ``words[index]``; returns the index of the first word after it."""
        word = self.words[index]
        element = self.elements[word.element]
        match = _TERM_START.match(element, word.start)
        if match is None:
            raise FuruQueryError(
                f"Cannot read filter {self.text(word)!r}: write key OP value, e.g. status=failed, class~Train, "
                f"lr>1e-3, created>2026-11-01 (OP is one of = != ~ !~ > >= < <=), joined by and, or, not and "
                f"parentheses: {_EXAMPLE}.{_where(self.elements, word.element, word.end)}"
            )
        end = word.end
        index += 1
        while index < len(self.words) and self.words[index].element == word.element:
            if self.words[index].start >= match.end():
                break
            end = self.words[index].end  # "lr > 1e-3": the operator was a word of its own
            index += 1
        pieces = [_Word(word.element, word.start, end)]
        while index < len(self.words) and self._continues_value(index):
            if self.text(pieces[-1]).endswith(")") and _strip_closing(_joined_text(self.elements, pieces))[1]:
                break  # "(status=failed) lr": that ")" closed the group, so the value ended with it
            pieces.append(self.words[index])
            index += 1
        text = _joined_text(self.elements, pieces)
        stripped, closing = _strip_closing(text)
        last = pieces[-1]
        self.out.append(_Token("term", word.element, word.start, last.end - closing, parse_filter(stripped)))
        self._parens(")", _Word(last.element, last.end - closing, last.end))
        return index

    def _continues_value(self, index: int) -> bool:
        """Whether ``words[index]`` is more of the value before it rather than an operator or a new term."""
        text = self.text(self.words[index])
        if set(text) <= {"(", ")"}:
            return False  # parentheses standing alone always group
        if text in _KEYWORDS:  # "name=rock and roll": a word of the value unless a filter follows
            after = index + 1
            if after == len(self.words):
                return False
            following = self.text(self.words[after])
            return not (following in _KEYWORDS or following[0] in "()" or self._opens_operand(after))
        if text.rstrip(")") in _KEYWORDS or _GLUED.match(text):
            return False  # "or)", "not(": operators (the parser says what is missing)
        return not self._opens_operand(index)

    def _opens_operand(self, index: int) -> bool:
        """Whether the words from ``index`` start a term, a ``(`` group or a ``not`` of one."""
        offset = 0
        while index < len(self.words):
            word = self.words[index]
            text = self.text(word)[offset:]
            skip = len(text) - len(text.lstrip("(")) if text.startswith("(") else 3 if _GLUED.match(text) else 0
            if text == "not" or skip == len(text):  # what follows decides
                index, offset = index + 1, 0
            elif skip:
                offset += skip
            elif text.rstrip(")") in _KEYWORDS or set(text) <= {")"}:
                return False
            else:
                return _TERM_START.match(self.elements[word.element], word.start + offset) is not None
        return False


def _joined_text(elements: Sequence[str], pieces: Sequence[_Word]) -> str:
    """The text the pieces cover: as written inside one argv word, joined by a space across words."""
    parts: list[str] = []
    run: _Word | None = None
    for piece in pieces:
        if run is not None and run.element == piece.element:
            run = _Word(run.element, run.start, piece.end)
            continue
        if run is not None:
            parts.append(elements[run.element][run.start : run.end])
        run = piece
    if run is not None:
        parts.append(elements[run.element][run.start : run.end])
    return " ".join(parts)


def _strip_closing(text: str) -> tuple[str, int]:
    """Take the ``)`` that close groups off the end of a term: those its value has more of than ``(``.

    Escaped parentheses (``\\)``) belong to a regex and are not counted.
    """
    count = 0
    while text.endswith(")") and not _escaped(text, len(text) - 1) and _excess_closing(text) > 0:
        text = text[:-1]
        count += 1
    return text, count


def _escaped(text: str, position: int) -> bool:
    backslashes = len(text[:position]) - len(text[:position].rstrip("\\"))
    return backslashes % 2 == 1


def _excess_closing(text: str) -> int:
    excess, escaped = 0, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            excess -= 1
        elif char == ")":
            excess += 1
    return excess


def _where(elements: Sequence[str], element: int, end: int) -> str:
    """`` In: status=failed or ( <-- here``: the whole query, marked after the token at fault."""
    if len(elements) == 1 and " " not in elements[0].strip():
        return ""
    offset = sum(len(text) + 1 for text in elements[:element]) + end
    query = " ".join(elements)
    return f" In: {query[:offset]} <-- here{query[offset:]}"


class _Parser:
    """Recursive descent over the tokens: or of ands of (possibly negated) terms and groups."""

    def __init__(self, tokens: list[_Token], elements: list[str]) -> None:
        self.tokens = tokens
        self.elements = elements
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index].kind if self.index < len(self.tokens) else None

    def error(self, token: _Token, what: str, fix: str) -> FuruQueryError:
        return FuruQueryError(
            f"Cannot read the filters {' '.join(self.elements)!r}: {what}; {fix}, e.g. {_EXAMPLE}."
            f"{_where(self.elements, token.element, token.end) or ' In: ' + ' '.join(self.elements) + ' <-- here'}"
        )

    def disjunction(self, depth: int) -> Expression:
        parts = [self.conjunction(depth)]
        while self.peek() == "or":
            self.index += 1
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Or(_flat(parts, Or))

    def conjunction(self, depth: int) -> Expression:
        parts = [self.unary(depth)]
        while self.peek() in ("and", "not", "(", "term"):
            if self.peek() == "and":
                self.index += 1
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else And(_flat(parts, And))

    def unary(self, depth: int) -> Expression:
        negations = 0
        while self.peek() == "not":
            if depth + negations >= _MAX_DEPTH:
                raise self.error(self.tokens[self.index], f"filters nest more than {_MAX_DEPTH} deep", "nest fewer")
            self.index += 1
            negations += 1
        expression = self.primary(depth + negations)
        for _ in range(negations):
            expression = Not(expression)
        return expression

    def primary(self, depth: int) -> Expression:
        kind = self.peek()
        if kind == "term":
            token = self.tokens[self.index]
            self.index += 1
            assert token.filter is not None
            return Term(token.filter)
        if kind == "(":
            opening = self.tokens[self.index]
            if depth >= _MAX_DEPTH:
                raise self.error(opening, f"filters nest more than {_MAX_DEPTH} deep", "nest fewer")
            self.index += 1
            expression = self.disjunction(depth + 1)
            if self.peek() != ")":
                raise self.error(opening, "this '(' is never closed", "close each group with ')'")
            self.index += 1
            return expression
        raise self._missing_operand()

    def _missing_operand(self) -> FuruQueryError:
        before = self.tokens[self.index - 1] if self.index > 0 else None
        token = self.tokens[self.index] if self.index < len(self.tokens) else None
        if before is not None and before.kind == "not":
            return self.error(before, "'not' has no filter after it", "write not key OP value or not (...)")
        if before is not None and before.kind in ("and", "or"):
            return self.error(before, f"{before.kind!r} has no filter after it", f"put a filter after {before.kind!r}")
        if before is not None and before.kind == "(" and token is not None and token.kind == ")":
            return self.error(token, "'()' holds no filter", "put filters inside the parentheses or drop them")
        if token is None:  # the query ends right after a "(" (an empty query is no error)
            assert before is not None
            return self.error(before, "this '(' is never closed", "close each group with ')'")
        if token.kind in ("and", "or"):
            return self.error(token, f"{token.kind!r} has no filter before it", f"put a filter before {token.kind!r}")
        return self.error(token, "this ')' has no '(' before it", "open each group you close")


def _flat(parts: list[Expression], kind: type[And] | type[Or]) -> tuple[Expression, ...]:
    """``a and (b and c)`` as one ``And`` of three: nesting the same operator means nothing."""
    return tuple(inner for part in parts for inner in (part.parts if isinstance(part, kind) else (part,)))


# -- the same filters and sorts as SQL over the catalog's index -----------------------------------
#
# Tables (furu.catalog.store): ``artifacts a`` (status, fqn, hash, tags as a JSON array, name,
# created, updated, started, ended, size_bytes) and ``fields f`` (artifact, path, kind, num,
# text), one row per config path (:func:`flatten_config`). Every clause is 0 or 1, never NULL,
# so ``NOT`` of it selects what ``not`` does in Python.

ConfigRow = tuple[str, str, float | None, str | None]
_RUNTIME = (
    "(CASE WHEN a.started IS NULL THEN NULL WHEN a.ended IS NOT NULL THEN max(0.0, a.ended - a.started) "
    "WHEN a.status IN ('running', 'queued') THEN max(0.0, {now} - a.started) END)"
)
_SQL_OPS = {"=": "=", "!=": "!=", ">": ">", ">=": ">=", "<": "<", "<=": "<="}


def sql_regexp(pattern: str, value: str | None) -> bool:
    """The ``regexp(pattern, value)`` SQLite function the index's connection registers (``X REGEXP ?``).

    :func:`re.search`, as the Python filters do; no value matches nothing.
    """
    return value is not None and _compiled(pattern).search(value) is not None


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def filter_sql(f: Filter, now: float) -> tuple[str, list[Any]]:
    """One filter as a clause that is true exactly where ``f.test`` is (see :meth:`Expression.sql`)."""
    op, value = f.op, f.value
    if f.kind == "config":
        return _config_sql(f)
    if f.kind == "status":
        wanted = sorted({part.strip() for part in value.split(",") if part.strip()})
        return _in("a.status", wanted, negate=op == "!=")
    if f.kind == "class":
        if op in ("=", "!="):
            names = sorted({part.strip() for part in value.split(",") if part.strip()})
            clauses, params = [], []
            for name in names:
                clause, named = _same_class("a.fqn", name)
                clauses.append(clause)
                params += named
            clause = "(" + " OR ".join(clauses) + ")" if clauses else "0"
            return (f"NOT {clause}" if op == "!=" else clause), params
        return _text_sql("a.fqn", op, value)
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
    if f.kind == "name":
        if op in ("=", "!="):
            return _in("coalesce(a.name, '')", sorted(set(value.split(","))) if value else [""], negate=op == "!=")
        return _text_sql("coalesce(a.name, '')", op, value)
    if f.kind in ("created", "updated"):
        column = f"a.{f.kind}"
        start, end = f.bounds if f.bounds is not None else parse_time(value, f.text)
        if op in ("=", "!="):
            within = f"{column} >= ? AND {column} < ?"
            return (f"coalesce({within}, 0)" if op == "=" else f"coalesce(NOT ({within}), 0)"), [start, end]
        compare, bound = _time_comparison(op, (start, end))
        return f"coalesce({column} {_SQL_OPS[compare]} ?, 0)", [bound]
    if f.kind == "runtime":
        bound = parse_duration(value, f.text).total_seconds()
        return f"coalesce({_RUNTIME.format(now='?')} {_SQL_OPS[op]} ?, 0)", [now, bound]
    if f.kind == "size":
        return f"coalesce(a.size_bytes {_SQL_OPS[op]} ?, 0)", [float(parse_size(value, f.text))]
    raise FuruQueryError(f"Filter {f.text!r}: no SQL form for key {f.key!r}.")  # pragma: no cover - all kinds above


def _in(column: str, values: Sequence[str], *, negate: bool) -> tuple[str, list[Any]]:
    if not values:
        return ("1" if negate else "0"), []
    marks = ", ".join("?" * len(values))
    return f"({column} {'NOT IN' if negate else 'IN'} ({marks}))", list(values)


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


def _config_sql(f: Filter) -> tuple[str, list[Any]]:
    """A ``fields`` row at the path whose kind and value pass, as ``_config_filter`` reads them.

    Written as ``a.id IN (...)`` rather than ``EXISTS``: SQLite then walks the
    ``(path, ...)`` index once instead of probing it for every artifact.
    """
    op, value = f.op, f.value
    if op in ("~", "!~"):
        condition, params = ("f.text REGEXP ?" if op == "~" else "NOT (f.text REGEXP ?)"), [value]
    else:
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
        condition = " OR ".join(f"({clause})" for clause, _ in branches)
        params = [param for _, branch in branches for param in branch]
    path = ".".join(f.path)
    return (
        f"a.id IN (SELECT f.artifact FROM fields f WHERE f.path = ? AND ({condition}))",
        [path, *params],
    )


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
        if value is _MISSING:
            continue
        num: float | None = None
        if isinstance(value, bool):
            kind, num = "bool", float(value)
        elif isinstance(value, int | float):
            kind, num = "num", None if isinstance(value, float) and math.isnan(value) else _as_float(value)
        elif value is None:
            kind = "null"
        elif isinstance(value, str):
            kind = "str"
        elif isinstance(value, dict) and isinstance(value.get("__class__"), str):
            kind = "class"
        else:
            kind = "other"
        rows.append((path, kind, num, _as_text(value)))
    return rows


def filter_paths(config: dict[str, Any] | None) -> set[str]:
    """:func:`config_paths` and the ``__class__`` of every nested config: every path a filter may name."""
    found = config_paths(config)

    def walk(value: Any, prefix: str) -> None:
        value = entries(value)
        if isinstance(value, dict):
            if "__class__" in value:
                found.add(prefix + "__class__")
            for key, child in value.items():
                if key != "__class__" and isinstance(key, str):
                    walk(child, f"{prefix}{key}.")
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, f"{prefix}{index}.")

    walk(config, "")
    return found


# -- sorting by several keys -------------------------------------------------------------------


def parse_sort(keys: str | Sequence[str]) -> list[tuple[str, bool]]:
    """``created,-runtime,lr`` (or the words of it) as ``(key, flipped)``: a leading ``-`` flips that key."""
    words = [keys] if isinstance(keys, str) else list(keys)
    parsed: list[tuple[str, bool]] = []
    for word in words:
        for part in word.split(","):
            key = part.strip()
            flipped = key.startswith("-")
            key = key.removeprefix("-").strip()
            if key not in SORT_KEYS and not (key and key.replace(".", "").replace("_", "").isalnum()):
                raise FuruQueryError(
                    f"Cannot sort by {part.strip()!r}: use one of {', '.join(SORT_KEYS)} or a config path like lr, "
                    "several joined by commas, each with - to reverse it (created,-runtime,lr)."
                )
            parsed.append((key, flipped))
    if not parsed:
        raise FuruQueryError(f"Cannot sort by nothing: use one of {', '.join(SORT_KEYS)} or a config path like lr.")
    return parsed


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
        direction = "DESC" if descending ^ flipped ^ reverse else "ASC"
        if key != "status":  # a status is never unknown: one furu does not know sorts after the others
            terms.append(f"{expression} IS NULL")
        terms.append(f"{expression} {direction}")
    return ", ".join([*terms, "a.id"])


def _sort_sql_key(key: str, clock: str) -> tuple[str, bool]:
    columns = {"created": "a.created", "updated": "a.updated", "size": "a.size_bytes"}
    if key in columns:
        return columns[key], True
    if key == "runtime":
        return _RUNTIME.format(now=clock), True
    if key == "status":
        whens = " ".join(f"WHEN '{status}' THEN {index}" for index, status in enumerate(STATUSES))
        return f"(CASE a.status {whens} ELSE 99 END)", False
    if key in ("class", "hash", "name"):
        return {"class": "a.fqn", "hash": "a.hash", "name": "a.name"}[key], False
    path = key.removeprefix("config.").replace("'", "''")
    return (
        "(SELECT CASE WHEN f.kind IN ('num', 'bool') THEN f.num WHEN f.kind IN ('str', 'class', 'other') "
        f"THEN f.text END FROM fields f WHERE f.artifact = a.id AND f.path = '{path}')",  # SQLite: numbers before text
        False,
    )


def _sort_several(items: list[Any], keys: Sequence[tuple[str, bool]], reverse: bool) -> list[Any]:
    """A stable sort by each key from the last to the first: the first key decides, the next break ties."""
    ordered = list(items)
    for key, flipped in reversed(keys):
        getter, descending = _sort_getter(key)
        values = [getter(item) for item in ordered]
        known = sorted(
            (index for index, value in enumerate(values) if value is not None),
            key=values.__getitem__,
            reverse=descending ^ flipped ^ reverse,
        )
        unknown = [item for item, value in zip(ordered, values, strict=True) if value is None]
        ordered = [ordered[i] for i in known] + unknown
    return ordered
