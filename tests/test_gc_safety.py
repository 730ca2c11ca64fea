"""`furu gc` never deletes a result `load_or_create` would still load (the real command, an uninstalled project)."""

from __future__ import annotations

from pathlib import Path

import pytest
from throwaway import artifact_dir, create, damaged_successes, furu, furu_json, kept, loads, make_project, python

from furu.catalog import ArtifactRecord
from furu.removal import FuruRemovalKept, remove_artifact


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / "lab")


def test_gc_from_a_subdirectory_imports_the_uninstalled_project(lab):
    hashes = create(lab, "Report()")
    (lab / "notebooks" / "deep").mkdir(parents=True)
    result = furu_json(lab / "notebooks" / "deep", "gc", "--yes", "--stale")
    assert result["plan"]["candidates"] == [] and result["plan"]["kept"] == []
    assert result["removal"]["removed"] == []
    assert artifact_dir(lab / "furu-data", "Report", hashes["Report()"]).is_dir()
    assert loads(lab, "Report()") == "report on model of d"


def test_gc_outside_the_project_reports_unknown_and_keeps_it(lab, tmp_path):
    hashes = create(lab, "Data()")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = furu_json(elsewhere, "gc", "--yes", "--stale", FURU_PATH=str(lab / "furu-data"))
    assert kept(result["plan"]) == {
        hashes["Data()"]: ("unknown", "cannot import lab.steps.Data: no module named 'lab' (renamed, moved, deleted or not installed?)")
    }
    assert result["removal"]["removed"] == []
    assert artifact_dir(lab / "furu-data", "Data", hashes["Data()"]).is_dir()


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("import sklearn_not_here\n", "importing lab.steps raised ModuleNotFoundError: No module named 'sklearn_not_here'"),
        ("raise RuntimeError('no GPU at import time')\n", "importing lab.steps raised RuntimeError: no GPU at import time"),
        ("def broken(:\n", "importing lab.steps raised SyntaxError: invalid syntax ("),
        ("import sys\nsys.exit(3)\n", "importing lab.steps raised SystemExit: 3"),
    ],
    ids=["missing-third-party", "raises", "syntax-error", "sys-exit"],
)
def test_a_module_that_fails_to_import_makes_its_artifacts_unknown_never_garbage(lab, prefix, problem):
    hashes = create(lab, "Report()")
    steps = lab / "lab" / "steps.py"
    steps.write_text(prefix + steps.read_text())
    result = furu(lab, "gc", "--yes", "--stale")
    assert "Traceback" not in result.stderr
    assert "Deleted 0 artifacts" in result.stdout
    assert "Kept 3 unknown: a class of its config does not import here, so gc cannot judge it." in result.stdout
    [line] = [line for line in result.stdout.splitlines() if hashes["Report()"][:8] in line]
    assert line.startswith(f"  unknown    lab.steps.Report {hashes['Report()'][:8]}  cannot import lab.steps.Report: {problem}")
    for cls in ("Data", "Model", "Report"):
        assert len(list((lab / "furu-data" / "data" / "lab" / "steps" / cls).iterdir())) == 1


def test_tuple_keyed_and_any_fields_are_never_deleted_as_garbage(lab):
    """These did not round-trip through to_dict, and gc used to delete them as orphans."""
    hashes = create(lab, "Model(weights={(1, 2): 0.5})", "Model(extra={1: 'a'})")
    result = furu_json(lab, "gc", "--yes", "--stale")  # checked against today's classes, stale ones deleted
    assert result["removal"]["removed"] == [] and result["plan"]["candidates"] == []
    for expr, furu_hash in hashes.items():
        assert artifact_dir(lab / "furu-data", "Model", furu_hash).is_dir()
        assert furu_hash not in kept(result["plan"])  # current: they rebuild and rehash to their own directory
        assert loads(lab, expr) == "model of d"


