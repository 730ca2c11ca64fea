"""A stored config by dotted path: the value at ``data.name`` or ``datasets.0.rows``, and every path it has.

Filters, sort keys, the catalog index's ``fields`` rows and the typo checks all name config
fields this way. Reading them in one place keeps them agreeing on what a path is (a list index
is ``0``, never ``00``; a nested config's class is ``data.__class__``) and on how a value
compares (:func:`as_float`, :func:`as_text`: as the index stores it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from furu.serialization import entries

MISSING = object()  # what config_value gives for a path the config does not have


def config_value(config: dict[str, Any] | None, path: Sequence[str]) -> Any:
    """The value at a dotted path of a stored config (through nested configs and lists), or MISSING."""
    value: Any = config
    for part in path:
        value = entries(value)  # tuples as lists, {"__dict__": pairs} by key text
        if isinstance(value, dict):
            if part not in value:
                return MISSING
            value = value[part]
        elif isinstance(value, list) and _is_index(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return entries(value)


def _is_index(part: str) -> bool:
    """``0``, ``12``: a list index as :func:`config_paths` writes it (not ``00`` or ``٣``), so the index agrees."""
    return part.isascii() and part.isdigit() and (part == "0" or not part.startswith("0"))


def is_missing(value: Any) -> bool:
    return value is MISSING


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


def as_float(value: int | float) -> float:
    """A config number as a float (what the index's REAL column holds); ints too large for one are infinite."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def as_text(value: Any) -> str:
    """What a regex filter searches in a config value: a nested config's class, ``str()`` of anything else."""
    if isinstance(value, dict):
        return str(value.get("__class__", value))
    return str(value)
