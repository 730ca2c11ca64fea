"""One ``key OP value`` filter (:func:`parse_filter`): the built-in keys, config paths, and the test each runs.

A :class:`Filter` keeps what the user wrote and a ``test`` that answers for one catalog entry or
:class:`~furu.catalog.ArtifactRecord`. :mod:`furu.query.sql` gives the same filter as SQL over
the catalog's index, and :mod:`furu.query.expressions` combines filters with and, or, not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from furu.query.errors import FuruQueryError
from furu.query.patterns import filter_pattern
from furu.query.paths import MISSING, as_float, as_text, config_value
from furu.query.values import parse_duration, parse_size, parse_time
from furu.statuses import STATUSES

Operator = Literal["=", "!=", "~", "!~", ">", ">=", "<", "<="]
Tier = Literal["summary", "marks", "details", "sizes", "code", "stale"]
"""``code``: the details, and which recorded code files differ now (see :mod:`furu.catalog.drift`);
``stale``: the details, and which configs today's classes no longer rebuild (see :mod:`furu.catalog.stale`)."""

BUILTIN_KEYS = (
    "status", "class", "fqn", "namespace", "version_controlled", "hash", "tag", "name", "host", "user",
    "created", "updated", "runtime", "size", "code_changed", "stale",
)  # fmt: skip
FLAG_KEYS = ("version_controlled", "code_changed", "stale")
"""Built-in keys that are true or false (they take = and != only)."""

_FILTER = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(!=|>=|<=|!~|==|=|~|>|<)\s*(.*?)\s*$", re.DOTALL)


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
        if self.kind == "code_changed":
            return "code"
        if self.kind == "stale":
            return "stale"
        return "summary"

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
        pattern = filter_pattern(text, value)
        if op == "~":
            return lambda item: pattern.found(field(item) or "")
        return lambda item: not pattern.found(field(item) or "")
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


def _namespace_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    if op in ("=", "!="):
        names = {part.strip() for part in value.split(",") if part.strip()}

        def within(item: Any) -> bool:  # the module itself, or one inside it
            namespace = item.namespace
            return any(namespace == name or namespace.startswith(name + ".") for name in names)

        return within if op == "=" else (lambda item: not within(item))
    return _text_test(lambda item: item.namespace, text, op, value)


def flag_value(text: str, op: str, value: str, key: str = "version_controlled") -> bool:
    """The truth a filter on one of :data:`FLAG_KEYS` asks for (they take = and != only)."""
    lowered = value.strip().lower()
    if op not in ("=", "!=") or lowered not in ("true", "1", "yes", "false", "0", "no"):
        raise FuruQueryError(f"Filter {text!r}: {key} takes = or != and true or false.")
    return (lowered in ("true", "1", "yes")) == (op == "=")


def _version_controlled_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    wanted = flag_value(text, op, value)
    return lambda item: bool(item.version_controlled) is wanted


def _code_changed_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    """True where the record's class's module changed since it was made; a result with no
    recorded fingerprint (``code_changed`` None) is not known to have changed: false."""
    wanted = flag_value(text, op, value, "code_changed")
    return lambda item: (item.code_changed is True) is wanted


def _stale_test(text: str, op: str, value: str) -> Callable[[Any], bool]:
    """True where today's classes no longer rebuild the record's config to its hash; a result
    not known to be stale (``stale`` None: not a success, or its class does not import) is false."""
    wanted = flag_value(text, op, value, "stale")
    return lambda item: (item.stale is True) is wanted


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
        pattern = filter_pattern(text, value)

        def found(item: Any) -> bool:
            return any(pattern.found(tag) for tag in item.tags)

        return found if op == "~" else (lambda item: not found(item))
    raise FuruQueryError(f"Filter {text!r}: tag takes =, !=, ~ or !~.")


def _time_bounds(kind: str, text: str, op: str, value: str) -> tuple[float, float]:
    if op in ("~", "!~"):
        raise FuruQueryError(f"Filter {text!r}: {kind} takes = != > >= < <=.")
    return parse_time(value, text)


def time_comparison(op: str, bounds: tuple[float, float]) -> tuple[str, float]:
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
    return _compare(*time_comparison(op, bounds), get)


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
    "namespace": _namespace_test,
    "version_controlled": _version_controlled_test,
    "hash": _hash_test,
    "tag": _tag_test,
    "name": lambda text, op, value: _text_test(lambda item: item.name, text, op, value),
    "host": lambda text, op, value: _text_test(lambda item: item.host, text, op, value),  # of the latest attempt
    "user": lambda text, op, value: _text_test(lambda item: item.user, text, op, value),
    "runtime": _number_test("runtime_secs", lambda value, text: parse_duration(value, text).total_seconds()),
    "size": _number_test("size_bytes", lambda value, text: float(parse_size(value, text))),
    "code_changed": _code_changed_test,
    "stale": _stale_test,
}


# -- config fields ---------------------------------------------------------------------


def _config_filter(text: str, key: str, op: Operator, value: str, path: tuple[str, ...]) -> Filter:
    if not path or not all(path):
        raise FuruQueryError(f"Filter {text!r}: {key!r} is not a config path like lr or data.name.")
    pattern = filter_pattern(text, value) if op in ("~", "!~") else None
    compare = _COMPARISONS.get(op)

    def test(item: Any) -> bool:
        found = config_value(item.config, path)
        if found is MISSING:
            return False
        if pattern is not None:
            hit = pattern.found(as_text(found))
            return hit if op == "~" else not hit
        assert compare is not None
        typed = _typed_like(found, value)
        if typed is MISSING:
            return op == "!="
        if isinstance(found, dict):
            found = found["__class__"]  # _typed_like made sure it is a class name
            if op in ("=", "!="):
                same = found == value or found.endswith("." + value)
                return same if op == "=" else not same
        elif isinstance(found, int | float) and not isinstance(found, bool):
            found = as_float(found)  # as the index stores it: a huge int compares as the float it rounds to
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
        return MISSING
    if isinstance(found, int | float):
        try:
            return float(value)
        except ValueError:
            return MISSING
    if found is None:
        return None if value.lower() in ("none", "null", "") else MISSING
    if isinstance(found, str) or (isinstance(found, dict) and isinstance(found.get("__class__"), str)):
        return value  # a nested config compares by its class name; a plain dict, like a list, by nothing
    return MISSING


def _ordering(text: str, op: str, value: str, get: Callable[[Any], Any]) -> Callable[[Any], bool]:
    return _compare(op, value, get)  # type: ignore[arg-type]
