"""`furu run` (specs, sweeps, dry runs, failures) and `furu init`."""

from __future__ import annotations

import os
from pathlib import Path

from examples import PrepareData, Train, calls


def test_run_builds_the_config_and_creates_it(furu_cli, calls_file):
    outcomes = furu_cli.json("run", "examples:Train", "lr=3e-4", "data.name=toy")
    wanted = Train(lr=3e-4, data=PrepareData(name="toy"))
    assert outcomes == [{
        "fqn": "examples.Train", "hash": wanted.furu_hash, "dir": str(wanted.furu_dir),
        "assignments": ["lr=3e-4", "data.name=toy"], "outcome": "created",
        "runtime_secs": outcomes[0]["runtime_secs"], "result": "{'rows': 5, 'lr': 0.0003}", "error": None,
        "missing_dependencies": 0, "created_by": None,
    }]
    assert wanted.exists()
    assert furu_cli.json("run", "examples:Train", "lr=3e-4", "data.name=toy")[0]["outcome"] == "loaded"
    assert sorted(line.split()[0] for line in calls(calls_file)) == ["PrepareData:toy", "Train"]
    # the forms every reference takes: the spec quoted as one word, and the class as ls --json names it
    for words in (["examples:Train lr=3e-4 data.name=toy"], ["examples.Train", "lr=3e-4", "data.name=toy"]):
        again = furu_cli.json("run", *words)
        assert (again[0]["hash"], again[0]["outcome"], again[0]["assignments"]) == (wanted.furu_hash, "loaded", ["lr=3e-4", "data.name=toy"])


def test_run_sweep_is_a_cartesian_product(furu_cli):
    outcomes = furu_cli.json("run", "examples:Train", "--sweep", "lr=0.1,0.2", "--sweep", "data.rows=2,3")
    assert [o["assignments"] for o in outcomes] == [
        ["lr=0.1", "data.rows=2"], ["lr=0.1", "data.rows=3"], ["lr=0.2", "data.rows=2"], ["lr=0.2", "data.rows=3"],
    ]
    assert [o["result"] for o in outcomes] == [
        "{'rows': 2, 'lr': 0.1}", "{'rows': 3, 'lr': 0.1}", "{'rows': 2, 'lr': 0.2}", "{'rows': 3, 'lr': 0.2}",
    ]
    out = furu_cli("run", "examples:Train", "--sweep", "lr=0.1,0.2", "--sweep", "data.rows=2,3").stdout.splitlines()
    assert out[0].split() == ["config", "hash", "outcome", "runtime", "result", "directory"]
    assert [line.split()[3] for line in out[1:]] == ["loaded"] * 4


def test_run_dry_run_creates_nothing(furu_cli, calls_file):
    outcomes = furu_cli.json("run", "examples:Summary", "--dry-run")
    assert (outcomes[0]["outcome"], outcomes[0]["missing_dependencies"]) == ("missing", 3)
    assert calls(calls_file) == []
    assert not os.path.exists("furu-data/artifacts/examples/Summary")


def test_run_failure_exits_1_after_the_summary(furu_cli, monkeypatch):
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    result = furu_cli("run", "examples:Flaky", "--json", code=1)
    assert result.stderr.strip().endswith("error: 1 of 1 configs failed.")
    import json

    assert json.loads(result.stdout)[0]["error"] == "ValueError: flaky failure on purpose"


def test_run_errors_are_one_line(furu_cli):
    assert "Train has no field 'lrr'" in furu_cli("run", "examples:Train", "lrr=1", code=1).stderr
    assert "cannot read it as float" in furu_cli("run", "examples:Train", "lr=fast", code=1).stderr
    assert "Cannot read sweep 'lr'" in furu_cli("run", "examples:Train", "--sweep", "lr", code=1).stderr


def test_init_adds_section_and_gitignore_rules_preserving_formatting(furu_cli):
    with open("pyproject.toml", "w") as handle:
        handle.write('[project]\nname = "scratch"   # keep this comment\n\n[tool.black]\nline-length = 99\n')
    with open(".gitignore", "w") as handle:
        handle.write("venv/\n/furu-data/raw/\n")
    result = furu_cli.json("init")
    assert result["added_section"] is True
    assert result["added_rules"] == ["/furu-data/data/", "/furu-data/timetravel/", "/furu-data/.catalog/", "/furu-data/.journal/"]
    text = Path("pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "scratch"   # keep this comment\n\n[tool.black]\nline-length = 99\n\n[tool.furu]\n# Options for furu')
    import tomllib

    assert tomllib.loads(text)["tool"]["furu"] == {}
    assert Path(".gitignore").read_text() == (
        "venv/\n/furu-data/raw/\n\n# furu: caches are rebuilt, never committed (results in furu-data/artifacts/ are)\n"
        "/furu-data/data/\n/furu-data/timetravel/\n/furu-data/.catalog/\n/furu-data/.journal/\n"
    )
    again = furu_cli.json("init")
    assert (again["added_section"], again["added_rules"]) == (False, [])
    assert "kept the existing [tool.furu]" in furu_cli("init").stdout
