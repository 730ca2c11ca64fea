"""The catalog: every artifact under the data roots, queried in milliseconds (see docs/cli.md).

The artifact directories are the only truth; the index (a SQLite database on
local disk, fed by a change journal) is a cache of them, rebuilt whenever it is
missing or doubtful. Every view asks it the same questions:

::

    from furu.catalog import counts, distinct, page, read_record, scan
    shown = page("status=failed or lr>1e-3", sort="-runtime", limit=100, offset=0)
    shown.matched, shown.total, [record.hash for record in shown.records]
    counts(by="class")             # artifacts per class
    distinct("data.name")          # the values a config field takes, most frequent first
    for record in scan(details=True):  # every artifact
        print(record.fqn, record.hash, record.status, record.config)
"""

from __future__ import annotations

from pathlib import Path

from furu.catalog.catalog import Catalog
from furu.progress import Progress, no_progress
from furu.catalog.entry import Entry
from furu.catalog.pages import Page, ValueCount, counts, distinct, page
from furu.catalog.record import ArtifactRecord
from furu.statuses import STATUSES, ArtifactStatus
from furu.errors import FuruNotFound
from furu.settings import Settings


def scan(
    settings: Settings | None = None,
    *,
    details: bool = False,
    sizes: bool = False,
    progress: Progress = no_progress,
) -> list[ArtifactRecord]:
    """Every artifact of the project, up to date. ``details`` adds config and dependencies
    (from metadata.json), ``sizes`` the bytes on disk; both are cached in the index."""
    catalog = Catalog(settings, progress=progress)
    return catalog.records(catalog.refresh(), details=details, sizes=sizes)


def read_record(artifact_dir: str | Path, *, details: bool = True, sizes: bool = False) -> ArtifactRecord:
    """The record of one artifact directory, read straight from it (no index)."""
    catalog = Catalog(use_index=False)
    entry = catalog.entry_at(artifact_dir)
    if entry is None:
        raise FuruNotFound(
            f"{artifact_dir} is not an artifact directory (expected <class dir>/<32 hex chars> "
            "holding a .furu/ directory)."
        )
    return catalog.records([entry], details=details, sizes=sizes)[0]


__all__ = [
    "STATUSES",
    "ArtifactRecord",
    "ArtifactStatus",
    "Catalog",
    "Entry",
    "Page",
    "Progress",
    "ValueCount",
    "counts",
    "distinct",
    "no_progress",
    "page",
    "read_record",
    "scan",
]
