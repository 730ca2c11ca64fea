"""The catalog's index: a cache of entries under ``<data_root>/.catalog/``, never the truth.

One file per class directory keeps rewrites small: ``shards/<key>.json``
holds the summary columns of every artifact in it, ``details/<key>.json`` the
configs and dependencies read from ``metadata.json`` (loaded only by commands
that need them). Columns instead of one object per artifact make a 100,000
artifact index parse in about a tenth of a second.

Every entry carries the stamp (ctime of its ``.furu/``) it was read at; the
catalog trusts an entry only while that stamp is unchanged. Delete the
directory any time: the next command rebuilds it from the artifact directories.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import Any, ClassVar

import xxhash
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import from_json

from furu.atomic import write_model
from furu.catalog.entry import Details, Entry, Shard
from furu.catalog.record import STATUSES
from furu.schema import Record

INDEX_DIR = ".catalog"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cycle collector while building many small objects (none of them cyclic).

    Parsing a 20 MB index file with it running costs 3x as long: every few
    hundred allocations it walks the ever larger heap again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ShardIndex(Record):
    """``.catalog/shards/<key>.json``: the summary of every artifact in one class directory, as columns.

    Version 2 added the ``damaged`` status (version 1 called those ``corrupt``):
    a file of another version is not used but rebuilt, as any cache would be.
    """

    SCHEMA_VERSION: ClassVar[int] = 2
    schema_version: int = 2

    class_dir: str
    fqn: str
    version_controlled: bool
    dir_stamp: int = Field(default=-1, description="ctime_ns of the class directory when its names were listed.")
    hashes: list[str] = Field(default_factory=list)
    stamps: list[int] = Field(default_factory=list, description="ctime_ns of each .furu/ when read (-1: re-read).")
    status: list[str] = Field(default_factory=list)
    problem: list[str | None] = Field(default_factory=list)
    created: list[float | None] = Field(default_factory=list)
    updated: list[float | None] = Field(default_factory=list)
    started: list[float | None] = Field(default_factory=list, description="Start of the latest attempt.")
    ended: list[float | None] = Field(default_factory=list, description="End of the latest attempt.")
    attempts: list[int] = Field(default_factory=list)
    tags: list[list[str]] = Field(default_factory=list)
    name: list[str | None] = Field(default_factory=list)
    size_bytes: list[int | None] = Field(default_factory=list)
    size_stamps: list[int | None] = Field(default_factory=list, description="ctime_ns of the artifact dir when sized.")
    marks_stamps: list[int | None] = Field(
        default_factory=list, description="Stamp at which tags/name were read and the success marker checked."
    )


class DirIndex(BaseModel):
    """One directory of the namespace tree (a module or class directory)."""

    stamp: int = Field(description="ctime_ns when listed (-1: list it again).")
    subdirs: list[str] = Field(default_factory=list, description="Namespace subdirectories (not artifacts).")
    has_artifacts: bool = False
    artifacts: int = Field(default=0, description="How many artifact directories it held when listed.")


class CatalogIndex(Record):
    """``.catalog/index.json``: the namespace tree, so unchanged class directories are not listed again."""

    dirs: dict[str, DirIndex] = Field(default_factory=dict)


class ShardDetails(Record):
    """``.catalog/details/<key>.json``: what metadata.json said, per artifact hash.

    Each row is ``[stamp, version, config, declared, loaded, problem]`` with
    dependencies as ``[fqn, hash]`` pairs (see :class:`~furu.catalog.entry.Details`).
    """

    class_dir: str
    rows: dict[str, list[Any]] = Field(default_factory=dict)


def shard_key(class_dir: str) -> str:
    return xxhash.xxh3_64_hexdigest(class_dir.encode("utf-8", "surrogatepass"))


_COLUMN_TYPES: dict[str, tuple[type, ...]] = {
    "hashes": (str,), "stamps": (int,), "status": (str,), "problem": (str, type(None)),
    "created": (float, int, type(None)), "updated": (float, int, type(None)), "started": (float, int, type(None)),
    "ended": (float, int, type(None)), "attempts": (int,), "tags": (list,), "name": (str, type(None)),
    "size_bytes": (int, type(None)), "size_stamps": (int, type(None)), "marks_stamps": (int, type(None)),
}


_KNOWN_STATUSES = frozenset(STATUSES)


def load_shard(index_dir: Path, shard: Shard) -> bool:
    """Fill ``shard.entries`` from its index file; False when there is none (or it is unusable).

    Checked column by column rather than validated row by row: this runs for
    every listing, and 100,000 rows of pydantic validation would double its cost.
    """
    try:
        data = (index_dir / "shards" / f"{shard_key(shard.class_dir)}.json").read_bytes()
        with paused_gc():
            raw = from_json(data, cache_strings="keys")
    except (OSError, ValueError):
        return False
    if (
        not isinstance(raw, dict) or raw.get("class_dir") != shard.class_dir or raw.get("fqn") != shard.fqn
        or raw.get("schema_version") != ShardIndex.SCHEMA_VERSION or not isinstance(raw.get("dir_stamp"), int)
    ):
        return False
    columns: list[list[Any]] = [raw.get(name) for name in _COLUMN_TYPES]  # type: ignore[misc]
    if not all(isinstance(column, list) for column in columns) or len({len(column) for column in columns}) != 1:
        return False
    for column, allowed in zip(columns, _COLUMN_TYPES.values(), strict=True):
        if not set(map(type, column)) <= set(allowed):
            return False
    if not set(raw["status"]) <= _KNOWN_STATUSES or any(not all(isinstance(t, str) for t in tags) for tags in raw["tags"]):
        return False  # a damaged index: rebuilt from the directories rather than shown
    with paused_gc():
        shard.entries = dict(zip(columns[0], map(Entry, repeat(shard), *columns), strict=True))
    shard.listed = True
    shard.dir_stamp = raw["dir_stamp"]
    shard.dirty = False
    return True


def save_shard(index_dir: Path, shard: Shard) -> None:
    entries = list(shard.entries.values())
    stored = ShardIndex.model_construct(  # the values are our own: validating 100,000 rows would be wasted
        class_dir=shard.class_dir,
        fqn=shard.fqn,
        version_controlled=shard.version_controlled,
        dir_stamp=shard.dir_stamp,
        hashes=[e.hash for e in entries],
        stamps=[e.stamp for e in entries],
        status=[e.raw_status for e in entries],
        problem=[e.problem if e.raw_status == e.status else None for e in entries],
        created=[e.created_ts for e in entries],
        updated=[e.updated_ts for e in entries],
        started=[e.started_ts for e in entries],
        ended=[e.ended_ts for e in entries],
        attempts=[e.attempts for e in entries],
        tags=[e.tags for e in entries],
        name=[e.name for e in entries],
        size_bytes=[e.size_bytes for e in entries],
        size_stamps=[e.size_stamp for e in entries],
        marks_stamps=[e.marks_stamp for e in entries],
    )
    _write(index_dir / "shards" / f"{shard_key(shard.class_dir)}.json", stored)
    shard.dirty = False


def load_details(index_dir: Path, shard: Shard) -> dict[str, Details]:
    """The cached details of a shard; rows that do not have the documented shape are skipped."""
    try:
        data = (index_dir / "details" / f"{shard_key(shard.class_dir)}.json").read_bytes()
        with paused_gc():
            raw = from_json(data)
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(raw, dict) or raw.get("class_dir") != shard.class_dir
        or not isinstance(raw.get("schema_version"), int) or raw["schema_version"] > ShardDetails.SCHEMA_VERSION
        or not isinstance(raw.get("rows"), dict)
    ):
        return {}
    found: dict[str, Details] = {}
    with paused_gc():
        for name, row in raw["rows"].items():
            try:
                stamp, version, config, declared, loaded, problem = row
                if (
                    isinstance(stamp, int) and (config is None or isinstance(config, dict))
                    and (version is None or isinstance(version, str)) and (problem is None or isinstance(problem, str))
                    and all(isinstance(part, str) for pair in (*declared, *loaded) for part in pair)
                ):
                    found[name] = Details(
                        stamp, version, config, [(f, h) for f, h in declared], [(f, h) for f, h in loaded], problem
                    )
            except (TypeError, ValueError):
                continue
    return found


def save_details(index_dir: Path, shard: Shard) -> None:
    rows = {e.hash: e.details.row() for e in shard.entries.values() if e.details is not None}
    stored = ShardDetails.model_construct(class_dir=shard.class_dir, rows=rows)  # our own values
    _write(index_dir / "details" / f"{shard_key(shard.class_dir)}.json", stored)
    shard.details_dirty = False


def load_manifest(index_dir: Path) -> CatalogIndex:
    try:
        return CatalogIndex.model_validate_json((index_dir / "index.json").read_bytes())
    except (OSError, ValidationError, ValueError):
        return CatalogIndex()


def save_manifest(index_dir: Path, manifest: CatalogIndex) -> None:
    _write(index_dir / "index.json", manifest)


def prune(index_dir: Path, class_dirs: set[str]) -> None:
    """Remove index files of class directories that no longer exist."""
    keep = {f"{shard_key(path)}.json" for path in class_dirs}
    for kind in ("shards", "details"):
        try:
            names = os.listdir(index_dir / kind)
        except FileNotFoundError:
            continue
        for name in names:
            if name.endswith(".json") and name not in keep:
                (index_dir / kind / name).unlink(missing_ok=True)


def _write(path: Path, record: Record) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_model(path, record, fsync=False, indent=None)  # compact: an index can hold 100,000 rows
