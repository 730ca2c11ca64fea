"""Disk usage: bytes per namespace (module), class or artifact, largest first.

Sizes are measured once per artifact and kept in the catalog's index until
furu records a change to the artifact; the sums are SQL over the index. Files
written into an artifact directory later, by hand, are counted after its next
change or ``furu ls --rescan``. The shared ``raw/`` directory is reported on
its own line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from furu import layout
from furu.catalog import Catalog
from furu.catalog.record import namespace_of
from furu.catalog.reading import directory_size

GroupBy = Literal["namespace", "class", "artifact"]


# Results are dataclasses, not pydantic models, so `furu du` never imports pydantic (see furu.catalog.record).


@dataclass(slots=True, kw_only=True)
class UsageRow:
    """One line of ``furu du``.

    Attributes:
        key: The namespace, class (fqn) or artifact (fqn hash).
        dir: The artifact directory (only when grouped by artifact).
    """

    key: str
    artifacts: int
    bytes: int
    dir: str | None = None


@dataclass(slots=True, kw_only=True)
class DiskUsage:
    """Bytes per group, largest first (``rows``), and in all: ``total_bytes`` is ``artifact_bytes + raw_bytes``,
    the shared raw/ directory's bytes."""

    by: GroupBy
    rows: list[UsageRow]
    artifact_bytes: int
    artifacts: int
    raw_bytes: int
    total_bytes: int


def disk_usage(by: GroupBy = "class", *, catalog: Catalog | None = None, limit: int | None = None) -> DiskUsage:
    """Measure every artifact not measured yet and group the bytes."""
    catalog = catalog or Catalog()
    catalog.sync()
    catalog.ensure_rows(("sizes",))
    rows: list[UsageRow]
    if by == "artifact":
        cursor = catalog.execute(
            "SELECT a.fqn, a.hash, s.class_dir, coalesce(a.size_bytes, 0) FROM artifacts a JOIN shards s "
            "ON s.id = a.shard ORDER BY 4 DESC, 1, 2" + (f" LIMIT {int(limit)}" if limit else "")
        )
        rows = [UsageRow(key=f"{fqn} {hash_[:8]}", artifacts=1, bytes=size, dir=f"{d}/{hash_}") for fqn, hash_, d, size in cursor]
    else:
        groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        shards = {row.id: row for row in catalog.shard_rows()}
        # one scan of the table, without a join; through the (shard, hash) index it would seek every row
        cursor = catalog.execute(
            "SELECT shard, count(*), coalesce(sum(size_bytes), 0) FROM artifacts NOT INDEXED GROUP BY shard"
        )
        for shard, count, size in cursor:
            fqn, class_dir = shards[shard].fqn, shards[shard].class_dir
            group = groups[namespace_of(fqn, class_dir) if by == "namespace" else fqn]
            group[0] += count
            group[1] += size
        rows = [UsageRow(key=key, artifacts=count, bytes=size) for key, (count, size) in groups.items()]
    rows.sort(key=lambda row: (-row.bytes, row.key))
    if by == "artifact":
        artifact_bytes, artifacts = catalog.execute("SELECT coalesce(sum(size_bytes), 0), count(*) FROM artifacts").fetchone()
    else:
        artifact_bytes, artifacts = sum(row.bytes for row in rows), sum(row.artifacts for row in rows)
    raw = directory_size(str(layout.raw_dir(catalog.settings.data_root)))
    return DiskUsage(
        by=by,
        rows=rows[:limit] if limit else rows,
        artifact_bytes=artifact_bytes,
        artifacts=artifacts,
        raw_bytes=raw,
        total_bytes=artifact_bytes + raw,
    )
