"""The snapshot is of the code that actually ran: its worktree, filtered as git stores it, gaps listed."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from furu.provenance import GitProvenance, SkippedFile, capture_git_provenance
from furu.provenance.origin import code_locations

from .gitrepo import Repo, init_repo


def _import_file(path: Path, name: str) -> type:
    """Import ``path`` as module ``name`` (as Python would from that checkout); its class ``Step``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.Step


@pytest.fixture
def linked(repo: Repo, tmp_path: Path) -> Iterator[Repo]:
    """A linked worktree of ``repo`` on branch ``feature``, with an uncommitted edit."""
    repo.git("worktree", "add", "-q", "-b", "feature", str(tmp_path / "feature"))
    wt = Repo(tmp_path / "feature")
    wt.write("src/model.py", "def f():\n    return 'feature'\n")
    wt.git("commit", "-q", "-am", "feature work")
    wt.write("src/model.py", "def f():\n    return 'uncommitted'\n")
    wt.write("src/step.py", "class Step:\n    pass\n")
    yield wt
    sys.modules.pop("step_from_worktree", None)


def test_class_in_linked_worktree_snapshots_that_worktree(repo: Repo, linked: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the working directory is in no repository
    cls = _import_file(linked.path / "src/step.py", "step_from_worktree")
    prov = capture_git_provenance(repo.path, code_from=code_locations(cls))  # the project root: main
    assert prov.repo_root == str(linked.path)
    assert prov.branch == "feature"
    assert prov.head_commit == linked.head() != repo.head()
    assert prov.linked_worktree is True
    assert prov.main_worktree == str(repo.path)
    assert linked.git("show", f"{prov.snapshot_id}:src/model.py") == "def f():\n    return 'uncommitted'\n"
    assert prov.dirty is True


def test_working_directory_is_the_fallback(repo: Repo, linked: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(linked.path / "src")
    prov = capture_git_provenance(repo.path, code_from=code_locations(None))
    assert (prov.repo_root, prov.branch, prov.linked_worktree) == (str(linked.path), "feature", True)


def test_main_worktree_class_wins_over_a_linked_working_directory(repo: Repo, linked: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("src/step.py", "class Step:\n    pass\n")
    cls = _import_file(repo.path / "src/step.py", "step_from_worktree")
    monkeypatch.chdir(linked.path)
    prov = capture_git_provenance(repo.path, code_from=code_locations(cls))
    assert (prov.repo_root, prov.branch, prov.linked_worktree, prov.main_worktree) == (str(repo.path), "main", False, None)
    assert prov.head_commit == repo.head()


def test_class_from_another_repository_does_not_replace_the_project(repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    library = init_repo(tmp_path / "library")
    library.write("step.py", "class Step:\n    pass\n")
    library.commit_all()
    cls = _import_file(library.path / "step.py", "step_from_worktree")
    monkeypatch.chdir(tmp_path)
    try:
        prov = capture_git_provenance(repo.path, code_from=code_locations(cls))
    finally:
        sys.modules.pop("step_from_worktree", None)
    assert prov.repo_root == str(repo.path)


def test_old_metadata_without_worktree_fields_still_reads() -> None:
    old = GitProvenance.model_validate({"schema_version": 1, "in_repository": True, "repo_root": "/p"})
    assert (old.linked_worktree, old.main_worktree) == (False, None)


# --- clean filters -----------------------------------------------------------------------------


def _index_blob(repo: Repo, path: str) -> str:
    """What `git add -A` stores for ``path`` (the index is restored afterwards)."""
    index = repo.path / ".git" / "index"
    saved = index.read_bytes()
    try:
        repo.git("add", "-A")
        return repo.git("rev-parse", f":{path}").strip()
    finally:
        index.write_bytes(saved)


def _snapshot_blob(repo: Repo, prov: GitProvenance, path: str) -> str:
    return repo.git("rev-parse", f"{prov.snapshot_id}:{path}").strip()


def test_clean_filter_is_applied_like_git_add(repo: Repo) -> None:
    repo.write(".gitattributes", "*.txt filter=upper\n")
    repo.git("config", "filter.upper.clean", "tr a-z A-Z")
    repo.git("config", "filter.upper.smudge", "cat")
    repo.commit_all("filter")
    repo.write("notes.txt", "hello world\n")  # untracked
    repo.write("README.md", "# not filtered\n")
    prov = capture_git_provenance(repo.path)
    assert repo.git("show", f"{prov.snapshot_id}:notes.txt") == "HELLO WORLD\n"
    assert _snapshot_blob(repo, prov, "notes.txt") == _index_blob(repo, "notes.txt")
    assert _snapshot_blob(repo, prov, "README.md") == _index_blob(repo, "README.md")


def test_clean_filter_on_a_tracked_edit_and_an_uncommitted_gitattributes(repo: Repo) -> None:
    repo.write("src/data.csv", "a,b\n")
    repo.commit_all("csv")
    repo.write("src/.gitattributes", "*.csv filter=strip\n")  # untracked, in a subdirectory
    repo.git("config", "filter.strip.clean", "sed -e s/secret/REDACTED/")
    repo.write("src/data.csv", "a,b\nsecret,1\n")
    prov = capture_git_provenance(repo.path)
    assert repo.git("show", f"{prov.snapshot_id}:src/data.csv") == "a,b\nREDACTED,1\n"
    assert _snapshot_blob(repo, prov, "src/data.csv") == _index_blob(repo, "src/data.csv")


def test_failing_required_filter_is_an_error_naming_the_file(repo: Repo) -> None:
    repo.write(".gitattributes", "*.dat filter=broken\n")
    repo.git("config", "filter.broken.clean", "false")
    repo.git("config", "filter.broken.required", "true")
    repo.write("x.dat", "x\n")
    from furu.errors import FuruGitError

    with pytest.raises(FuruGitError, match=r"x\.dat.*filter"):
        capture_git_provenance(repo.path)


@pytest.mark.parametrize(
    ("attributes", "autocrlf"),
    [("", "true"), ("* text=auto\n", None), ("*.txt text eol=crlf\n", None), ("*.txt -text\n", "true")],
)
def test_line_endings_are_normalised_as_git_add_does(repo: Repo, attributes: str, autocrlf: str | None) -> None:
    if attributes:
        repo.write(".gitattributes", attributes)
    if autocrlf:
        repo.git("config", "core.autocrlf", autocrlf)
    repo.write("win.txt", b"one\r\ntwo\r\n")
    prov = capture_git_provenance(repo.path)
    assert _snapshot_blob(repo, prov, "win.txt") == _index_blob(repo, "win.txt")


# --- files left out ----------------------------------------------------------------------------


def test_fifo_socket_and_nested_repositories_are_listed(repo: Repo) -> None:
    os.mkfifo(repo.path / "pipe")
    (repo.path / "run").mkdir()
    os.mkfifo(repo.path / "run/deep.fifo")
    os.mkfifo(repo.path / "debug.log")  # ignored by *.log: not listed, as git ignores it
    server = socket.socket(socket.AF_UNIX)
    sock_dir = repo.path / "src"
    cwd = os.getcwd()
    os.chdir(sock_dir)  # AF_UNIX paths are limited to ~100 bytes; bind relative to the dir
    try:
        server.bind("server.sock")
    finally:
        os.chdir(cwd)
    nested = init_repo(repo.path / "vendor/lib")  # with a commit
    nested.write("x.py", "X\n")
    nested.commit_all()
    init_repo(repo.path / "empty_clone")  # no commit yet: git status shows it, libgit2 does not
    try:
        prov = capture_git_provenance(repo.path)
    finally:
        server.close()
    assert prov.skipped_untracked == [
        SkippedFile(path="empty_clone", size_bytes=0, reason="nested_repository"),
        SkippedFile(path="pipe", size_bytes=0, reason="not_a_file"),
        SkippedFile(path="run/deep.fifo", size_bytes=0, reason="not_a_file"),
        SkippedFile(path="src/server.sock", size_bytes=0, reason="not_a_file"),
        SkippedFile(path="vendor/lib", size_bytes=0, reason="nested_repository"),
    ]
    assert prov.dirty is True
    assert prov.note == (
        "5 paths left out of the snapshot (see skipped_untracked): 2 nested repositories, "
        "3 sockets, FIFOs or devices"
    )
    names = repo.git("ls-tree", "-r", "--name-only", prov.snapshot_id or "").split()
    assert not {"pipe", "src/server.sock", "vendor/lib/x.py"} & set(names)


def test_nested_repository_note_does_not_mention_the_size_limit(repo: Repo) -> None:
    init_repo(repo.path / "other").write("y", "y\n")
    prov = capture_git_provenance(repo.path, max_file_bytes=5)
    assert prov.note == "1 path left out of the snapshot (see skipped_untracked): 1 nested repository"


def test_size_limit_is_named_only_with_a_file_over_it(repo: Repo) -> None:
    repo.write("big.bin", b"x" * 10)
    os.mkfifo(repo.path / "pipe")
    prov = capture_git_provenance(repo.path, max_file_bytes=5)
    assert prov.note == (
        "2 paths left out of the snapshot (see skipped_untracked): 1 socket, FIFO or device, "
        "1 file over the size limit FURU_SNAPSHOT_MAX_FILE_BYTES=5"
    )


def test_a_fifo_created_later_invalidates_the_remembered_capture(repo: Repo) -> None:
    first = capture_git_provenance(repo.path)
    assert first.skipped_untracked == []
    os.mkfifo(repo.path / "src/pipe")
    second = capture_git_provenance(repo.path)
    assert second.skipped_untracked == [SkippedFile(path="src/pipe", size_bytes=0, reason="not_a_file")]
