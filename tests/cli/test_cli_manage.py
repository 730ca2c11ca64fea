"""`furu invalidate | rm | gc | du | tag | untag | name` on real artifacts."""

from __future__ import annotations

import os
import time

import pytest
from examples import PrepareData, Summary, calls

from .cli_examples import Big, Boom
from .cli_helpers import clone_artifact, edit_json, truncate


def statuses(furu_cli) -> dict[str, str]:
    return {record["hash"]: record["status"] for record in furu_cli.json("ls")}


def test_invalidate_makes_load_or_create_recompute(furu_cli, made, calls_file):
    result = furu_cli.json("invalidate", made.toy.furu_hash[:8])
    assert [r["hash"] for r in result["invalidated"]] == [made.toy.furu_hash]
    assert result["invalidated"][0]["status"] == "absent"
    assert not made.toy._paths().success.exists()
    state = made.toy.get_state()
    assert state.result == "absent"
    assert made.toy._paths().events.read_text().splitlines()[-1].count('"event":"invalidated"') == 1
    assert statuses(furu_cli)[made.train.furu_hash] == "success"  # no cascade
    made.toy.load_or_create()
    assert calls(calls_file) == [f"PrepareData:toy {os.getpid()}"]
    assert statuses(furu_cli)[made.toy.furu_hash] == "success"


def test_invalidate_cascade_reaches_everything_downstream(furu_cli, made, calls_file):
    result = furu_cli.json("invalidate", made.toy.furu_hash[:8], "--cascade")
    assert [r["hash"] for r in result["invalidated"]] == [made.toy.furu_hash, made.train.furu_hash, made.summary.furu_hash]
    found = statuses(furu_cli)
    assert [found[h] for h in (made.toy.furu_hash, made.train.furu_hash, made.summary.furu_hash)] == ["absent"] * 3
    assert found[made.a.furu_hash] == "success"
    Summary().load_or_create()
    assert [line.split()[0] for line in calls(calls_file)] == ["Train", "PrepareData:toy"]
    out = furu_cli("invalidate", made.a.furu_hash[:8]).stdout
    assert out == f"invalidated examples.PrepareData {made.a.furu_hash[:8]}\n"


def test_rm_deletes_and_protects_tagged_and_version_controlled(furu_cli, made):
    removed = furu_cli.json("rm", made.b.furu_hash[:8])
    assert removed["hash"] == made.b.furu_hash
    assert not made.b.furu_dir.exists()
    assert made.b.furu_hash not in statuses(furu_cli)
    assert not any(name.startswith(".") for name in os.listdir(made.b.furu_dir.parent))  # no tombstone left
    error = furu_cli("rm", made.summary.furu_hash[:8], code=1).stderr
    assert "is version-controlled (meant to be committed); add --force" in error
    furu_cli("tag", made.a.furu_hash[:8], "keep")
    assert "is tagged keep; add --force" in furu_cli("rm", made.a.furu_hash[:8], code=1).stderr
    furu_cli("rm", made.a.furu_hash[:8], "--force")
    assert not made.a.furu_dir.exists()


def test_tag_untag_name(furu_cli, made):
    record = furu_cli.json("tag", made.a.furu_hash[:8], "best", "paper")
    assert (record["tags"], record["name"]) == (["best", "paper"], None)
    record = furu_cli.json("name", made.a.furu_hash[:8], "the a run")
    assert (record["tags"], record["name"]) == (["best", "paper"], "the a run")
    record = furu_cli.json("untag", made.a.furu_hash[:8], "paper")
    assert record["tags"] == ["best"]
    assert furu_cli.json("name", made.a.furu_hash[:8], "--clear")["name"] is None
    assert "has no tag nope" in furu_cli("untag", made.a.furu_hash[:8], "nope", code=1).stderr
    assert "is not valid" in furu_cli("tag", made.a.furu_hash[:8], "two words", code=1).stderr
    furu_cli("name", made.a.furu_hash[:8], code=1)
    out = furu_cli("tag", made.a.furu_hash[:8], "x").stdout
    assert out == f"examples.PrepareData {made.a.furu_hash[:8]}  success  name: -  tags: best, x\n"
    annotations = made.a.furu_dir / ".furu" / "annotations.json"
    assert '"tags": [\n    "best",\n    "x"\n  ]' in annotations.read_text()


def test_gc_dry_run_counts_and_yes_deletes(furu_cli, made):
    with pytest.raises(RuntimeError):
        Boom().load_or_create()
    truncate(Boom()._paths().state)  # no success marker: corrupt, collected
    truncate(made.b._paths().state)  # a success whose state.json is damaged: kept, it still loads
    plan = furu_cli.json("gc")["plan"]
    found = {c["record"]["hash"]: c["reason"] for c in plan["candidates"]}
    assert found == {made.failed.furu_hash: "failed", Boom().furu_hash: "corrupt"}
    assert [(k["record"]["hash"], k["kind"]) for k in plan["kept"]] == [(made.b.furu_hash, "damaged")]
    sizes = {c["record"]["hash"]: c["record"]["size_bytes"] for c in plan["candidates"]}
    assert plan["counts"]["failed"] == 1 and plan["counts"]["corrupt"] == 1
    assert plan["bytes"]["failed"] == sizes[made.failed.furu_hash]
    assert plan["total_bytes"] == sum(sizes.values())
    assert made.failed.furu_dir.exists()  # dry run
    out = furu_cli("gc").stdout
    assert "Dry run: nothing deleted. furu gc --yes deletes 2 artifacts" in out
    assert "Kept 1 damaged: a furu file is unreadable, but the result still loads." in out
    result = furu_cli.json("gc", "--yes")
    assert sorted(r["hash"] for r in result["removal"]["removed"]) == sorted(found)
    assert result["removal"]["freed_bytes"] == plan["total_bytes"]
    assert not made.failed.furu_dir.exists() and not Boom().furu_dir.exists()
    assert made.a.furu_dir.exists() and made.b.furu_dir.exists()
    assert made.b.load_or_create() == made.b.furu_dir / "data.csv"
    assert furu_cli.json("gc")["plan"]["candidates"] == []


