"""materialize_snapshot / has_snapshot: destinations, missing snapshots, sharing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from furu.errors import FuruGitError
from furu.provenance import capture_git_provenance, has_snapshot, materialize_snapshot

from .gitrepo import Repo, init_repo, listing, user_state, visible_files

MISSING = "0123456789abcdef0123456789abcdef01234567"


def worktrees(repo: Repo) -> list[str]:
    out = repo.git("worktree", "list", "--porcelain")
    return [
        line.removeprefix("worktree ") for line in out.splitlines() if line.startswith("worktree ")
    ]


def snapshot(repo: Repo, readme: str) -> str:
    repo.write("README.md", readme)
    prov = capture_git_provenance(repo.path)
    assert prov.snapshot_id is not None
    return prov.snapshot_id


def test_materialize_leaves_the_user_state_alone(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    repo.write("src/util.py", "X = 'staged'\n")
    repo.git("add", "src/util.py")
    before = user_state(repo)
    materialize_snapshot(sid, tmp_path / "tt", repo_path=repo.path)
    assert user_state(repo) == before


def test_existing_non_empty_destination_is_refused(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    dest = tmp_path / "busy"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me\n")
    with pytest.raises(FuruGitError, match="force=True") as info:
        materialize_snapshot(sid, dest, repo_path=repo.path)
    assert str(dest) in str(info.value)
    assert (dest / "mine.txt").read_text() == "keep me\n"
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(FuruGitError, match="not empty"):
        materialize_snapshot(sid, a_file, repo_path=repo.path)


def test_empty_existing_directory_is_used(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    (tmp_path / "empty").mkdir()
    dest = materialize_snapshot(sid, tmp_path / "empty", repo_path=repo.path)
    assert (dest / "README.md").read_text() == "v1\n"


def test_force_replaces_an_existing_worktree(repo: Repo, tmp_path: Path) -> None:
    first = snapshot(repo, "v1\n")
    second = snapshot(repo, "v2\n")
    dest = tmp_path / "tt"
    materialize_snapshot(first, dest, repo_path=repo.path)
    (dest / "scratch.txt").write_text("edits in the old worktree\n")
    materialize_snapshot(second, dest, repo_path=repo.path, force=True)
    assert (dest / "README.md").read_text() == "v2\n"
    assert not (dest / "scratch.txt").exists()
    assert worktrees(repo) == [str(repo.path), str(dest)]
    assert "prunable" not in repo.git("worktree", "list", "--porcelain")


def test_force_replaces_a_plain_directory_and_prunes_stale_registrations(
    repo: Repo, tmp_path: Path
) -> None:
    sid = snapshot(repo, "v1\n")
    dest = tmp_path / "tt"
    materialize_snapshot(sid, dest, repo_path=repo.path)
    shutil.rmtree(dest)  # a user deleted the worktree by hand
    dest.mkdir()
    (dest / "junk.txt").write_text("junk\n")
    materialize_snapshot(sid, dest, repo_path=repo.path, force=True)
    assert listing(dest)["README.md"] == ("file", b"v1\n", False)
    assert "junk.txt" not in listing(dest)
    assert worktrees(repo) == [str(repo.path), str(dest)]


def test_stale_registration_of_a_missing_destination_is_overridden(
    repo: Repo, tmp_path: Path
) -> None:
    sid = snapshot(repo, "v1\n")
    dest = tmp_path / "tt"
    materialize_snapshot(sid, dest, repo_path=repo.path)
    shutil.rmtree(dest)
    materialize_snapshot(sid, dest, repo_path=repo.path)  # no force needed: nothing is there
    assert (dest / "README.md").read_text() == "v1\n"


@pytest.mark.parametrize("where", ["root", "parent", "git_dir"])
def test_force_never_deletes_the_repository(repo: Repo, tmp_path: Path, where: str) -> None:
    sid = snapshot(repo, "v1\n")
    dest = {"root": repo.path, "parent": tmp_path, "git_dir": repo.path / ".git/refs"}[where]
    with pytest.raises(FuruGitError, match="Refusing to replace"):
        materialize_snapshot(sid, dest, repo_path=repo.path, force=True)
    assert (repo.path / "src/model.py").exists()
    assert repo.head()


def test_missing_snapshot_explains_how_to_fetch(repo: Repo, tmp_path: Path) -> None:
    assert has_snapshot(MISSING, repo_path=repo.path) is False
    with pytest.raises(FuruGitError) as info:
        materialize_snapshot(MISSING, tmp_path / "tt", repo_path=repo.path)
    message = str(info.value)
    assert MISSING in message
    assert "git fetch origin 'refs/furu/*:refs/furu/*'" in message
    assert "bundle" in message
    assert not (tmp_path / "tt").exists()


def test_blob_id_is_not_a_snapshot(repo: Repo) -> None:
    blob = repo.git("rev-parse", "HEAD:README.md").strip()
    assert has_snapshot(blob, repo_path=repo.path) is False


def test_malformed_snapshot_id(repo: Repo, tmp_path: Path) -> None:
    with pytest.raises(FuruGitError, match="not a snapshot id"):
        has_snapshot("HEAD", repo_path=repo.path)
    with pytest.raises(FuruGitError, match="not a snapshot id"):
        materialize_snapshot("--help", tmp_path / "x", repo_path=repo.path)


def test_repo_path_outside_git(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(FuruGitError, match="not inside a git repository"):
        has_snapshot(MISSING, repo_path=tmp_path / "plain")


def test_snapshot_without_ref_is_still_found_and_ref_restored(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    repo.git("update-ref", "-d", f"refs/furu/snapshots/{sid}")
    assert has_snapshot(sid, repo_path=repo.path) is True
    materialize_snapshot(sid, tmp_path / "tt", repo_path=repo.path)
    assert repo.git("rev-parse", f"refs/furu/snapshots/{sid}").strip() == sid


def test_share_snapshots_through_a_remote(repo: Repo, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    Repo(tmp_path).git("init", "-q", "--bare", str(remote))
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    repo.write("src/model.py", "def f():\n    return 'shared'\n")
    repo.write("untracked.txt", "u\n")
    expected = visible_files(repo)
    sid = capture_git_provenance(repo.path).snapshot_id or ""
    repo.git("push", "-q", "origin", "refs/furu/*")
    clone = Repo(tmp_path / "clone")
    Repo(tmp_path).git("clone", "-q", "--no-local", str(remote), str(clone.path))
    assert has_snapshot(sid, repo_path=clone.path) is False
    clone.git("fetch", "-q", "origin", "refs/furu/*:refs/furu/*")
    assert has_snapshot(sid, repo_path=clone.path) is True
    dest = materialize_snapshot(sid, tmp_path / "tt", repo_path=clone.path)
    assert listing(dest) == expected


def test_repo_path_may_be_a_subdirectory(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    dest = materialize_snapshot(sid, tmp_path / "rel", repo_path=repo.path / "src")
    assert dest == tmp_path / "rel"
    assert has_snapshot(sid, repo_path=repo.path / "src") is True


def test_materialize_in_repo_without_commits(tmp_path: Path) -> None:
    fresh = init_repo(tmp_path / "fresh")
    fresh.write("only.txt", "o\n")
    sid = capture_git_provenance(fresh.path).snapshot_id or ""
    dest = materialize_snapshot(sid, tmp_path / "tt", repo_path=fresh.path)
    assert listing(dest) == {"only.txt": ("file", b"o\n", False)}
    assert fresh.git("status", "--porcelain") == "?? only.txt\n"


def test_force_never_replaces_a_worktree_with_a_branch(repo: Repo, tmp_path: Path) -> None:
    sid = snapshot(repo, "v1\n")
    feature = tmp_path / "feature"
    repo.git("worktree", "add", "-q", "-b", "feature", str(feature))
    (feature / "wip.txt").write_text("work in progress\n")
    with pytest.raises(FuruGitError, match="refs/heads/feature checked out"):
        materialize_snapshot(sid, feature, repo_path=repo.path, force=True)
    assert (feature / "wip.txt").read_text() == "work in progress\n"


def test_force_from_a_linked_worktree_protects_the_main_checkout(
    repo: Repo, tmp_path: Path
) -> None:
    sid = snapshot(repo, "v1\n")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", "--detach", str(linked))
    with pytest.raises(FuruGitError, match="Refusing to replace"):
        materialize_snapshot(sid, repo.path, repo_path=linked, force=True)
    assert (repo.path / "src/model.py").exists()
