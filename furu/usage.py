"""Disk usage: bytes per namespace (module), class or artifact, largest first.

Sizes are measured once per artifact and kept in the catalog's index until the
artifact's directory (or its ``.furu/``) changes; files written later deep
inside an unchanged directory are counted on the next change. The shared
``raw/`` directory is reported on its own line.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from furu import layout
from furu.catalog import Catalog, Entry
from furu.catalog.reading import directory_size

GroupBy = Literal["namespace", "class", "artifact"]


class UsageRow(BaseModel):
    key: str = Field(description="The namespace, class (fqn) or artifact (fqn hash).")
    artifacts: int
    bytes: int
    dir: str | None = Field(default=None, description="The artifact directory (only when grouped by artifact).")


class DiskUsage(BaseModel):
    by: GroupBy
    rows: list[UsageRow] = Field(description="Largest first.")
    artifact_bytes: int
    artifacts: int
    raw_bytes: int = Field(description="Bytes in the shared raw/ directory.")
    total_bytes: int = Field(description="artifact_bytes + raw_bytes.")


def disk_usage(by: GroupBy = "class", *, catalog: Catalog | None = None, limit: int | None = None) -> DiskUsage:
    """Measure every artifact (cached sizes are reused) and group the bytes."""
    catalog = catalog or Catalog()
    entries = catalog.refresh()
    catalog.ensure_sizes(entries)
    rows: list[UsageRow]
    if by == "artifact":
        rows = [UsageRow(key=f"{e.fqn} {e.hash[:8]}", artifacts=1, bytes=e.size_bytes or 0, dir=e.dir) for e in entries]
    else:
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for entry in entries:
            group = groups[namespace_of(entry) if by == "namespace" else entry.fqn]
            group[0] += 1
            group[1] += entry.size_bytes or 0
        rows = [UsageRow(key=key, artifacts=count, bytes=size) for key, (count, size) in groups.items()]
    rows.sort(key=lambda row: (-row.bytes, row.key))
    artifact_bytes = sum(entry.size_bytes or 0 for entry in entries)
    raw = directory_size(str(layout.raw_dir(catalog.settings.data_root)))
    return DiskUsage(
        by=by,
        rows=rows[:limit] if limit else rows,
        artifact_bytes=artifact_bytes,
        artifacts=len(entries),
        raw_bytes=raw,
        total_bytes=artifact_bytes + raw,
    )


def namespace_of(entry: Entry) -> str:
    """The module part of the class name (the class directory's parents)."""
    qualname = Path(entry.shard.class_dir).name
    return entry.fqn[: -len(qualname) - 1] if entry.fqn.endswith("." + qualname) else entry.fqn.rpartition(".")[0]
