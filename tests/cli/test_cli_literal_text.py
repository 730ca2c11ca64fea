"""Text a user or the disk controls prints as written: names, config values, errors, paths.

furu's human output goes through rich, which reads ``[bold]``, ``[/]`` and
``:smile:`` in what it prints. A name, a config value, an exception message or a
project directory holding them must neither crash a command with rich's
``MarkupError`` nor restyle or swallow part of itself. The project here lives in a
directory whose name is markup, so every path furu prints is hostile too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitenv import init_project_repo
from throwaway import STEPS, artifact_dir, furu, furu_json, make_project, python

HOSTILE = "[/]x [bold]y[/bold] [red]z :smile:"
"""A closing tag with nothing to close (MarkupError), markup that would vanish, an unclosed style, an emoji code."""

HOSTILE_DIR = "[red]lab :smile:"

HOSTILE_STEPS = STEPS + f'''

class Hostile(furu.Furu[str]):
    def _create(self) -> str:
        raise ValueError({HOSTILE!r})

    def _load(self) -> str:
        return ""
'''


def printed(result: subprocess.CompletedProcess[str]) -> str:
    """The command's stdout, after checking that nothing went wrong on the way there."""
    assert "Traceback" not in result.stderr and "MarkupError" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / HOSTILE_DIR, HOSTILE_STEPS)


def test_names_config_values_and_errors_print_literally(lab: Path) -> None:
    run = printed(furu(lab, "run", "lab.steps:Data", f"name={HOSTILE}"))
    assert f"name={HOSTILE}" in run
    assert repr(HOSTILE) in run  # the result column: repr of the returned str
    failed = python(lab, "from lab.steps import Hostile\ntry:\n    Hostile().load_or_create()\nexcept ValueError:\n    pass")
    assert failed.returncode == 0, failed.stderr
    hashes = {record["fqn"]: record["hash"] for record in furu_json(lab, "ls")}
    data, hostile = hashes["lab.steps.Data"], hashes["lab.steps.Hostile"]

    named = printed(furu(lab, "name", data[:8], HOSTILE))
    assert f"lab.steps.Data {data[:8]}  success  name: {HOSTILE}  tags: none" in named.splitlines()

    listing = printed(furu(lab, "ls", "-c", "name", "--path")).splitlines()
    row = next(line for line in listing if data[:8] in line)
    assert row.count(HOSTILE) == 2, row  # the name/tags column and the config column

    show = printed(furu(lab, "show", data[:8]))
    for line in (
        f"  name               {HOSTILE}",
        f"└── name = {HOSTILE}",
        str(artifact_dir(lab / "furu-data", "Data", data)),  # the path, its "[red]lab :smile:" included
        f"Data(name={HOSTILE!r})",
    ):
        assert line in show.splitlines(), (line, show)

    error = f"ValueError: {HOSTILE}"
    assert error in printed(furu(lab, "show", hostile[:8]))  # the attempts table, the traceback, the log
    assert f"  failed     lab.steps.Hostile {hostile[:8]}  {error}" in printed(furu(lab, "gc")).splitlines()

    other = f"{HOSTILE} [bold]"
    explain = printed(furu(lab, "explain", "lab.steps:Data", f"name={other}"))
    assert f"will recompute because name changed {HOSTILE!r} -> {other!r}" in explain
    [made] = furu_json(lab, "run", "lab.steps:Data", f"name={other}")
    diff = printed(furu(lab, "diff", data[:8], made["hash"][:8])).splitlines()
    assert any(line.split() == ["name", *HOSTILE.split(), *other.split()] for line in diff), diff


def test_a_problem_text_holding_markup_prints_literally(lab: Path) -> None:
    printed(furu(lab, "run", "lab.steps:Data", f"name={HOSTILE}"))
    data = furu_json(lab, "ls")[0]["hash"]
    state = artifact_dir(lab / "furu-data", "Data", data) / ".furu" / "state.json"
    state.write_text('{"trunc')  # the problem text names the path, whose directory is "[red]lab :smile:"
    problem = furu_json(lab, "ls")[0]["problem"]
    assert str(state) in problem

    listing = printed(furu(lab, "ls"))
    assert f"damaged {state.parent.parent}: {problem} (the result still loads" in listing
    assert f"  problem            {problem}" in printed(furu(lab, "show", data[:8])).splitlines()


def test_git_provenance_timetravel_and_bundles_print_paths_literally(
    lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # the subprocesses' git sees no global config
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    init_project_repo(lab)
    subprocess.run(["git", "add", "."], cwd=lab, check=True)
    subprocess.run(["git", "commit", "-q", "-m", HOSTILE], cwd=lab, check=True)
    printed(furu(lab, "run", "lab.steps:Data", f"name={HOSTILE}"))
    data = furu_json(lab, "ls")[0]["hash"]

    back = tmp_path / f"{HOSTILE_DIR} back"
    travel = printed(furu(lab, "timetravel", data[:8], "--path", str(back))).splitlines()
    assert f"lab.steps.Data {data[:8]}: code restored to {back}" in travel
    assert any(line.startswith(f"  cwd        {lab}") for line in travel), travel

    bundle = tmp_path / f"{HOSTILE} bundle.furu"
    exported = printed(furu(lab, "export", data[:8], "-o", str(bundle))).splitlines()
    assert exported[0].startswith(f"Wrote {bundle} (")
    imported = printed(furu(lab, "import", str(bundle), "--dry-run")).splitlines()
    assert imported[0].startswith(f"Bundle {bundle.name}: exported by ")