def test_stale_results_are_listed_and_deleted_only_with_stale(lab):
    hashes = create(lab, "Data(name='old')")
    steps = lab / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace("class Data(furu.Furu[str]):", "class Data(furu.Furu[str], version='2'):"))
    path = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='old')"])
    out = furu(lab, "gc", "--yes").stdout  # not checked (no class imported), and never deleted
    assert "Not checked against today's classes: 1 successful artifact, kept whether stale or not." in out
    assert "`furu gc --stale` checks them and lists the stale ones" in out
    assert path.is_dir()
    out = furu(lab, "gc", "--yes", "--older-than", "0s").stdout  # unused-looking, so checked: stale, kept
    assert "Kept 1 stale" in out and "--stale deletes them" in out
    assert path.is_dir()
    plan = furu_json(lab, "gc", "--older-than", "0s")["plan"]
    assert kept(plan)[path.name][0] == "stale"
    assert kept(plan)[path.name][1].startswith("its stored config now hashes to ")
    listed = furu_json(lab, "gc", "--stale")["plan"]  # the dry run that lists them
    assert [(c["record"]["hash"], c["reason"]) for c in listed["candidates"]] == [(path.name, "stale")]
    assert listed["candidates"][0]["detail"].startswith("its stored config now hashes to ")
    assert path.is_dir()
    result = furu_json(lab, "gc", "--yes", "--stale")
    assert [(c["record"]["hash"], c["reason"]) for c in result["plan"]["candidates"]] == [(path.name, "stale")]
    assert not path.exists()


def test_a_success_with_a_damaged_state_or_marker_is_kept(lab):
    hashes = damaged_successes(lab)
    state_hash, marker_hash, metadata_hash = hashes.values()
    root = lab / "furu-data"
    result = furu_json(lab, "gc", "--yes", "--stale")
    assert result["removal"]["removed"] == []
    found = kept(result["plan"])
    assert {h: found[h][0] for h in hashes.values()} == dict.fromkeys(hashes.values(), "damaged")
    assert "load_or_create still loads it" in found[state_hash][1]
    for name, furu_hash in hashes.items():
        assert artifact_dir(root, "Data", furu_hash).is_dir()
        assert loads(lab, name) == name.split("'")[1]


def test_corrupt_without_any_success_marker_is_collected(lab):
    failed = python(lab, "from lab.steps import Broken\nBroken().load_or_create()")
    assert "broken on purpose" in failed.stderr
    broken = next((lab / "furu-data" / "data" / "lab" / "steps" / "Broken").iterdir())
    (broken / ".furu" / "state.json").write_text("{")
    result = furu_json(lab, "gc", "--yes")
    assert [(c["record"]["hash"], c["reason"]) for c in result["plan"]["candidates"]] == [(broken.name, "corrupt")]
    assert not broken.exists()


def test_removal_rechecks_the_reason_under_the_lock(furu_tmp_root, tmp_path):
    from examples import PrepareData

    data = PrepareData(name="recheck")
    data.load_or_create()
    record = ArtifactRecord(fqn=data.furu_fqn(), hash=data.furu_hash, dir=str(data.furu_dir), version_controlled=False, status="failed")
    for reason in ("failed", "crashed", "incomplete", "corrupt"):
        with pytest.raises(FuruRemovalKept, match="has a success marker now"):
            remove_artifact(record, expect_reason=reason)
    with pytest.raises(FuruRemovalKept, match="its success marker is not the same"):
        remove_artifact(record, expect_reason="unused", planned_success="another-attempt")
    assert data.furu_dir.is_dir() and data.exists()
    assert not list(data.furu_dir.parent.glob(".*furu-deleting*"))


def test_every_command_that_imports_user_classes_works_from_a_subdirectory(lab):
    """One helper (furu.importing.make_project_importable) for run, explain and diff as for gc."""
    sub = lab / "notebooks"
    sub.mkdir()
    ran = furu_json(sub, "run", "lab.steps:Data", "name=a")
    assert [item["outcome"] for item in ran] == ["created"]
    furu_json(sub, "run", "lab.steps:Data", "name=b")
    by_hash = furu_json(sub, "explain", ran[0]["hash"][:8])
    assert (by_hash["cached"], by_hash["fqn"]) == (True, "lab.steps.Data")
    by_spec = furu_json(sub, "explain", "lab.steps:Data", "name=c")
    assert by_spec["cached"] is False
    assert [n["changes"][0]["path"] for n in by_spec["nearest"]] == ["name", "name"]  # both rebuilt from their configs
    diff = furu_json(sub, "diff", "lab.steps:Data name=a", "lab.steps:Data name=b")
    assert [(c["path"], c["a"], c["b"], c["affects_hash"]) for c in diff["changes"]] == [("name", "a", "b", True)]
