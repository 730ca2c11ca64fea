"""``furu timetravel`` as a whole process: git does the checkout, and nothing slow is loaded around it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gitenv import git
from test_timetravel import STEPS, create_in_subprocess, repo

__all__ = ["repo"]  # the fixture, used here by name

RUN_CLI = """
import sys
from furu.cli import main
sys.argv = ["furu", "timetravel", *sys.argv[1:]]
try:
    main()
finally:
    print("pygit2 loaded" if "pygit2" in sys.modules else "pygit2 not loaded", file=sys.stderr)
"""


def _timetravel(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(repo)}
    return subprocess.run([sys.executable, "-c", RUN_CLI, *args], cwd=repo, env=env, capture_output=True, text=True)


def _made(repo: Path) -> tuple[str, str]:
    create_in_subprocess(repo, "from steps import Step; s = Step(); s.load_or_create(); print(s.furu_hash)")
    from steps import Step  # type: ignore[import-not-found]

    return Step().furu_hash, Step().provenance().snapshot_id or ""


def test_a_referenced_snapshot_is_checked_out_by_git_alone(repo: Path, tmp_path: Path) -> None:
    digest, snapshot = _made(repo)
    target = tmp_path / "back"
    result = _timetravel(repo, digest[:12], "--path", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().endswith("pygit2 not loaded")
    assert (target / "steps.py").read_text() == STEPS
    assert git(target, "rev-parse", "HEAD") == snapshot


def test_a_snapshot_whose_ref_is_packed_or_gone_is_still_found_and_its_ref_restored(
    repo: Path, tmp_path: Path
) -> None:
    digest, snapshot = _made(repo)
    git(repo, "pack-refs", "--all")  # no loose ref file any more: libgit2 finds the snapshot
    packed = _timetravel(repo, digest, "--path", str(tmp_path / "packed"))
    assert packed.returncode == 0, packed.stderr
    assert git(tmp_path / "packed", "rev-parse", "HEAD") == snapshot

    git(repo, "update-ref", "-d", f"refs/furu/snapshots/{snapshot}")
    gone = _timetravel(repo, digest, "--path", str(tmp_path / "gone"))
    assert gone.returncode == 0, gone.stderr
    assert gone.stderr.strip().endswith("pygit2 loaded")
    assert git(repo, "rev-parse", f"refs/furu/snapshots/{snapshot}") == snapshot  # restored
    assert (tmp_path / "gone" / "steps.py").read_text() == STEPS
