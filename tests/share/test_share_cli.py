"""``furu export`` and ``furu import`` through the real typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from furu.cli import app

from .conftest import Shared, tree


def test_export_then_import_on_the_command_line(
    shared: Shared, project_b: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    h = shared.hashes
    bundle = tmp_path / "out" / "model.furu.tar"
    monkeypatch.chdir(shared.repo)
    exported = runner.invoke(app, ["export", h["Model"][:8], "-o", str(bundle)])
    assert exported.exit_code == 0, exported.output
    lines = exported.output.splitlines()
    assert lines[0].startswith(f"Wrote {bundle} (")
    assert lines[1].startswith(f"  sharepipe.Corpus {h['Corpus'][:8]}  7 files, ") and lines[1].endswith("(dependency)")
    assert lines[3].startswith(f"  sharepipe.Model {h['Model'][:8]}  7 files, ")
    assert lines[4] == "    unpickles code on load: model.pkl (pickle)"
    assert lines[5] == "  code: 1 snapshot commit as a git bundle"

    monkeypatch.chdir(project_b)
    before = tree(project_b)
    dry = runner.invoke(app, ["import", str(bundle), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "(dry run: nothing written)" in dry.output
    assert f"  would import  sharepipe.Model {h['Model'][:8]}\n" in dry.output
    assert "  3 would import, 0 would replace, 0 would skip, 0 would refuse\n" in dry.output
    assert "  code: would fetch 1 snapshot\n" in dry.output
    assert tree(project_b) == before

    imported = runner.invoke(app, ["import", str(bundle)])
    assert imported.exit_code == 0, imported.output
    assert f"  imported      sharepipe.Corpus {h['Corpus'][:8]}\n" in imported.output
    assert "    unpickles code on load: model.pkl (pickle) (load it only if you trust the sender)\n" in imported.output
    assert "  3 imported, 0 replaced, 0 skipped, 0 refused\n" in imported.output
    assert (
        "  code: 1 snapshot fetched into refs/furu/snapshots/, 0 already there; `furu timetravel <hash>` works\n"
        in imported.output
    )

    again = runner.invoke(app, ["import", str(bundle), "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert [(e["fqn"], e["action"]) for e in report["experiments"]] == [
        ("sharepipe.Corpus", "skipped"),
        ("sharepipe.Features", "skipped"),
        ("sharepipe.Model", "skipped"),
    ]
    assert report["code"]["already_present"] == [shared.snapshot]

    shown = runner.invoke(app, ["show", h["Model"][:8], "--json"])
    assert shown.exit_code == 0, shown.output
    origin = json.loads(shown.output)["metadata"]["imported_from"]
    assert (origin["bundle"], origin["exported_by_user"]) == ("model.furu.tar", report["exported_by"].split("@")[0])

    travelled = runner.invoke(app, ["timetravel", h["Model"][:8], "--path", str(tmp_path / "back"), "--json"])
    assert travelled.exit_code == 0, travelled.output
    assert json.loads(travelled.output)["snapshot_id"] == shared.snapshot


def test_export_json_and_options(shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(shared.repo)
    result = CliRunner().invoke(
        app,
        ["export", shared.hashes["Features"], "-o", str(tmp_path / "f.tar"), "--no-deps", "--code", "none", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [(e["fqn"], e["requested"], e["files"]) for e in report["experiments"]] == [("sharepipe.Features", True, 8)]
    assert (report["code"], report["snapshot_ids"], report["warnings"]) == ("none", [], [])


def test_a_refused_bundle_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"junk" * 300)
    result = CliRunner().invoke(app, ["import", str(junk)])
    assert result.exit_code == 1
    assert result.output.startswith("error: Refused bundle junk.tar: it is not a tar file")
    assert result.output.rstrip().endswith("Nothing was written.")


def test_exporting_an_unknown_ref_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "abcdef12", "-o", str(tmp_path / "x.tar")])
    assert result.exit_code == 1
    assert result.output.startswith("error: No artifact hash starts with 'abcdef12'")
    assert not (tmp_path / "x.tar").exists()
