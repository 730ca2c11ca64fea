"""Time travel end to end: a real repository, a real artifact, the exact tree brought back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import furu
from furu.cli import app
from gitenv import git, init_project_repo

STEPS = '''
import furu

class Step(furu.Furu[str]):
    x: int = 1

    def _create(self) -> str:
        (self.furu_dir / "out").write_text(VALUE)
        return VALUE

    def _load(self) -> str:
        return (self.furu_dir / "out").read_text()

VALUE = "v1"
'''


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HOME", str(tmp_path))  # no global git config leaks in
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "run.sh").write_text("#!/bin/sh\necho run\n")
    (repo / "run.sh").chmod(0o755)
    init_project_repo(
        repo, {"pyproject.toml": '[project]\nname = "demo"\n', ".gitignore": "__pycache__/\n", "steps.py": STEPS}
    )
    monkeypatch.chdir(repo)
    monkeypatch.syspath_prepend(str(repo))
    sys.modules.pop("steps", None)  # each test imports steps.py from its own repository
    yield repo
    sys.modules.pop("steps", None)


def create_in_subprocess(repo: Path, code: str = "from steps import Step; Step().load_or_create()") -> None:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def tree_of(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every file under root except .git and caches: (kind+mode, content or link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in {".git", "furu-data", "__pycache__"} or "__pycache__" in relative:
            continue
        if path.is_symlink():
            found[relative] = ("link", os.readlink(path).encode())
        elif path.is_file():
            found[relative] = (oct(path.stat().st_mode & 0o777), path.read_bytes())
    return found


def test_timetravel_restores_the_tree_the_artifact_was_made_from(repo: Path) -> None:
    (repo / "steps.py").write_text(STEPS.replace('VALUE = "v1"', 'VALUE = "v2-uncommitted"'))
    (repo / "notes.txt").write_text("untracked notes\n")
    (repo / "link").symlink_to("steps.py")
    git(repo, "rm", "-q", "--cached", "run.sh")
    (repo / "run.sh").unlink()
    before = tree_of(repo)
    head = git(repo, "rev-parse", "HEAD")
    create_in_subprocess(repo)

    from steps import Step  # type: ignore[import-not-found]

    provenance = Step().provenance()
    assert (provenance.head_commit, provenance.branch, provenance.dirty) == (head, "main", True)
    assert git(repo, "rev-parse", f"refs/furu/snapshots/{provenance.snapshot_id}") == provenance.snapshot_id

    # Life goes on: a new commit, more edits.
    (repo / "steps.py").write_text(STEPS.replace('VALUE = "v1"', 'VALUE = "v3"'))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later")

    destination = furu.timetravel(Step())
    assert destination == repo / "furu-data" / "timetravel" / Step().furu_hash
    assert tree_of(destination) == before
    assert git(destination, "rev-parse", "HEAD") == provenance.snapshot_id


def test_cli_timetravel_prints_how_to_rerun(repo: Path, tmp_path: Path) -> None:
    (repo / "uv.lock").write_text("version = 1\n")
    create_in_subprocess(repo)
    from steps import Step  # type: ignore[import-not-found]

    digest = Step().furu_hash
    runner = CliRunner()
    target = tmp_path / "back"
    result = runner.invoke(app, ["timetravel", digest[:10], "--path", str(target)])
    assert result.exit_code == 0, result.output
    assert f"code restored to {target}" in result.output.replace("\n", "")
    assert "command    -c" in result.output
    assert f"cwd        {repo}  -> here: {target}" in result.output
    assert f"cd {target} && uv sync --frozen" in result.output
    assert (target / "steps.py").read_text() == STEPS

    again = runner.invoke(app, ["timetravel", digest, "--path", str(target)])
    assert again.exit_code == 1
    assert "--force" in again.output or "force" in again.output
    forced = runner.invoke(app, ["timetravel", digest, "--path", str(target), "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    assert json.loads(forced.output)["path"] == str(target)


def test_a_snapshot_from_another_clone_says_how_to_fetch_it(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_PATH", str(tmp_path / "shared-cache"))
    create_in_subprocess(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-local", str(repo), str(clone))  # only what a remote would send
    monkeypatch.chdir(clone)
    from steps import Step  # type: ignore[import-not-found]

    with pytest.raises(furu.FuruGitError, match=r"git fetch origin 'refs/furu/\*:refs/furu/\*'"):
        furu.timetravel(Step(), tmp_path / "nowhere")
    git(clone, "fetch", "-q", "origin", "refs/furu/*:refs/furu/*")
    assert (furu.timetravel(Step(), tmp_path / "there") / "steps.py").read_text() == STEPS


def test_an_artifact_made_outside_git_has_nowhere_to_travel(furu_tmp_root: Path) -> None:
    from examples import PrepareData

    PrepareData(name="nogit").load_or_create()
    assert PrepareData(name="nogit").provenance().in_repository is False
    with pytest.raises(furu.FuruGitError, match="has no code snapshot.*FURU_REQUIRE_GIT=1"):
        furu.timetravel(PrepareData(name="nogit"))


def test_require_git_refuses_to_create_outside_a_repository(furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from examples import PrepareData

    monkeypatch.setenv("FURU_REQUIRE_GIT", "1")
    with pytest.raises(furu.FuruGitError, match="FURU_REQUIRE_GIT"):
        PrepareData(name="strict").load_or_create()
    assert PrepareData(name="strict").get_state().attempts[-1].status == "failed"


def test_show_patch_prints_the_uncommitted_changes(repo: Path) -> None:
    (repo / "steps.py").write_text(STEPS.replace('VALUE = "v1"', 'VALUE = "v2"'))
    (repo / "notes.txt").write_text("new idea\n")
    create_in_subprocess(repo)
    from steps import Step  # type: ignore[import-not-found]

    result = CliRunner().invoke(app, ["show", Step().furu_hash[:8], "--patch"])
    assert result.exit_code == 0, result.output
    assert "diff --git a/steps.py b/steps.py" in result.output
    assert '-VALUE = "v1"\n+VALUE = "v2"' in result.output
    assert "diff --git a/notes.txt b/notes.txt" in result.output and "+new idea" in result.output
    # It is a patch git can apply to the commit the artifact was made from.
    git(repo, "stash", "-u")
    applied = subprocess.run(["git", "apply", "-"], cwd=repo, input=result.output, text=True, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert (repo / "steps.py").read_text() == STEPS.replace('VALUE = "v1"', 'VALUE = "v2"')
    shown = CliRunner().invoke(app, ["show", Step().furu_hash[:8]])
    assert f"uncommitted        furu show {Step().furu_hash[:8]} --patch" in shown.output
