"""Choosing artifacts: ``key OP value`` filters and sort orders (``furu.listing`` applies them).

Filters combine with AND. Keys are the built-in fields ``status``, ``class``
(alias ``fqn``), ``hash``, ``tag``, ``name``, ``created``, ``updated``,
``runtime`` and ``size``; anything else is a config path (``lr``,
``data.name``, ``datasets.0.rows``; prefix ``config.`` to reach a config field
that shares a built-in's name). Operators: ``=  !=  ~ (regex)  !~  >  >=  <  <=``.

Values are read the way the field needs them: ``created>2026-11-01`` (ISO
date or time, local time zone; or ``7d`` for "7 days ago"), ``runtime>1h30m``,
``size>=2GB``, ``lr>1e-3`` (compared as numbers when the config value is one),
``status=failed,crashed`` (any of). Filters and sort keys work on catalog
entries and on :class:`~furu.catalog.ArtifactRecord` alike.
"""

from __future__ import annotations

import difflib
import heapq
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Literal

from furu.catalog.record import STATUSES
from furu.errors import FuruError
from furu.serialization import entries

Operator = Literal["=", "!=", "~", "!~", ">", ">=", "<", "<="]
Tier = Literal["summary", "marks", "details", "sizes"]

BUILTIN_KEYS = ("status", "class", "fqn", "hash", "tag", "name", "created", "updated", "runtime", "size")
SORT_KEYS = ("created", "updated", "runtime", "status", "class", "size", "hash", "name")
DEFAULT_SORT = "created"

_FILTER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(!=|>=|<=|!~|==|=|~|>|<)\s*(.*?)\s*$")
_MISSING = object()
_STATUS_ORDER = {status: index for index, status in enumerate(STATUSES)}


class FuruQueryError(FuruError):
    """A filter or sort key that cannot be understood."""


@dataclass(frozen=True)
class Filter:
    """One parsed ``key OP value`` condition."""

    text: str
    key: str
    op: Operator
    value: str
    kind: str  # a built-in key, or "config"
    path: tuple[str, ...] = ()
    test: Callable[[Any], bool] = lambda item: True

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


def _time_test(attribute: str) -> Callable[[str, str, str], Callable[[Any], bool]]:
    def build(text: str, op: str, value: str) -> Callable[[Any], bool]:
        if op in ("~", "!~"):
            raise FuruQueryError(f"Filter {text!r}: {attribute.removesuffix('_ts')} takes = != > >= < <=.")
        start, end = parse_time(value, text)

        def get(item: Any) -> Any:
            return getattr(item, attribute)

        if op == "=":
            return lambda item: (v := get(item)) is not None and start <= v < end
        if op == "!=":
            return lambda item: (v := get(item)) is not None and not start <= v < end
        period = end > start  # a date: GitHub's reading, ">2026-11-01" means after that day
        if op == ">":
            return _compare(">=", end, get) if period else _compare(">", start, get)
        if op == "<=":
            return _compare("<", end, get) if period else _compare("<=", start, get)
        return _compare(op, start, get)

    return build


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
    "created": _time_test("created_ts"),
    "updated": _time_test("updated_ts"),
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
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return entries(value)


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
    if not configs:
        return
    known = set().union(*map(config_paths, configs))
    top = ", ".join(sorted(key for key in known if "." not in key)) or "(none)"
    for f in filters:
        path = ".".join(f.path)
        if f.kind == "config" and path not in known:
            raise FuruQueryError(
                f"Filter {f.text!r}: no artifact's config has a field {path!r}.{_closest(path, known, BUILTIN_KEYS)} "
                f"Config fields: {top} (nested ones as data.name); built-in keys: {', '.join(BUILTIN_KEYS)}."
            )
    sort_path = sort.removeprefix("config.") if sort is not None and sort not in SORT_KEYS else None
    if sort_path is not None and sort_path not in known:
        raise FuruQueryError(
            f"Cannot sort by {sort!r}: it is not one of {', '.join(SORT_KEYS)}, and no artifact's config has "
            f"that field.{_closest(sort_path, known, SORT_KEYS)} Config fields: {top} (nested ones as data.name)."
        )


