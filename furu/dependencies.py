"""Which artifacts an artifact depends on: declared ones, and the ones it actually loaded.

Declared dependencies are the Furu objects found in its fields (also inside
lists, dicts and nested models) plus whatever ``_dependencies()`` returns.
Loaded dependencies are observed: every ``load_or_create`` call made while an
artifact's ``_create`` runs is recorded against that artifact.
"""

from __future__ import annotations

import contextvars
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel

from furu.configs import Config, field_names, is_config

_loaded_stack: contextvars.ContextVar[tuple[list[Config[Any]], ...]] = contextvars.ContextVar(
    "furu_loaded", default=()
)


def declared_dependencies(obj: Config[Any]) -> list[Config[Any]]:
    """Direct dependencies, de-duplicated by hash, in field order."""
    found: dict[str, Config[Any]] = {}
    for name in field_names(obj):
        for dependency in _furu_objects_in(getattr(obj, name)):
            found.setdefault(dependency.furu_hash, dependency)
    for dependency in obj._dependencies():
        if not is_config(dependency):
            raise TypeError(
                f"{type(obj).__qualname__}._dependencies() returned a "
                f"{type(dependency).__qualname__}; it must return Furu objects"
            )
        found.setdefault(dependency.furu_hash, dependency)
    return list(found.values())


def _furu_objects_in(value: Any) -> Iterator[Any]:
    if is_config(value):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _furu_objects_in(getattr(value, name))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _furu_objects_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _furu_objects_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _furu_objects_in(getattr(value, field.name))


def note_loaded(obj: Config[Any]) -> None:
    """Record ``obj`` as loaded by the artifact whose ``_create`` is running here."""
    stack = _loaded_stack.get()
    if stack:
        stack[-1].append(obj)


@contextmanager
def tracking_loads() -> Iterator[list[Config[Any]]]:
    """Collect the artifacts loaded or created inside the block."""
    loaded: list[Config[Any]] = []
    token = _loaded_stack.set((*_loaded_stack.get(), loaded))
    try:
        yield loaded
    finally:
        _loaded_stack.reset(token)
