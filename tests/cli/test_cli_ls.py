"""`furu ls`: listing, filters, sorting, columns, statuses (incl. running/crashed/corrupt), --json."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from examples import PrepareData, Train

from furu.layout import ArtifactPaths
from furu.locking import ArtifactLock
from furu.state import ArtifactState, record_event, start_attempt, write_state

from .cli_helpers import edit_json, truncate


def by_hash(records: list[dict]) -> dict[str, dict]:
    return {record["hash"]: record for record in records}


def test_ls_json_lists_every_artifact_with_exact_fields(furu_cli, made):
    records = furu_cli.json("ls")
    assert len(records) == 7
    found = by_hash(records)
    toy = found[made.toy.furu_hash]
    assert toy["fqn"] == "examples.PrepareData"
    assert toy["status"] == "success"
    assert toy["dir"] == str(made.toy.furu_dir)
    assert toy["version_controlled"] is False
    assert toy["config"] == {"__class__": "examples.PrepareData", "name": "toy", "rows": 5}
    assert toy["attempts"] == 1
    assert toy["size_bytes"] == sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(made.toy.furu_dir) for f in files
    )
    summary = found[made.summary.furu_hash]
    assert summary["version_controlled"] is True
    assert summary["declared_dependencies"] == [{"fqn": "examples.Train", "hash": made.train.furu_hash}]
    failed = found[made.failed.furu_hash]
    assert failed["status"] == "failed"
    assert failed["problem"] == "ValueError: flaky failure on purpose"
    assert failed["config"] == {"__class__": "examples.Flaky"}  # from config.json, written at the start
    # newest first
    created = [record["created"] for record in records]
    assert created == sorted(created, reverse=True)


def test_ls_filters_combine_with_and(furu_cli, made):
    assert [r["hash"] for r in furu_cli.json("ls", "status=failed")] == [made.failed.furu_hash]
    names = {r["config"]["name"] for r in furu_cli.json("ls", "class~Prepare")}
    assert names == {"toy", "a", "b"}
    assert [r["hash"] for r in furu_cli.json("ls", "class=PrepareData", "name=a")] == []  # name is the artifact's label
    assert [r["hash"] for r in furu_cli.json("ls", "class=PrepareData", "config.name=a")] == [made.a.furu_hash]
    assert [r["hash"] for r in furu_cli.json("ls", "data.name=toy")] == [made.train.furu_hash]
    assert [r["hash"] for r in furu_cli.json("ls", "lr>1e-4", "lr<=1e-3")] == [made.train.furu_hash]
    assert furu_cli.json("ls", "lr>1e-3") == []
    assert len(furu_cli.json("ls", "created>2000-01-01")) == 7
    assert furu_cli.json("ls", "created>2999-01-01") == []
    assert len(furu_cli.json("ls", "created>1h")) == 7  # created within the last hour
    assert {r["status"] for r in furu_cli.json("ls", "status!=success")} == {"failed"}
    assert len(furu_cli.json("ls", "status=success,failed")) == 7
    assert [r["hash"] for r in furu_cli.json("ls", f"hash={made.b.furu_hash[:6]}")] == [made.b.furu_hash]


def test_ls_tag_and_name_filters(furu_cli, made):
    furu_cli("tag", made.a.furu_hash[:8], "best")
    furu_cli("name", made.b.furu_hash[:8], "baseline b")
    assert [r["hash"] for r in furu_cli.json("ls", "tag=best")] == [made.a.furu_hash]
    assert [r["hash"] for r in furu_cli.json("ls", "name~baseline")] == [made.b.furu_hash]
    assert len(furu_cli.json("ls", "tag!=best")) == 6


def test_ls_sort_limit_and_reverse(furu_cli, made):
    by_class = [r["fqn"] for r in furu_cli.json("ls", "--sort", "class")]
    assert by_class == sorted(by_class)
    by_status = [r["status"] for r in furu_cli.json("ls", "--sort", "status")]
    assert by_status == ["success"] * 6 + ["failed"]
    sizes = [r["size_bytes"] for r in furu_cli.json("ls", "--sort", "size")]
    assert sizes == sorted(sizes, reverse=True)
    assert [r["size_bytes"] for r in furu_cli.json("ls", "--sort", "size", "--reverse")] == sorted(sizes)
    assert len(furu_cli.json("ls", "--limit", "2")) == 2
    rows = [r["config"]["rows"] for r in furu_cli.json("ls", "class=PrepareData", "--sort", "rows")]
    assert rows == [5, 5, 5]
    runtimes = [r["runtime_secs"] for r in furu_cli.json("ls", "--sort", "runtime")]
    assert runtimes == sorted(runtimes, reverse=True)


def test_ls_table_shows_columns_and_config_fields(furu_cli, made):
    out = furu_cli("ls", "class=PrepareData", "-c", "name,rows", "--sort", "hash").stdout
    lines = out.splitlines()
    # No artifact shown has a name or tag, so there is no name/tags column.
    assert lines[0].split() == ["class", "hash", "status", "created", "runtime", "size", "name", "rows"]
    rows = sorted([made.toy, made.a, made.b], key=lambda obj: obj.furu_hash)
    for line, obj in zip(lines[1:4], rows, strict=True):
        words = line.split()
        assert words[:3] == ["PrepareData", obj.furu_hash[:8], "success"]
        assert words[-2:] == [obj.name, "5"]
    assert lines[-1] == "3 shown, 3 matching, 7 artifacts"


def test_ls_limit_footer(furu_cli, made):
    out = furu_cli("ls", "-n", "2").stdout
    assert out.splitlines()[-1] == "2 shown, 7 matching, 7 artifacts; --limit 0 shows all"


def test_ls_bad_filter_and_sort_exit_1_with_one_line(furu_cli, made):
    result = furu_cli("ls", "lr", code=1)
    assert result.stderr.startswith("error: Cannot read filter 'lr'")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "status takes" in furu_cli("ls", "status=done", code=1).stderr
    assert "duration" in furu_cli("ls", "runtime>soon", code=1).stderr
    assert "Cannot sort by" in furu_cli("ls", "--sort", "a b", code=1).stderr
    furu_cli("ls", "--bogus", code=1)
    for command in ("ls", "du"):  # a negative limit would quietly mean "all", as 0 does
        refused = furu_cli(command, "--limit", "-1", code=1).stderr
        assert "'--limit' / '-n': must be 0 (all) or more, not -1" in refused


def test_success_with_damaged_state_is_listed_as_damaged_and_nothing_crashes(furu_cli, made):
    state = ArtifactPaths(str(made.a.furu_dir)).state
    truncate(state)
    record = by_hash(furu_cli.json("ls"))[made.a.furu_hash]
    assert record["status"] == "damaged"
    assert record["problem"].startswith(f"{state} is unreadable (truncated or edited by hand)")
    out = furu_cli("ls").stdout
    assert f"damaged {made.a.furu_dir}: {state} is unreadable" in out
    for command in (["show", made.a.furu_hash], ["deps", made.pipeline.furu_hash], ["rdeps", made.a.furu_hash],
                    ["dag"], ["du"], ["gc"], ["ls", "status=damaged"]):
        furu_cli(*command)
    assert [r["hash"] for r in furu_cli.json("ls", "status=damaged")] == [made.a.furu_hash]
    assert furu_cli.json("ls", "status=corrupt") == []


def test_success_with_damaged_metadata_is_listed_as_damaged(furu_cli, made):
    metadata = ArtifactPaths(str(made.b.furu_dir)).metadata
    truncate(metadata, keep=100)
    record = by_hash(furu_cli.json("ls"))[made.b.furu_hash]
    assert record["status"] == "damaged"
    assert record["problem"].startswith(f"{metadata} is unreadable")
    assert [r["hash"] for r in furu_cli.json("ls", "status=damaged")] == [made.b.furu_hash]
    shown = furu_cli.json("show", made.b.furu_hash)
    assert shown["metadata"] is None
    assert any(problem.startswith(str(metadata)) for problem in shown["problems"])


def test_newer_schema_is_damaged_and_missing_internal_dir_is_corrupt(furu_cli, made):
    edit_json(ArtifactPaths(str(made.a.furu_dir)).state, lambda doc: doc.update(schema_version=99))
    bare = made.b.furu_dir.with_name("f" * 32)
    bare.mkdir()
    found = by_hash(furu_cli.json("ls"))
    assert found[made.a.furu_hash]["status"] == "damaged"
    assert "newer than this furu understands" in found[made.a.furu_hash]["problem"]
    assert found["f" * 32]["status"] == "corrupt"
    assert found["f" * 32]["problem"].startswith("no .furu/ directory")


def _running_state(obj) -> ArtifactPaths:
    paths = obj._paths()
    paths.internal.mkdir(parents=True, exist_ok=True)
    state = ArtifactState(fqn=obj.furu_fqn(), hash=obj.furu_hash)
    start_attempt(state, "a1")
    write_state(paths, state)
    record_event(paths, "attempt_started", "a1")
    return paths


def test_running_needs_a_live_lock_holder(furu_cli, made):
    live = PrepareData(name="live")
    paths = _running_state(live)
    lock = ArtifactLock(paths.lock, lease_secs=60, heartbeat_secs=20)
    assert lock.try_acquire()
    try:
        assert by_hash(furu_cli.json("ls"))[live.furu_hash]["status"] == "running"
    finally:
        lock.release()
    record = by_hash(furu_cli.json("ls"))[live.furu_hash]
    assert record["status"] == "crashed"
    assert record["problem"] == (
        "says running, but no process holds its lock: it stopped without recording an outcome"
    )


def test_lock_of_a_dead_process_is_crashed(furu_cli, made):
    dead = PrepareData(name="dead")
    paths = _running_state(dead)
    code = (
        "import sys; from pathlib import Path; from furu.locking import ArtifactLock;"
        f"assert ArtifactLock(Path({str(paths.lock)!r}), lease_secs=60, heartbeat_secs=20).try_acquire()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    record = by_hash(furu_cli.json("ls"))[dead.furu_hash]
    assert record["status"] == "crashed"
    assert record["problem"].startswith("says running, but its holder (pid ")


def test_listing_follows_changes_made_behind_its_back(furu_cli, made):
    assert len(furu_cli.json("ls")) == 7  # builds the index
    Train(lr=0.5).load_or_create()
    made.b._paths().success.unlink()  # removed by hand: no longer a cache hit
    time.sleep(0.01)
    found = by_hash(furu_cli.json("ls"))
    assert len(found) == 8  # Train(lr=0.5) and nothing else new: its data was cached
    assert found[made.b.furu_hash]["status"] == "absent"
    assert found[made.b.furu_hash]["problem"] == "state.json says success, but the success marker was removed"
