"""The catalog's index is a cache: reused when valid, never stale, rebuilt when deleted."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from pathlib import Path

import pytest
from examples import PrepareData

from furu.annotations import add_tags
from furu.catalog import Catalog, read_record, scan
from furu.query import (
    FuruQueryError,
    parse_duration,
    parse_filter,
    parse_size,
    parse_time,
)
from furu.specs import FuruSpecError, build_spec, expand_sweeps, split_values


def snapshot(records) -> list[tuple]:
    return sorted((r.hash, r.status, r.config and r.config.get("name"), r.size_bytes, tuple(r.tags)) for r in records)


def test_index_is_reused_and_rebuilt_identically(made, short_racy_window, reads):
    time.sleep(0.05)
    first = scan(details=True, sizes=True)
    index_file = Catalog().index_path
    assert index_file.parent == Catalog().settings.data_root / ".catalog"
    assert index_file.is_file()
    assert len(reads) == 7
    reads.clear()
    again = scan(details=True, sizes=True)
    assert reads == []  # nothing changed: nothing read but the index
    assert snapshot(again) == snapshot(first)
    shutil.rmtree(index_file.parent)
    rebuilt = scan(details=True, sizes=True)
    assert len(reads) == 7
    assert snapshot(rebuilt) == snapshot(first)


def test_changes_behind_the_index_are_seen(made, short_racy_window, reads):
    time.sleep(0.05)
    scan()
    time.sleep(0.05)
    add_tags(made.a.furu_dir, ["seen"])  # as another process would
    PrepareData(name="new").load_or_create()
    shutil.rmtree(made.b.furu_dir)
    reads.clear()
    records = {r.hash: r for r in scan()}
    assert sorted(reads) == sorted([made.a.furu_hash, PrepareData(name="new").furu_hash])
    assert records[made.a.furu_hash].tags == ["seen"]
    assert made.b.furu_hash not in records
    assert len(records) == 7


def test_a_damaged_index_is_ignored(made):
    scan()
    index_file = Catalog().index_path
    for suffix in ("-wal", "-shm"):
        Path(f"{index_file}{suffix}").unlink(missing_ok=True)
    index_file.write_bytes(b"not a database" * 100)
    assert len(scan()) == 7
    assert index_file.read_bytes().startswith(b"SQLite format 3")  # rebuilt


def test_read_record_reads_one_directory(made):
    record = read_record(made.train.furu_dir)
    assert (record.fqn, record.hash, record.status) == ("examples.Train", made.train.furu_hash, "success")
    assert record.dependencies[0].hash == made.toy.furu_hash


def test_value_parsers():
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("90") == timedelta(seconds=90)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_size("1.5MB") == 1_500_000
    assert parse_size("2GiB") == 2 * 1024**3
    assert parse_size("10k") == 10_000
    start, end = parse_time("2026-11-01")
    assert end - start == 86400
    with pytest.raises(FuruQueryError, match="as a duration"):
        parse_duration("soon")
    with pytest.raises(FuruQueryError, match="as a size"):
        parse_size("big")
    with pytest.raises(FuruQueryError, match="as a time"):
        parse_time("next tuesday")
    assert parse_filter("data.name=toy").path == ("data", "name")
    assert parse_filter("config.status=x").kind == "config"
    assert parse_filter("status=failed").kind == "status"
    with pytest.raises(FuruQueryError, match="regular expression"):
        parse_filter("class~(")


def test_specs_nested_typed_and_swept():
    assert build_spec("examples:Train lr=3e-4 data.rows=7").model_dump() == {
        "data": {"name": "toy", "rows": 7}, "lr": 0.0003, "note": "",
    }
    assert expand_sweeps(["lr=1"], ["a=1,2", "b=[1,2],[3]"]) == [
        ["lr=1", "a=1", "b=[1,2]"], ["lr=1", "a=1", "b=[3]"], ["lr=1", "a=2", "b=[1,2]"], ["lr=1", "a=2", "b=[3]"],
    ]
    assert split_values("'a,b',c") == ["'a,b'", "c"]
    with pytest.raises(FuruSpecError, match="starts with module:Class"):
        build_spec("Train lr=1")
    with pytest.raises(FuruSpecError, match="rows='x': cannot read it as int"):
        build_spec("examples:Train data.rows=x")
