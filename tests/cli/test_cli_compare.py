"""`furu diff` (configs and code snapshots) and `furu explain` (why a config would recompute)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pygit2
import pytest
from examples import PrepareData, PrepareDataShuffled, Train
from pygit2.enums import ConfigLevel

from furu.provenance import clear_capture_cache

from .cli_examples import Versioned
from .cli_helpers import edit_json


def test_diff_by_dotted_path_through_nested_configs(furu_cli, made):
    other = Train(lr=0.5, data=PrepareData(name="a"), note="tried")
    other.load_or_create()
    result = furu_cli.json("diff", made.train.furu_hash[:8], other.furu_hash[:8])
    assert result["a"]["hash"] == made.train.furu_hash and result["b"]["hash"] == other.furu_hash
    assert result["changes"] == [
        {"path": "data.name", "kind": "changed", "a": "toy", "b": "a", "affects_hash": True},
        {"path": "lr", "kind": "changed", "a": 0.001, "b": 0.5, "affects_hash": True},
        {"path": "note", "kind": "changed", "a": "", "b": "tried", "affects_hash": False},
    ]
    assert result["code_patch"] is None
    out = furu_cli("diff", made.train.furu_hash[:8], other.furu_hash[:8]).stdout.splitlines()
    assert out[1].split() == ["field", "a", "b"]
    assert out[2].split() == ["data.name", "toy", "a"]
    assert out[3].split() == ["lr", "0.001", "0.5"]
    assert out[4].split() == ["note", '""', "tried", "not", "hashed"]


def test_diff_of_different_classes_and_identical_configs(furu_cli, made):
    shuffled = PrepareDataShuffled(seed=3)
    shuffled.load_or_create()
    changes = furu_cli.json("diff", made.toy.furu_hash, shuffled.furu_hash)["changes"]
    assert changes == [
        {"path": "__class__", "kind": "changed", "a": "examples.PrepareData", "b": "examples.PrepareDataShuffled", "affects_hash": True},
        {"path": "seed", "kind": "added", "a": None, "b": 3, "affects_hash": True},
    ]
    assert furu_cli("diff", made.toy.furu_hash, made.toy.furu_hash).stdout.splitlines()[-1] == "The configs are identical."
    # A failed artifact has its config too (config.json is written when an attempt starts).
    against_failed = furu_cli.json("diff", made.toy.furu_hash, made.failed.furu_hash)["changes"]
    assert against_failed[0] == {
        "path": "__class__", "kind": "changed", "a": "examples.PrepareData", "b": "examples.Flaky", "affects_hash": True,
    }
    made.failed._paths().config.unlink()
    assert "has no stored config" in furu_cli("diff", made.toy.furu_hash, made.failed.furu_hash, code=1).stderr


def test_diff_code_without_snapshots_says_why(furu_cli, made):
    result = furu_cli.json("diff", made.a.furu_hash, made.b.furu_hash, "--code")
    assert result["code_patch"] is None
    assert result["code_note"].startswith(f"examples.PrepareData {made.a.furu_hash[:8]} has no code snapshot: not inside a git repository")
    assert "No code diff:" in furu_cli("diff", made.a.furu_hash, made.b.furu_hash, "--code").stdout


@pytest.fixture
def git_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved = {level: pygit2.settings.search_path[level] for level in levels}
    for level in levels:
        pygit2.settings.search_path[level] = str(home)
    project = Path.cwd()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.name", "T")
    git("config", "user.email", "t@example.com")
    (project / "train.py").write_text("lr = 1\n")
    git("add", "-A")
    git("commit", "-q", "-m", "first")
    clear_capture_cache()
    yield project
    clear_capture_cache()
    for level, value in saved.items():
        pygit2.settings.search_path[level] = value


def test_diff_code_shows_the_change_between_snapshots(furu_cli, git_project):
    first = PrepareData(name="c1")
    first.load_or_create()
    (git_project / "train.py").write_text("lr = 2\n")
    clear_capture_cache()
    second = PrepareData(name="c2")
    second.load_or_create()
    result = furu_cli.json("diff", first.furu_hash, second.furu_hash, "--code")
    assert result["code_note"] is None
    patch = result["code_patch"]
    assert "diff --git a/train.py b/train.py" in patch
    assert "-lr = 1\n+lr = 2\n" in patch
    assert "+lr = 2" in furu_cli("diff", first.furu_hash, second.furu_hash, "--code").stdout


def test_explain_cached(furu_cli, made):
    result = furu_cli.json("explain", "examples:Train")
    assert result["cached"] is True and result["status"] == "success"
    assert result["summary"] == f"Cached: examples.Train {made.train.furu_hash[:8]} is in {made.train.furu_dir}; load_or_create() will load it."
    assert furu_cli.json("explain", made.train.furu_hash[:8])["cached"] is True  # a reference works too


def test_explain_never_created_names_the_differing_fields(furu_cli, made):
    wanted = Train(lr=3e-4, note="x")
    result = furu_cli.json("explain", "examples:Train", "lr=3e-4", "note=x")
    assert (result["cached"], result["status"], result["hash"]) == (False, "missing", wanted.furu_hash)
    assert result["summary"] == (
        f"Will compute examples.Train {wanted.furu_hash[:8]}: never created. Nearest existing artifact "
        f"{made.train.furu_hash[:8]}: lr changed 0.001 -> 0.0003."
    )
    nearest = result["nearest"][0]
    assert nearest["record"]["hash"] == made.train.furu_hash
    assert nearest["changes"] == [
        {"path": "lr", "kind": "changed", "a": 0.001, "b": 0.0003, "affects_hash": True},
        {"path": "note", "kind": "changed", "a": "", "b": "x", "affects_hash": False},
    ]
    assert nearest["version_change"] is None and nearest["schema_changes"] == []
    out = furu_cli("explain", "examples:Train", "lr=3e-4").stdout
    assert "will recompute because lr changed 0.001 -> 0.0003" in out


def test_explain_own_directory_failed_or_invalidated(furu_cli, made):
    failed = furu_cli.json("explain", "examples:Flaky")
    assert failed["status"] == "failed"
    assert failed["summary"] == (
        f"Will recompute examples.Flaky {made.failed.furu_hash[:8]}: its last attempt failed "
        "(ValueError: flaky failure on purpose)."
    )
    furu_cli("invalidate", made.a.furu_hash)
    invalidated = furu_cli.json("explain", "examples:PrepareData", "name=a")
    assert invalidated["summary"].endswith("it was invalidated (furu invalidate).")
    none_yet = furu_cli.json("explain", "cli.cli_examples:Big")
    assert none_yet["summary"].endswith("never created, and no artifact of cli.cli_examples.Big exists yet.")


def test_explain_reports_version_and_schema_changes(furu_cli, made):
    current = Versioned(x=1)
    current.load_or_create()
    old_dir = current.furu_dir.with_name("0" * 32)
    current.furu_dir.rename(old_dir)

    def make_old(doc: dict) -> None:
        doc["version"] = "1"
        doc["hash"] = "0" * 32
        doc["config"]["y"] = 5

    edit_json(old_dir / ".furu" / "metadata.json", make_old)
    result = furu_cli.json("explain", "cli.cli_examples:Versioned", "x=1")
    assert result["cached"] is False
    nearest = result["nearest"][0]
    assert nearest["record"]["hash"] == "0" * 32
    assert nearest["version_change"] == ["1", "2"]
    assert nearest["schema_changes"] == ["field y removed from the class since"]
    assert result["summary"].endswith(
        "Nearest existing artifact 00000000: class version changed '1' -> '2'; field y removed from the class since."
    )
