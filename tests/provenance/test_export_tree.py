"""Writing a snapshot's files into a plain directory (what cluster jobs import from)."""

from __future__ import annotations

from pathlib import Path

from furu.provenance import capture_git_provenance
from furu.provenance.export_tree import export_snapshot_tree

from .gitrepo import Repo, listing, user_state, visible_files


def test_export_writes_the_snapshot_files_exactly(repo: Repo, tmp_path: Path) -> None:
    repo.write("src/model.py", "def f():\n    return 2\n")  # unstaged edit
    repo.write("notes/idea.txt", "untracked\n")
    repo.write("run.log", "ignored\n")
    expected = visible_files(repo)
    before = user_state(repo)
    snapshot = capture_git_provenance(repo.path).snapshot_id
    assert snapshot is not None
    dest = export_snapshot_tree(snapshot, tmp_path / "code" / snapshot, repo_path=repo.path)
    assert listing(dest) == expected  # bytes, modes, symlink targets; ignored files absent
    assert not (dest / ".git").exists()
    assert user_state(repo) == before
    assert len(repo.git("worktree", "list").splitlines()) == 1  # only the main worktree: none registered
    assert [p.name for p in dest.parent.iterdir()] == [snapshot]  # no temp directory left


def test_an_existing_export_is_kept(repo: Repo, tmp_path: Path) -> None:
    snapshot = capture_git_provenance(repo.path).snapshot_id
    assert snapshot is not None
    dest = export_snapshot_tree(snapshot, tmp_path / snapshot, repo_path=repo.path)
    marker = dest / "README.md"
    stamp = marker.stat().st_mtime_ns
    assert export_snapshot_tree(snapshot, dest, repo_path=repo.path) == dest
    assert marker.stat().st_mtime_ns == stamp
