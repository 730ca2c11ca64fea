"""What capture records, and what it must leave alone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygit2
import pytest

from furu.errors import FuruConfigError, FuruGitError
from furu.provenance import (
    GitProvenance,
    SkippedFile,
    capture_git_provenance,
    clear_capture_cache,
    materialize_snapshot,
)

from .gitrepo import Repo, init_repo, listing, user_state


def test_records_head_branch_remote_and_snapshot(repo: Repo) -> None:
    repo.git("remote", "add", "origin", "https://github.com/acme/project.git")
    repo.write("src/model.py", "def f():\n    return 3\n")
    prov = capture_git_provenance(repo.path / "src")  # any directory inside the project
    assert prov.in_repository is True
    assert prov.repo_root == str(repo.path)
    assert prov.head_commit == repo.head()
    assert prov.branch == "main"
    assert prov.detached is False
    assert prov.remote_url == "https://github.com/acme/project.git"
    assert prov.dirty is True
    assert prov.snapshot_ref == f"refs/furu/snapshots/{prov.snapshot_id}"
    assert repo.git("rev-parse", prov.snapshot_ref).strip() == prov.snapshot_id
    assert repo.git("show", f"{prov.snapshot_id}:src/model.py") == "def f():\n    return 3\n"
    assert repo.git("rev-parse", f"{prov.snapshot_id}^{{tree}}").strip() == prov.snapshot_tree
    assert prov.note is None
    assert prov.skipped_untracked == [] and prov.submodules == []


def test_round_trips_through_json(repo: Repo) -> None:
    prov = capture_git_provenance(repo.path)
    assert GitProvenance.model_validate_json(prov.model_dump_json()) == prov
    assert prov.model_dump()["schema_version"] == 1


def test_remote_credentials_are_not_recorded(repo: Repo) -> None:
    repo.git("remote", "add", "upstream", "https://user:s3cret@example.com/x/y.git")
    assert capture_git_provenance(repo.path).remote_url == "https://example.com/x/y.git"


def test_origin_is_preferred_over_other_remotes(repo: Repo) -> None:
    repo.git("remote", "add", "aaa", "git@example.com:first.git")
    repo.git("remote", "add", "origin", "git@example.com:origin.git")
    assert capture_git_provenance(repo.path).remote_url == "git@example.com:origin.git"


def test_no_remote_gives_none(repo: Repo) -> None:
    assert capture_git_provenance(repo.path).remote_url is None


def test_outside_git_returns_a_note(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    prov = capture_git_provenance(plain)
    assert prov.in_repository is False
    assert prov.note == f"not inside a git repository ({plain}); no code snapshot was taken"
    assert prov.snapshot_id is None and prov.head_commit is None and prov.repo_root is None


def test_outside_git_with_require_git_raises(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(FuruGitError) as info:
        capture_git_provenance(plain, require_git=True)
    message = str(info.value)
    assert str(plain) in message
    assert "FURU_REQUIRE_GIT" in message
    assert "git init" in message


def test_bad_size_limit_names_the_env_variable(repo: Repo) -> None:
    with pytest.raises(FuruConfigError, match="FURU_SNAPSHOT_MAX_FILE_BYTES"):
        capture_git_provenance(repo.path, max_file_bytes=-1)


def test_capture_leaves_index_head_stash_and_files_alone(repo: Repo) -> None:
    repo.write("src/model.py", "def f():\n    return 'stashed'\n")
    repo.git("stash", "-q")
    repo.write("src/util.py", "X = 'staged'\n")
    repo.git("add", "src/util.py")
    repo.write("src/util.py", "X = 'staged then edited'\n")
    (repo.path / "README.md").unlink()
    repo.write("untracked.txt", "u\n")
    repo.write("debug.log", "ignored\n")
    (repo.path / "run.sh").chmod(0o644)
    before = user_state(repo)
    index_stat = os.stat(repo.path / ".git/index")
    for _ in range(2):
        clear_capture_cache()
        capture_git_provenance(repo.path)
    assert user_state(repo) == before
    after_stat = os.stat(repo.path / ".git/index")
    assert (after_stat.st_ino, after_stat.st_mtime_ns) == (
        index_stat.st_ino,
        index_stat.st_mtime_ns,
    )
    assert repo.git("stash", "list").count("\n") == 1


def test_large_untracked_file_is_skipped_and_listed(repo: Repo, tmp_path: Path) -> None:
    repo.write("big.npy", b"\x01" * 2049)
    repo.write("small.txt", b"\x02" * 2048)
    repo.write("data/blob.bin", b"\x03" * 5000)  # tracked files are never skipped
    prov = capture_git_provenance(repo.path, max_file_bytes=2048)
    assert prov.skipped_untracked == [
        SkippedFile(path="big.npy", size_bytes=2049, reason="too_large")
    ]
    assert "FURU_SNAPSHOT_MAX_FILE_BYTES=2048" in (prov.note or "")
    assert prov.dirty is True
    names = repo.git("ls-tree", "-r", "--name-only", prov.snapshot_id or "").split()
    assert "big.npy" not in names
    assert "small.txt" in names
    assert repo.git("cat-file", "-s", f"{prov.snapshot_id}:data/blob.bin").strip() == "5000"


def test_skipped_file_alone_makes_tree_dirty(repo: Repo) -> None:
    repo.write("big.bin", b"x" * 100)
    prov = capture_git_provenance(repo.path, max_file_bytes=10)
    assert prov.snapshot_tree == repo.git("rev-parse", "HEAD^{tree}").strip()
    assert prov.dirty is True


def test_untracked_nested_repository_is_listed_not_copied(repo: Repo) -> None:
    nested = init_repo(repo.path / "third_party/other")
    nested.write("x.py", "X\n")
    nested.commit_all()
    prov = capture_git_provenance(repo.path)
    assert prov.skipped_untracked == [
        SkippedFile(path="third_party/other", size_bytes=0, reason="nested_repository")
    ]
    assert "third_party" not in repo.git("ls-tree", "--name-only", prov.snapshot_id or "")


def test_same_tree_gives_same_snapshot_id(repo: Repo, tmp_path: Path) -> None:
    repo.write("src/model.py", "def f():\n    return 'same'\n")
    repo.write("new.txt", "n\n")
    first = capture_git_provenance(repo.path)
    clear_capture_cache()
    second = capture_git_provenance(repo.path)
    assert second.snapshot_id == first.snapshot_id
    # A clone at the same commit with the same edits yields the very same id.
    clone = Repo(tmp_path / "clone")
    repo.git("clone", "-q", str(repo.path), str(clone.path))
    clone.write("src/model.py", "def f():\n    return 'same'\n")
    clone.write("new.txt", "n\n")
    assert capture_git_provenance(clone.path).snapshot_id == first.snapshot_id
    # Staging an edit instead of leaving it unstaged does not change the tree.
    repo.git("add", "new.txt")
    assert capture_git_provenance(repo.path).snapshot_id == first.snapshot_id


def test_snapshot_commit_is_deterministic(repo: Repo) -> None:
    repo.write("x.txt", "x\n")
    prov = capture_git_provenance(repo.path)
    raw = repo.git("cat-file", "commit", prov.snapshot_id or "")
    assert raw == (
        f"tree {prov.snapshot_tree}\n"
        f"parent {prov.head_commit}\n"
        "author furu <furu@snapshot.invalid> 0 +0000\n"
        "committer furu <furu@snapshot.invalid> 0 +0000\n"
        "\n"
        "furu snapshot of the working tree\n\n"
        "Created by furu to record an artifact's code.\n"
    )


def test_gc_keeps_snapshots(repo: Repo, tmp_path: Path) -> None:
    repo.write("x.txt", "kept\n")
    prov = capture_git_provenance(repo.path)
    repo.git("-c", "gc.reflogExpire=now", "gc", "-q", "--prune=now")
    assert repo.git("cat-file", "-p", f"{prov.snapshot_id}:x.txt") == "kept\n"


def test_start_inside_ignored_directory(repo: Repo) -> None:
    (repo.path / "outputs/run1").mkdir(parents=True)
    prov = capture_git_provenance(repo.path / "outputs/run1")
    assert prov.repo_root == str(repo.path)
    assert prov.dirty is False


def test_missing_start_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(FuruGitError, match="does not exist"):
        capture_git_provenance(tmp_path / "nope")


def test_bare_repository_has_no_snapshot(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    pygit2.init_repository(str(bare), bare=True)
    prov = capture_git_provenance(bare)
    assert prov.in_repository is True
    assert prov.snapshot_id is None
    assert prov.note == "bare repository: there is no working tree to snapshot"
    with pytest.raises(FuruGitError, match="FURU_REQUIRE_GIT"):
        capture_git_provenance(bare, require_git=True)


def test_unreadable_untracked_file_is_listed(repo: Repo, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    secret = repo.write("secret.txt", "s\n")
    secret.chmod(0)
    prov = capture_git_provenance(repo.path)
    assert prov.skipped_untracked == [
        SkippedFile(path="secret.txt", size_bytes=2, reason="unreadable")
    ]


def test_snapshot_of_snapshot_worktree_is_itself(repo: Repo, tmp_path: Path) -> None:
    repo.write("x.txt", "x\n")
    prov = capture_git_provenance(repo.path)
    dest = materialize_snapshot(prov.snapshot_id or "", tmp_path / "tt", repo_path=repo.path)
    inner = capture_git_provenance(dest)
    assert inner.head_commit == prov.snapshot_id
    assert inner.detached is True
    assert inner.dirty is False
    assert inner.snapshot_tree == prov.snapshot_tree
    assert listing(dest)["x.txt"] == ("file", b"x\n", False)


def test_excluded_directories_keep_their_committed_state(repo: Repo) -> None:
    repo.write("furu-data/artifacts/committed/metadata.json", "{}\n")
    repo.commit_all("a committed artifact")
    clean = capture_git_provenance(repo.path)
    artifacts = repo.path / "furu-data/artifacts"
    repo.write("furu-data/artifacts/new/metadata.json", '{"new": true}\n')
    repo.write("furu-data/artifacts/committed/metadata.json", '{"edited": true}\n')
    prov = capture_git_provenance(repo.path, exclude=[artifacts])
    assert prov.snapshot_id == clean.snapshot_id
    assert prov.dirty is False
    assert prov.excluded_paths == ["furu-data/artifacts"]
    assert (
        repo.git("show", f"{prov.snapshot_id}:furu-data/artifacts/committed/metadata.json")
        == "{}\n"
    )
    repo.write("src/model.py", "code change\n")
    changed = capture_git_provenance(repo.path, exclude=[str(artifacts)])
    assert changed.snapshot_id != clean.snapshot_id
    assert repo.git("show", f"{changed.snapshot_id}:src/model.py") == "code change\n"


def test_exclude_outside_the_work_tree_has_no_effect(repo: Repo, tmp_path: Path) -> None:
    prov = capture_git_provenance(repo.path, exclude=[tmp_path / "elsewhere", repo.path])
    assert prov.excluded_paths == []


def test_concurrent_processes_write_the_same_snapshot(repo: Repo) -> None:
    repo.write("src/model.py", "processes\n")
    code = (
        "import sys; from furu.provenance import capture_git_provenance as c; "
        "print(c(sys.argv[1]).snapshot_id)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(repo.path)], stdout=subprocess.PIPE)
        for _ in range(6)
    ]
    ids = {p.communicate()[0].decode().strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert ids == {capture_git_provenance(repo.path).snapshot_id}
