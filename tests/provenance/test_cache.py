"""The in-process capture cache: fast when nothing changed, never stale when something did."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from furu.provenance import (
    GitProvenance,
    SkippedFile,
    capture_cache_stats,
    capture_git_provenance,
    clear_capture_cache,
)
from furu.provenance.capture import MAX_REMEMBERED_REPOSITORIES
from furu.provenance.watch import filesystem_type

from .gitrepo import Repo, init_repo

pytestmark = pytest.mark.skipif(
    filesystem_type(Path("/tmp")) not in {"ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs"},
    reason="the watch-backed cache is only used on local Linux file systems",
)


def capture(repo: Repo, **kwargs: object) -> tuple[GitProvenance, bool]:
    """Capture and report whether it was served from the cache."""
    hits = capture_cache_stats()["hits"]
    prov = capture_git_provenance(repo.path, **kwargs)  # type: ignore[arg-type]
    return prov, capture_cache_stats()["hits"] == hits + 1


def content(repo: Repo, prov: GitProvenance, path: str) -> str:
    return repo.git("show", f"{prov.snapshot_id}:{path}")


def test_second_capture_is_served_from_cache_quickly(repo: Repo) -> None:
    repo.write("src/model.py", "dirty\n")
    first, first_hit = capture(repo)
    second, second_hit = capture(repo)
    assert (first_hit, second_hit) == (False, True)
    assert second == first
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        capture_git_provenance(repo.path)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.010


def test_cached_result_is_a_copy(repo: Repo) -> None:
    first, _ = capture(repo)
    first.skipped_untracked.append(SkippedFile(path="mutated.bin", size_bytes=1))
    second, hit = capture(repo)
    assert hit is True
    assert second.skipped_untracked == []


def test_in_place_edit_with_same_size_invalidates(repo: Repo) -> None:
    before, _ = capture(repo)
    target = repo.path / "src/util.py"
    stat = target.stat()
    with open(target, "r+b") as f:  # same size, same inode
        f.write(b"Y")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after, hit = capture(repo)
    assert hit is False
    assert after.snapshot_id != before.snapshot_id
    assert content(repo, after, "src/util.py") == "Y = 1\n"


def test_in_place_edit_restoring_the_old_mtime_invalidates(repo: Repo) -> None:
    capture(repo)
    target = repo.path / "src/util.py"
    stat = target.stat()
    target.write_bytes(b"Z = 1\n")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime back as it was
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "src/util.py") == "Z = 1\n"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r.write("fresh.txt", "new\n"), id="add-untracked"),
        pytest.param(lambda r: (r.path / "README.md").unlink(), id="delete-tracked"),
        pytest.param(lambda r: (r.path / "src/model.py").chmod(0o755), id="exec-bit-on"),
        pytest.param(lambda r: (r.path / "run.sh").chmod(0o644), id="exec-bit-off"),
        pytest.param(lambda r: os.rename(r.path / "src/util.py", r.path / "u.py"), id="rename"),
        pytest.param(lambda r: r.write("a/b/c/deep.txt", "d\n"), id="new-directory-tree"),
        pytest.param(lambda r: os.symlink("README.md", r.path / "ln"), id="new-symlink"),
        pytest.param(lambda r: r.write(".gitignore", "outputs/\n"), id="gitignore-unignores-logs"),
    ],
)
def test_working_tree_changes_invalidate(repo: Repo, change: Callable[[Repo], None]) -> None:
    repo.write("kept.log", "ignored until .gitignore changes\n")
    before, _ = capture(repo)
    change(repo)
    expected_tree = _tree_as_git_would_snapshot(repo)
    after, hit = capture(repo)
    assert hit is False
    assert after.snapshot_id != before.snapshot_id
    assert after.snapshot_tree == expected_tree


def _tree_as_git_would_snapshot(repo: Repo) -> str:
    """The tree ``git add -A`` would write, computed with a throwaway index file."""
    scratch = repo.path.parent / "scratch-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch)}
    subprocess.run(["git", "read-tree", "HEAD"], cwd=repo.path, env=env, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo.path, env=env, check=True)
    tree = subprocess.run(
        ["git", "write-tree"], cwd=repo.path, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    scratch.unlink()
    return tree


def test_file_in_empty_directory_invalidates(repo: Repo) -> None:
    (repo.path / "empty/inner").mkdir(parents=True)
    capture(repo)
    repo.write("empty/inner/now.txt", "x\n")
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "empty/inner/now.txt") == "x\n"


def test_new_subdirectory_of_a_leaf_directory_invalidates(repo: Repo) -> None:
    # On ext4/xfs/tmpfs a leaf is recognised by its link count and not listed; it is still watched.
    (repo.path / "leaf").mkdir()
    repo.write("leaf/a.txt", "a\n")
    assert os.lstat(repo.path / "leaf").st_nlink == 2 or filesystem_type(repo.path) not in {"ext4", "xfs", "tmpfs"}
    capture(repo)
    _, hit = capture(repo)
    assert hit is True
    repo.write("leaf/deeper/b.txt", "b\n")
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "leaf/deeper/b.txt") == "b\n"
    repo.write("leaf/deeper/c.txt", "c\n")  # the new subdirectory is watched from now on
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "leaf/deeper/c.txt") == "c\n"


def test_ignored_writes_keep_the_cache(repo: Repo) -> None:
    (repo.path / "outputs").mkdir()
    first, _ = capture(repo)
    repo.write("train.log", "step 1\n")  # ignored file in a watched directory
    repo.write("src/debug.log", "x\n")
    repo.write("outputs/model.ckpt", b"\0" * 100)  # inside an ignored directory
    (repo.path / "outputs/sub").mkdir()
    second, hit = capture(repo)
    assert hit is True
    assert second == first


def test_tracked_file_inside_ignored_directory_invalidates(repo: Repo) -> None:
    repo.write("outputs/keep/README", "force-added\n")
    repo.git("add", "-f", "outputs/keep/README")
    repo.git("commit", "-q", "-m", "force add")
    capture(repo)
    repo.write("outputs/keep/README", "edited\n")
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "outputs/keep/README") == "edited\n"


def test_git_operations_invalidate(repo: Repo) -> None:
    repo.write("new.txt", "n\n")
    before, _ = capture(repo)
    repo.git("add", "new.txt")  # index changes, tree does not
    staged, hit = capture(repo)
    assert hit is False and staged.snapshot_id == before.snapshot_id
    repo.git("commit", "-q", "-m", "add new")  # HEAD moves
    committed, hit = capture(repo)
    assert hit is False
    assert committed.head_commit == repo.head() != before.head_commit
    assert committed.dirty is False
    repo.git("checkout", "-q", "-b", "topic")  # branch changes, commit does not
    branched, hit = capture(repo)
    assert hit is False and branched.branch == "topic"
    repo.git("remote", "add", "origin", "https://example.com/r.git")
    remote, hit = capture(repo)
    assert hit is False and remote.remote_url == "https://example.com/r.git"


def test_info_exclude_change_invalidates(repo: Repo) -> None:
    repo.write("local.cfg", "c\n")
    before, _ = capture(repo)
    assert "local.cfg" in repo.git("ls-tree", "--name-only", before.snapshot_id or "")
    (repo.path / ".git/info").mkdir(exist_ok=True)
    (repo.path / ".git/info/exclude").write_text("local.cfg\n")
    after, hit = capture(repo)
    assert hit is False
    assert "local.cfg" not in repo.git("ls-tree", "--name-only", after.snapshot_id or "")


def test_deleted_snapshot_ref_is_recreated(repo: Repo) -> None:
    prov, _ = capture(repo)
    repo.git("update-ref", "-d", prov.snapshot_ref or "")
    again, hit = capture(repo)
    assert hit is False and again.snapshot_id == prov.snapshot_id
    assert repo.git("rev-parse", prov.snapshot_ref or "").strip() == prov.snapshot_id


def test_other_size_limit_is_not_served_from_cache(repo: Repo) -> None:
    repo.write("big.bin", b"b" * 500)
    full, _ = capture(repo)
    limited, hit = capture(repo, max_file_bytes=100)
    assert hit is False
    assert [s.path for s in limited.skipped_untracked] == ["big.bin"]
    assert full.skipped_untracked == []


def test_submodule_commit_invalidates(tmp_path: Path) -> None:
    lib = init_repo(tmp_path / "lib")
    lib.write("lib.py", "V = 1\n")
    v1 = lib.commit_all()
    main = init_repo(tmp_path / "main")
    main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "lib")
    main.commit_all()
    capture(main)
    sub = Repo(main.path / "lib")
    sub.git("config", "user.name", "Test User")
    sub.git("config", "user.email", "test@example.com")
    sub.write("lib.py", "V = 2\n")
    v2 = sub.commit_all()
    after, hit = capture(main)
    assert hit is False
    assert [(s.path, s.commit) for s in after.submodules] == [("lib", v2)]
    assert v1 != v2


def test_watch_false_never_reuses(repo: Repo) -> None:
    capture(repo, watch=False)
    _, hit = capture(repo, watch=False)
    assert hit is False


def test_clear_capture_cache_forgets(repo: Repo) -> None:
    capture(repo)
    clear_capture_cache()
    assert capture_cache_stats()["remembered"] == 0
    _, hit = capture(repo)
    assert hit is False


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_child_does_not_steal_the_parents_events(repo: Repo) -> None:
    capture(repo)
    pid = os.fork()
    if pid == 0:  # child: its capture must not read the parent's inotify queue
        try:
            capture_git_provenance(repo.path)
            repo.write("src/util.py", "X = 'from the child'\n")
            capture_git_provenance(repo.path)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    after, hit = capture(repo)
    assert hit is False
    assert content(repo, after, "src/util.py") == "X = 'from the child'\n"


def test_remembers_a_bounded_number_of_repositories(tmp_path: Path) -> None:
    repos = [init_repo(tmp_path / f"r{i}") for i in range(MAX_REMEMBERED_REPOSITORIES + 3)]
    for r in repos:
        capture(r)
    assert capture_cache_stats()["remembered"] == MAX_REMEMBERED_REPOSITORIES
    _, hit = capture(repos[-1])
    assert hit is True
    _, hit = capture(repos[0])
    assert hit is False


def test_writes_into_excluded_directories_keep_the_cache(repo: Repo) -> None:
    artifacts = repo.path / "furu-data/artifacts"
    artifacts.mkdir(parents=True)
    first, _ = capture(repo, exclude=[artifacts])
    repo.write("furu-data/artifacts/a1/metadata.json", "{}\n")  # not ignored, but excluded
    (artifacts / "a2").mkdir()
    second, hit = capture(repo, exclude=[artifacts])
    assert hit is True and second == first
    _, hit = capture(repo)  # other options: a fresh capture
    assert hit is False
    repo.write("furu-data/notes.txt", "outside the excluded directory\n")
    _, hit = capture(repo, exclude=[artifacts])
    assert hit is False


def test_concurrent_captures_from_threads_agree(repo: Repo) -> None:
    repo.write("src/model.py", "threads\n")
    clear_capture_cache()
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(lambda _: capture_git_provenance(repo.path).snapshot_id, range(32)))
    assert len(ids) == 1
    assert capture_cache_stats()["misses"] >= 1
