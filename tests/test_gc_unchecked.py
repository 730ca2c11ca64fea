"""`furu gc` without `--stale` imports no user class and rehashes no config, and still deletes no result that loads.

Stale successes are deleted only with `--stale`, so a plain run does not need
to know which successes are stale: it counts them as not checked, says so, and
judges every other reason from the artifacts' state and success markers alone.
The user's module here writes a file when it is imported and then raises, so a
plain run proves it imported nothing, and a `--stale` run proves the detector
works (real processes, an uninstalled project).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from throwaway import STEPS, artifact_dir, create, damaged_successes, furu, furu_json, kept, loads, make_project, python

IMPORTED = "imported-by-gc"
NOT_CHECKED = "Not checked against today's classes: 3 successful artifacts, kept whether stale or not."
HOW_TO_CHECK = "`furu gc --stale` checks them and lists the stale ones"


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / "lab")


def reasons(plan: dict) -> dict[str, str]:
    return {item["record"]["hash"]: item["reason"] for item in plan["candidates"]}


def break_the_module(lab: Path) -> Path:
    """``lab.steps`` now leaves a file behind when anything imports it, then raises; returns that file."""
    steps = lab / "lab" / "steps.py"
    steps.write_text(
        f"import pathlib\npathlib.Path(__file__).with_name({IMPORTED!r}).touch()\n"
        "raise RuntimeError('no GPU at import time')\n" + steps.read_text()
    )
    return lab / "lab" / IMPORTED


def restore_the_module(lab: Path) -> None:
    steps = lab / "lab" / "steps.py"
    steps.write_text(steps.read_text().split("raise RuntimeError('no GPU at import time')\n", 1)[1])


def edit_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def make_one_of_each(lab: Path) -> dict[str, str]:
    """Three successes (Report -> Model -> Data) and one artifact per reason that needs no import; hash by reason."""
    hashes = create(lab, "Report()", "Data(name='gone')", "Data(name='stopped')", "Data(name='bad')")
    failed = python(lab, "from lab.steps import Broken\nBroken().load_or_create()")
    assert "broken on purpose" in failed.stderr
    root = lab / "furu-data"
    gone, stopped, bad = (hashes[f"Data(name='{name}')"] for name in ("gone", "stopped", "bad"))
    # Edited by hand before any furu command indexes them: furu's own writes are journaled, hand edits are
    # seen by the first scan or by `furu ls --rescan`.
    internal = artifact_dir(root, "Data", stopped) / ".furu"
    (internal / "success.json").unlink()

    def crashed(doc: dict[str, Any]) -> None:
        doc["result"] = "incomplete"
        doc["attempts"][-1].update(status="running", ended_at=None)

    edit_json(internal / "state.json", crashed)  # says running, no process holds its lock: crashed
    bad_internal = artifact_dir(root, "Data", bad) / ".furu"
    (bad_internal / "success.json").unlink()
    (bad_internal / "state.json").write_text('{"trunc')  # unreadable, no success marker: corrupt
    furu(lab, "invalidate", gone[:8])  # no success marker any more: incomplete
    [broken] = (root / "data" / "lab" / "steps" / "Broken").iterdir()
    return {"failed": broken.name, "incomplete": gone, "crashed": stopped, "corrupt": bad, "report": hashes["Report()"]}


def test_a_plain_gc_imports_nothing_and_still_collects_every_other_reason(lab):
    made = make_one_of_each(lab)
    imported = break_the_module(lab)
    plan = furu_json(lab, "gc")["plan"]
    assert reasons(plan) == {made[r]: r for r in ("failed", "incomplete", "crashed", "corrupt")}
    assert (plan["kept"], plan["unchecked"]) == ([], 3)
    text = furu(lab, "gc").stdout
    assert NOT_CHECKED in text and HOW_TO_CHECK in text
    assert "Kept " not in text and "unknown" not in text  # nothing judged, so nothing listed as kept
    assert "Dry run: nothing deleted. furu gc --yes deletes 4 artifacts" in text
    result = furu_json(lab, "gc", "--yes")
    assert sorted(r["hash"] for r in result["removal"]["removed"]) == sorted(reasons(plan))
    assert (result["removal"]["skipped"], result["removal"]["failed"]) == ([], [])
    assert not imported.exists()  # neither the dry run nor the deletion imported lab.steps
    root = lab / "furu-data"
    assert not artifact_dir(root, "Broken", made["failed"]).exists()
    assert not any(artifact_dir(root, "Data", made[name]).exists() for name in ("incomplete", "crashed", "corrupt"))
    checked = furu_json(lab, "gc", "--stale")["plan"]  # the careful check does import (so the detector works)
    assert imported.exists()
    assert {kind for kind, _ in kept(checked).values()} == {"unknown"} and len(checked["kept"]) == 3
    assert (checked["candidates"], checked["unchecked"]) == ([], 0)
    restore_the_module(lab)
    assert loads(lab, "Report()") == "report on model of d"


def test_older_than_checks_only_the_would_be_unused_and_keeps_what_it_cannot_judge(lab):
    """Report is old, untagged and nothing depends on it, so it is checked: unknown, kept; Model and Data have dependents."""
    hashes = create(lab, "Report()")
    imported = break_the_module(lab)
    result = furu_json(lab, "gc", "--yes", "--older-than", "0s")
    assert result["removal"]["removed"] == [] and result["plan"]["candidates"] == []
    assert kept(result["plan"]) == {
        hashes["Report()"]: ("unknown", "cannot import lab.steps.Report: importing lab.steps raised RuntimeError: no GPU at import time")
    }
    assert result["plan"]["unchecked"] == 2
    assert imported.exists()
    text = furu(lab, "gc", "--older-than", "0s").stdout
    assert "Not checked against today's classes: 2 successful artifacts, kept whether stale or not." in text
    restore_the_module(lab)
    assert loads(lab, "Report()") == "report on model of d"


def test_a_plain_gc_keeps_damaged_successes_without_importing(lab):
    hashes = damaged_successes(lab)
    state_hash, marker_hash, metadata_hash = hashes.values()
    root = lab / "furu-data"
    imported = break_the_module(lab)
    result = furu_json(lab, "gc", "--yes")
    assert result["removal"]["removed"] == [] and result["plan"]["candidates"] == []
    found = kept(result["plan"])
    assert (found[state_hash][0], found[marker_hash][0]) == ("damaged", "damaged")
    # An unreadable metadata.json is found only where metadata is read; kept either way, and counted.
    assert found.get(metadata_hash, ("unchecked",))[0] in ("damaged", "unchecked")
    assert len(found) + result["plan"]["unchecked"] == 3
    assert not imported.exists()
    restore_the_module(lab)
    for name, furu_hash in hashes.items():
        assert artifact_dir(root, "Data", furu_hash).is_dir()
        assert loads(lab, name) == name.split("'")[1]


def test_protected_failures_stay_protected_without_imports(lab):
    create(lab, "Data()")  # a success, which a check would import lab.steps for
    python(lab, "from lab.steps import Broken\nBroken().load_or_create()")
    [broken] = (lab / "furu-data" / "data" / "lab" / "steps" / "Broken").iterdir()
    furu(lab, "tag", broken.name[:8], "investigate")
    imported = break_the_module(lab)
    plan = furu_json(lab, "gc", "--yes")["plan"]
    assert plan["candidates"] == [] and [c["record"]["hash"] for c in plan["protected"]] == [broken.name]
    assert broken.is_dir() and not imported.exists()
    tagged = furu_json(lab, "gc", "--yes", "--include-tagged")
    assert [r["hash"] for r in tagged["removal"]["removed"]] == [broken.name]
    assert not imported.exists()


def test_a_failed_state_with_a_success_marker_is_damaged_and_kept(lab):
    """load_or_create checks the success marker alone: under a state.json that says failed, the result still loads."""
    hashes = create(lab, "Data()")
    python(lab, "from lab.steps import Broken\nBroken().load_or_create()")
    root = lab / "furu-data"
    [broken] = (root / "data" / "lab" / "steps" / "Broken").iterdir()
    marker = (artifact_dir(root, "Data", hashes["Data()"]) / ".furu" / "success.json").read_bytes()
    (broken / ".furu" / "success.json").write_bytes(marker)  # by hand, as a copy or a half-finished repair leaves it
    [record] = furu_json(lab, "ls", "--rescan", "class=Broken")
    assert record["status"] == "damaged"
    assert record["problem"] == "ValueError: broken on purpose; state.json says failed, but the success marker is there"
    for args in (("gc",), ("gc", "--stale"), ("gc", "--yes")):
        plan = furu_json(lab, *args)["plan"]
        assert plan["candidates"] == [] and kept(plan)[broken.name][0] == "damaged", args
    assert broken.is_dir()
    text = furu(lab, "gc").stdout
    assert "state.json says failed, but the success marker is there" in text


FLAKY = STEPS + '''

class Flaky(furu.Furu[str]):
    seed: int = 0

    def _create(self) -> str:
        raise ValueError(f"flaky {self.seed}")

    def _load(self) -> str:
        return ""
'''


def test_a_dry_run_lists_the_newest_and_counts_them_all(tmp_path):
    from furu.catalog import Catalog
    from furu.gc import plan_gc

    lab = make_project(tmp_path / "lab", FLAKY)
    python(lab, "from lab.steps import Flaky\nfor seed in range(5):\n    try: Flaky(seed=seed).load_or_create()\n    except ValueError: pass")
    [first, *_] = sorted((lab / "furu-data" / "data" / "lab" / "steps" / "Flaky").iterdir(), key=lambda d: d.stat().st_mtime)
    furu(lab, "tag", first.name[:8], "keep")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(lab)
        full, short = plan_gc(Catalog()), plan_gc(Catalog(), listed=2)
    assert (full.counts, full.bytes, full.total_bytes, full.protected_count) == (short.counts, short.bytes, short.total_bytes, 1)
    assert full.counts["failed"] == 4 and len(full.candidates) == 4 and len(short.candidates) == 2
    assert [c.record.hash for c in short.candidates] == [c.record.hash for c in full.candidates[:2]]
    newest = sorted(full.candidates, key=lambda c: c.record.created, reverse=True)
    assert [c.record.hash for c in short.candidates] == [c.record.hash for c in newest[:2]]
    assert [c.record.hash for c in short.protected] == [first.name]
    text = furu(lab, "gc").stdout
    assert "1 more is protected" in text and "furu gc --yes deletes 4 artifacts" in text
