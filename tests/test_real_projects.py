"""Real git projects, real processes: what `git status` shows after a run, and a run in a linked worktree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from throwaway import env, furu, make_project, python

STEPS = '''
import furu


class Report(furu.Furu[str], version_controlled=True):
    def _create(self) -> str:
        (self.furu_dir / "report.md").write_text("# results")
        return "# results"

    def _load(self) -> str:
        return (self.furu_dir / "report.md").read_text()
'''


def git(cwd: Path, *args: str) -> str:
    isolated = env(GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd.parent), GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b",
                   GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b")
    return subprocess.run(["git", *args], cwd=cwd, env=isolated, check=True, capture_output=True, text=True).stdout


def committed_project(root: Path) -> Path:
    project = make_project(root, STEPS)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start")
    return project


def test_git_status_after_the_first_run_is_what_the_readme_says(tmp_path: Path) -> None:
    project = committed_project(tmp_path / "lab")
    furu(project, "run", "lab.steps:Report")
    status = sorted(line[3:] for line in git(project, "status", "--porcelain", "--untracked-files=all").splitlines())
    [artifact] = (project / "furu-data" / "artifacts" / "lab" / "steps" / "Report").iterdir()
    base = f"furu-data/artifacts/lab/steps/Report/{artifact.name}"
    assert status == sorted([
        "furu-data/.gitignore", "furu-data/artifacts/.gitignore",
        f"{base}/.furu/metadata.json", f"{base}/.furu/success.json", f"{base}/report.md",
    ])


def test_a_run_in_a_linked_worktree_records_that_worktree(tmp_path: Path) -> None:
    project = committed_project(tmp_path / "lab")
    worktree = tmp_path / "feature-wt"
    git(project, "worktree", "add", "-q", "-b", "feature", str(worktree))
    steps = worktree / "lab" / "steps.py"
    steps.write_text(steps.read_text() + "\n# tried in the feature worktree\n")
    created = python(worktree, "from lab.steps import Report\nprint(Report().load_or_create())")
    assert created.returncode == 0, created.stderr
    [metadata] = (project / "furu-data").rglob("metadata.json")  # the cache stays the main worktree's
    git_record = json.loads(metadata.read_text())["git"]
    assert git_record["branch"] == "feature"
    assert Path(git_record["repo_root"]).resolve() == worktree.resolve()
    assert git_record["linked_worktree"] is True
    assert Path(git_record["main_worktree"]).resolve() == project.resolve()
    assert git_record["head_commit"] == git(worktree, "rev-parse", "HEAD").strip()
    assert git_record["dirty"] is True
    patch = furu(project, "show", "--patch", Path(metadata).parent.parent.name[:8]).stdout
    assert "+# tried in the feature worktree" in patch


def test_a_clean_snapshot_says_so_and_timetravel_names_the_cli_flag(tmp_path: Path) -> None:
    project = committed_project(tmp_path / "lab")
    (project / ".gitignore").write_text("furu-data/\n")
    git(project, "add", ".gitignore")
    git(project, "commit", "-qm", "ignore the data")
    furu(project, "run", "lab.steps:Report")
    [record] = json.loads(furu(project, "ls", "--json").stdout)
    shown = furu(project, "show", "--patch", record["hash"][:8])
    assert shown.stdout == ""
    assert shown.stderr == f"lab.steps.Report {record['hash'][:8]} was made from a clean working tree: no uncommitted changes.\n"
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    refused = furu(project, "timetravel", record["hash"][:8], "--path", str(busy), code=1)
    assert "add --force" in refused.stderr and "force=True" not in refused.stderr
    assert (busy / "keep.txt").read_text() == "mine"
