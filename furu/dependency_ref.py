"""A link to another artifact: the one piece ``config.json``, ``metadata.json`` and the catalog's records all hold.

A frozen dataclass rather than a pydantic model, and in a module of its own, so
the catalog's records hold it without importing pydantic (the records a
listing prints are built without it). Pydantic reads and writes it as a field
of the on-disk models all the same.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DependencyRef:
    """Another artifact this one depends on."""

    fqn: str
    hash: str


__all__ = ["DependencyRef"]