def shadowed_config_keys(filters: Sequence[Filter], catalog: Any) -> list[Filter]:
    """Built-in filters (``name=toy``) whose key is also a config field: the user may have meant the field.

    Asked only when nothing matched, so reading every stored config is affordable.
    """
    built_in = [f for f in filters if f.kind != "config"]
    if not built_in:
        return []
    entries = catalog.entries()
    catalog.ensure_details(entries)
    known = {path for entry in entries for path in config_paths(entry.config)}
    return [f for f in built_in if f.key in known]


def _closest(name: str, known: set[str], built_in: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, [*built_in, *sorted(known)], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def check_listing_keys(filters: Sequence[Filter], sort: str, catalog: Any, shown: Sequence[Any] = ()) -> None:
    """:func:`check_config_keys` for a listing: cheap when the rows shown already prove the keys exist.

    Rows shown passed every filter, so their config paths exist; only the sort
    key may still be a typo. Otherwise every artifact's config is read (from
    the catalog's index) to tell "no match" from "no such field".
    """
    has_config_keys = any(f.kind == "config" for f in filters) or sort not in SORT_KEYS
    if not has_config_keys:
        return
    if shown and any(item.config is not None for item in shown):
        if sort in SORT_KEYS or any(sort.removeprefix("config.") in config_paths(item.config) for item in shown):
            return
    entries = catalog.entries()
    catalog.ensure_details(entries)
    check_config_keys(filters, sort, entries)


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
            found = found.get("__class__", "")
            if op in ("=", "!=") and isinstance(found, str):
                same = found == value or found.endswith("." + value)
                return same if op == "=" else not same
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
    if isinstance(found, str | dict):
        return value
    return _MISSING


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
    if not text or position != len(text):
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}cannot read {value!r} as a duration; write e.g. 90s, 5m, 1h30m, 30d.")
    return timedelta(seconds=total)


def parse_size(value: str, context: str | None = None) -> int:
    """``123``, ``10k``, ``1.5MB`` (powers of 1000), ``2GiB`` (powers of 1024) as bytes."""
    match = _SIZE.match(value)
    if match is None:
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}cannot read {value!r} as a size; write e.g. 500MB, 2GiB, 10k.")
    number, prefix, binary = float(match.group(1)), match.group(2).lower(), bool(match.group(3))
    power = "kmgtp".index(prefix) + 1 if prefix else 0
    return int(number * (1024 if binary else 1000) ** power)


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
    except ValueError:
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(
            f"{where}cannot read {value!r} as a time; write e.g. 2026-11-01, 2026-11-01T14:30, today, 7d (ago)."
        ) from None
    start = moment.timestamp()
    if len(text) == 10:  # a date: the whole day
        return start, (moment + timedelta(days=1)).timestamp()
    return start, start


def _regex(text: str, value: str) -> re.Pattern[str]:
    try:
        return re.compile(value)
    except re.error as error:
        raise FuruQueryError(f"Filter {text!r}: {value!r} is not a valid regular expression ({error}).") from None


def _ordering(text: str, op: str, value: str, get: Callable[[Any], Any]) -> Callable[[Any], bool]:
    return _compare(op, value, get)  # type: ignore[arg-type]


# -- sorting ---------------------------------------------------------------------------


def sort_items(items: list[Any], key: str = DEFAULT_SORT, *, reverse: bool = False, limit: int | None = None) -> list[Any]:
    """Sort by a built-in key or a config path. Times, runtimes and sizes put the largest first;
    names, classes and statuses go A to Z; ``reverse`` flips either. Unknown values go last."""
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
    """Whether the sort key can change while an artifact stays (so every entry must be checked)."""
    return key in ("updated", "runtime", "status", "size", "name")


def sort_tier(key: str) -> Tier:
    if key == "size":
        return "sizes"
    if key == "name":
        return "marks"
    if key in SORT_KEYS:
        return "summary"
    return "details"


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
            return (0, float(value), "") if not (isinstance(value, float) and math.isnan(value)) else None
        return (1, 0.0, _as_text(value))

    return config_key, False
