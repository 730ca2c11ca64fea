"""Sort orders: ``created,-runtime,lr`` read (:func:`parse_sort`) and applied to entries or records (:func:`sort_items`).

Also what must be read before sorting by a key (:func:`sort_tier`).
:func:`furu.query.sql.sort_sql` orders the catalog's index the same way.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from furu.query.errors import FuruQueryError
from furu.query.filters import Tier
from furu.query.paths import MISSING, as_float, as_text, config_value
from furu.statuses import STATUSES

SORT_KEYS = (
    "created", "updated", "runtime", "status", "class", "namespace", "size", "hash", "name", "host", "user", "dependencies",
)  # fmt: skip
DEFAULT_SORT = "created"
_STATUS_ORDER = {status: index for index, status in enumerate(STATUSES)}


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


def sort_tier(key: str) -> Tier:
    """What must be read to sort by the key (the most of it, for several keys)."""
    tiers: list[Tier] = ["summary", "marks", "details", "sizes"]
    return max((_one_sort_tier(part) for part, _ in sort_parts(key)), key=tiers.index)


def _one_sort_tier(key: str) -> Tier:
    if key == "size":
        return "sizes"
    if key == "name":
        return "marks"
    if key == "dependencies":
        return "details"
    if key in SORT_KEYS:
        return "summary"
    return "details"


def sort_parts(key: str) -> list[tuple[str, bool]]:
    """The ``(key, flipped)`` parts of a sort key; a single plain key (``lr``) is taken as written."""
    return parse_sort(key) if "," in key or key.startswith("-") else [(key, False)]


def _sort_getter(key: str) -> tuple[Callable[[Any], Any], bool]:
    getters: dict[str, tuple[Callable[[Any], Any], bool]] = {
        "created": (attrgetter("created_ts"), True),
        "updated": (attrgetter("updated_ts"), True),
        "runtime": (attrgetter("runtime_secs"), True),
        "size": (attrgetter("size_bytes"), True),
        "status": (lambda item: _STATUS_ORDER.get(item.status, 99), False),
        "class": (attrgetter("fqn"), False),
        "namespace": (attrgetter("namespace"), False),
        "hash": (attrgetter("hash"), False),
        "name": (attrgetter("name"), False),
        "host": (attrgetter("host"), False),
        "user": (attrgetter("user"), False),
        "dependencies": (attrgetter("dependency_count"), True),
    }
    if key in getters:
        return getters[key]
    path = tuple(key.removeprefix("config.").split("."))

    def config_key(item: Any) -> Any:
        value = config_value(item.config, path)
        if value is MISSING or value is None:
            return None
        if isinstance(value, bool | int | float):
            return (0, as_float(value), "") if not (isinstance(value, float) and math.isnan(value)) else None
        return (1, 0.0, as_text(value))

    return config_key, False


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