def test_gc_protects_tagged_unless_asked(furu_cli, made):
    furu_cli("tag", made.failed.furu_hash[:8], "investigate")
    plan = furu_cli.json("gc")["plan"]
    assert plan["candidates"] == []
    assert [c["record"]["hash"] for c in plan["protected"]] == [made.failed.furu_hash]
    assert [c["record"]["hash"] for c in furu_cli.json("gc", "--include-tagged")["plan"]["candidates"]] == [made.failed.furu_hash]


def test_gc_keeps_unknown_and_stale_unless_asked(furu_cli, made):
    gone = clone_artifact(made.a.furu_dir, "1" * 32)
    moved = made.a.furu_dir.parent.parent.parent / "renamed_module" / "OldClass"
    moved.mkdir(parents=True)
    gone.rename(moved / ("1" * 32))
    invalid = clone_artifact(made.a.furu_dir, "2" * 32)
    edit_json(invalid / ".furu" / "metadata.json", lambda doc: doc["config"].update(bogus=1))
    rehashed = clone_artifact(made.a.furu_dir, "3" * 32)
    edit_json(rehashed / ".furu" / "metadata.json", lambda doc: doc["config"].update(rows=7))
    plain = furu_cli.json("gc")["plan"]  # without --stale no class is imported: successes are only counted
    assert [c["reason"] for c in plain["candidates"]] == ["failed"]
    assert (plain["kept"], plain["unchecked"]) == ([], 9)
    plan = furu_cli.json("gc", "--stale")["plan"]
    found = {c["record"]["hash"]: (c["reason"], c["detail"]) for c in plan["candidates"] if c["reason"] == "stale"}
    kept = {k["record"]["hash"]: (k["kind"], k["detail"]) for k in plan["kept"]}
    assert kept == {"1" * 32: (
        "unknown", "cannot import renamed_module.OldClass: no module named 'renamed_module' (renamed, moved, deleted or not installed?)"
    )}
    assert found["2" * 32] == ("stale", "its stored config no longer rebuilds: PrepareData.bogus: Extra inputs are not permitted")
    rebuilt = PrepareData(name="a", rows=7).furu_hash
    assert found["3" * 32] == ("stale", f"its stored config now hashes to {rebuilt[:8]} (the class changed since, or a value does not round-trip)")
    assert set(found) == {"2" * 32, "3" * 32} and plan["unchecked"] == 0
    furu_cli("gc", "--yes")
    assert all((d).exists() for d in (moved / ("1" * 32), invalid, rehashed))
    result = furu_cli.json("gc", "--yes", "--stale")
    assert sorted(r["hash"] for r in result["removal"]["removed"]) == ["2" * 32, "3" * 32]
    assert not invalid.exists() and not rehashed.exists()
    assert (moved / ("1" * 32)).exists()  # unknown: never, not even with --stale
    assert [k["kind"] for k in result["plan"]["kept"]] == ["unknown"]


def test_gc_older_than_collects_unused_untagged_successes(furu_cli, made):
    assert furu_cli.json("gc", "--older-than", "30d")["plan"]["counts"]["unused"] == 0
    time.sleep(1.1)
    furu_cli("tag", made.a.furu_hash[:8], "keep")
    plan = furu_cli.json("gc", "--older-than", "1s")["plan"]
    unused = sorted(c["record"]["hash"] for c in plan["candidates"] if c["reason"] == "unused")
    # leaves of the graph nobody depends on; Summary is version-controlled (protected); a is tagged
    assert unused == sorted([made.pipeline.furu_hash])
    assert [c["record"]["hash"] for c in plan["protected"]] == [made.summary.furu_hash]
    assert "cannot read 'bad' as a duration" in furu_cli("gc", "--older-than", "bad", code=1).stderr


def test_du_groups_and_totals(furu_cli, made):
    Big(size=50_000).load_or_create()
    usage = furu_cli.json("du")
    assert usage["rows"][0]["key"] == "cli.cli_examples.Big"
    assert usage["rows"][0]["bytes"] >= 50_000
    assert usage["artifacts"] == 8
    assert usage["artifact_bytes"] == sum(row["bytes"] for row in usage["rows"])
    records = furu_cli.json("ls")
    assert usage["artifact_bytes"] == sum(r["size_bytes"] for r in records)
    by_namespace = furu_cli.json("du", "--by", "namespace")
    assert [(row["key"], row["artifacts"]) for row in by_namespace["rows"]] == [("cli.cli_examples", 1), ("examples", 7)]
    by_artifact = furu_cli.json("du", "--by", "artifact", "--limit", "2")
    assert len(by_artifact["rows"]) == 2 and by_artifact["rows"][0]["key"].startswith("cli.cli_examples.Big ")
    out = furu_cli("du").stdout.splitlines()
    assert out[0].split() == ["class", "artifacts", "size"]
    assert out[-1].split()[:2] == ["total", "8"]
