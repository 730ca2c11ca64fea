"""Finding why a config cannot be hashed: the slow, careful walk behind ``UnhashableValueError``.

The hash encoder (:mod:`furu.identity`) is kept fast by not tracking cycles or
the field path of every value. When it fails with a ``RecursionError``, a
``ValueError`` (an int too long for text, a lone surrogate) or by passing the
nesting limit, this walk goes over the same values again, watching for
containers that contain themselves and counting JSON levels the same way, and
returns the first value that cannot be stored, with its field path.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from furu.configs import is_config
from furu.limits import MAPPING_LEVELS, MAX_INT_CHARS, MAX_JSON_DEPTH, MODEL_LEVELS, SEQUENCE_LEVELS, SET_LEVELS


@dataclass
class Unstorable:
    """A value that cannot be hashed and stored, why, and where (``path`` innermost first)."""

    value: object
    reason: str
    path: list[str] = field(default_factory=list)


def find_unstorable(obj: Any) -> Unstorable | None:
    """The first value in ``obj``'s fields that cannot be hashed and stored, or None."""
    walk = _Walk()
    return walk.fields(obj, [(name, getattr(obj, name)) for name in type(obj).model_fields], 0)


def nested_configs(obj: Any) -> list[Any]:
    """Every Furu config nested in ``obj``'s fields, innermost first (to hash bottom-up)."""
    walk = _Walk()
    walk.fields(obj, [(name, getattr(obj, name)) for name in type(obj).model_fields], 0)
    return walk.configs


class _Walk:
    def __init__(self) -> None:
        self.active: set[int] = set()  # containers on the current path, to spot cycles
        self.configs: list[Any] = []
        self.seen_configs: set[int] = set()

    def fields(self, owner: object, items: list[tuple[str, Any]], depth: int) -> Unstorable | None:
        for name, value in items:
            found = self.value(value, depth)
            if found is not None:
                found.path.append(f".{name}")
                return found
        return None

    def value(self, value: Any, depth: int) -> Unstorable | None:
        if isinstance(value, str):
            return _check_str(value)
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return None
        if isinstance(value, int):
            return _check_int(value)
        if isinstance(value, enum.Enum):
            return self.value(value.value, depth)
        numpy = sys.modules.get("numpy")
        if numpy is not None and isinstance(value, numpy.generic):
            return self.value(value.item(), depth)
        if isinstance(value, list | tuple | set | frozenset | dict | BaseModel) or (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        ):
            return self.container(value, depth)
        return None

    def container(self, value: Any, depth: int) -> Unstorable | None:
        if id(value) in self.active:
            kind = type(value).__name__
            return Unstorable(
                value,
                f"the {kind} contains itself (a self-referencing container has no finite encoding); "
                "build the value without the cycle",
            )
        if isinstance(value, list | tuple):
            levels = SEQUENCE_LEVELS
        elif isinstance(value, set | frozenset):
            levels = SET_LEVELS
        elif isinstance(value, dict):
            levels = MAPPING_LEVELS
        else:
            levels = MODEL_LEVELS
        depth += levels
        if depth > MAX_JSON_DEPTH:
            return Unstorable(
                value,
                f"it is nested more than {MAX_JSON_DEPTH} JSON levels deep, which metadata.json "
                "cannot be read back with; flatten the value, or store bulk data as bytes or a numpy array",
            )
        self.active.add(id(value))
        try:
            return self.children(value, depth)
        finally:
            self.active.discard(id(value))

    def children(self, value: Any, depth: int) -> Unstorable | None:
        if isinstance(value, list | tuple):
            for index, item in enumerate(value):
                found = self.value(item, depth)
                if found is not None:
                    found.path.append(f"[{index}]")
                    return found
            return None
        if isinstance(value, set | frozenset):
            for item in value:
                found = self.value(item, depth)
                if found is not None:
                    found.path.append("{...}")
                    return found
            return None
        if isinstance(value, dict):
            for key, item in value.items():
                found = self.value(key, depth)
                if found is not None:
                    found.path.append("[<key>]")
                    return found
                found = self.value(item, depth)
                if found is not None:
                    found.path.append(f"[{key!r}]")
                    return found
            return None
        if isinstance(value, BaseModel):
            found = self.fields(value, [(name, getattr(value, name)) for name in type(value).model_fields], depth)
            if found is None and is_config(value) and id(value) not in self.seen_configs:
                self.seen_configs.add(id(value))
                self.configs.append(value)
            return found
        return self.fields(value, [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value)], depth)


def _check_str(value: str) -> Unstorable | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        return Unstorable(
            value,
            f"the string has a lone surrogate {value[error.start]!r} at position {error.start}, which "
            "is not valid UTF-8 and cannot be written to metadata.json; clean the text (for example "
            "text.encode('utf-8', 'replace').decode()) or store the raw data as bytes",
        )
    return None


def _check_int(value: int) -> Unstorable | None:
    try:
        too_long = len(b"%d" % value) > MAX_INT_CHARS
    except ValueError:  # past Python's own limit
        too_long = True
    if too_long:
        return Unstorable(
            value,
            f"the int is longer than {MAX_INT_CHARS} characters as text (sign included), more than "
            "metadata.json can be read back with (and than Python converts by default, see "
            "sys.get_int_max_str_digits); store it as bytes (int.to_bytes) or as a str",
        )
    return None
