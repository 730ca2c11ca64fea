"""capture + materialise reproduces the working tree, file by file.

Each test changes the working tree, captures, then keeps changing it (to
prove the snapshot is a copy, not a view), materialises the snapshot and
compares bytes, executable bit and symlink target of every file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pygit2

from furu.provenance import GitProvenance, capture_git_provenance, materialize_snapshot

from .gitrepo import Repo, init_repo, listing, visible_files


def capture_and_compare(repo: Repo, tmp_path: Path) -> tuple[GitProvenance, Path]:
    expected = visible_files(repo)
    prov = capture_git_provenance(repo.path)
    assert prov.snapshot_id is not None
    # Scribble over the working tree: the snapshot must not follow it.
    repo.write("README.md", "changed after capture\n")
    repo.write("after_capture.txt", "new after capture\n")
    dest = materialize_snapshot(prov.snapshot_id, tmp_path / "tt", repo_path=repo.path)
    assert listing(dest) == expected
    assert Repo(dest).git("rev-parse", "HEAD").strip() == prov.snapshot_id
    assert Repo(dest).git("status", "--porcelain", "-uall") == ""
    return prov, dest


def test_clean_tree_snapshot_has_head_tree(repo: Repo, tmp_path: Path) -> None:
    prov, _ = capture_and_compare(repo, tmp_path)
    head_tree = repo.git("rev-parse", "HEAD^{tree}").strip()
    assert prov.dirty is False
    assert prov.snapshot_tree == head_tree
    assert repo.git("rev-parse", f"{prov.snapshot_id}^").strip() == prov.head_commit


def test_unstaged_and_staged_edits(repo: Repo, tmp_path: Path) -> None:
    repo.write("src/model.py", "def f():\n    return 2  # unstaged\n")
    repo.write("src/util.py", "X = 2  # staged\n")
    repo.git("add", "src/util.py")
    repo.write("README.md", "# staged then edited again\n")
    repo.git("add", "README.md")
    repo.write("README.md", "# the working tree version wins\n")
    prov, dest = capture_and_compare(repo, tmp_path)
    assert prov.dirty is True
    assert (dest / "README.md").read_text() == "# the working tree version wins\n"
    assert (dest / "src/util.py").read_text() == "X = 2  # staged\n"


def test_deletions_staged_and_unstaged(repo: Repo, tmp_path: Path) -> None:
    (repo.path / "src/util.py").unlink()
    repo.git("rm", "-q", "data/blob.bin")
    _, dest = capture_and_compare(repo, tmp_path)
    assert not (dest / "src/util.py").exists()
    assert not (dest / "data").exists()


def test_renames_with_git_mv_and_plain_mv(repo: Repo, tmp_path: Path) -> None:
    repo.git("mv", "src/util.py", "src/helpers.py")
    os.rename(repo.path / "src/model.py", repo.path / "lib_model.py")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "src/helpers.py").read_text() == "X = 1\n"
    assert (dest / "lib_model.py").read_text() == "def f():\n    return 1\n"
    assert not (dest / "src/util.py").exists() and not (dest / "src/model.py").exists()


def test_untracked_files_included_and_ignored_files_excluded(repo: Repo, tmp_path: Path) -> None:
    repo.write("notes.txt", "untracked\n")
    repo.write("new_pkg/deep/er/mod.py", "Y = 1\n")
    repo.write("train.log", "ignored by *.log\n")
    repo.write("outputs/result.csv", "ignored by outputs/\n")
    repo.write("src/debug.log", "ignored in a subdirectory\n")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "notes.txt").read_text() == "untracked\n"
    assert (dest / "new_pkg/deep/er/mod.py").read_text() == "Y = 1\n"
    assert not (dest / "train.log").exists()
    assert not (dest / "outputs").exists()
    assert not (dest / "src/debug.log").exists()


def test_binary_files(repo: Repo, tmp_path: Path) -> None:
    repo.write("data/blob.bin", b"\x00\xff\xfe" * 1000 + b"\r\n\x00")
    repo.write("data/new.bin", bytes(reversed(range(256))))
    repo.write("latin1.txt", "caf\xe9\n".encode("latin-1"))
    repo.write("crlf.txt", b"line1\r\nline2\r\n")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "data/blob.bin").read_bytes() == b"\x00\xff\xfe" * 1000 + b"\r\n\x00"
    assert (dest / "crlf.txt").read_bytes() == b"line1\r\nline2\r\n"


def test_executable_bits(repo: Repo, tmp_path: Path) -> None:
    (repo.path / "run.sh").chmod(0o644)
    (repo.path / "src/model.py").chmod(0o755)
    repo.write("tool.sh", "#!/bin/sh\n", executable=True)
    prov, dest = capture_and_compare(repo, tmp_path)
    assert prov.dirty is True
    assert not os.access(dest / "run.sh", os.X_OK)
    assert os.access(dest / "src/model.py", os.X_OK)
    assert os.access(dest / "tool.sh", os.X_OK)
    tree = pygit2.Repository(str(repo.path))[prov.snapshot_tree or ""].peel(pygit2.Tree)
    assert (tree / "run.sh").filemode == 0o100644
    assert (tree / "tool.sh").filemode == 0o100755


def test_symlinks(repo: Repo, tmp_path: Path) -> None:
    (repo.path / "model_link").unlink()
    os.symlink("src/util.py", repo.path / "model_link")  # retargeted
    os.symlink("does/not/exist", repo.path / "dangling")  # new, dangling
    os.symlink("src", repo.path / "src_dir_link")  # a link to a directory
    (repo.path / "README.md").unlink()
    os.symlink("run.sh", repo.path / "README.md")  # file -> symlink
    _, dest = capture_and_compare(repo, tmp_path)
    assert os.readlink(dest / "model_link") == "src/util.py"
    assert os.readlink(dest / "dangling") == "does/not/exist"
    assert os.readlink(dest / "src_dir_link") == "src"
    assert os.readlink(dest / "README.md") == "run.sh"


def test_symlink_replaced_by_file(repo: Repo, tmp_path: Path) -> None:
    (repo.path / "model_link").unlink()
    repo.write("model_link", "now a file\n")
    _, dest = capture_and_compare(repo, tmp_path)
    assert not (dest / "model_link").is_symlink()
    assert (dest / "model_link").read_text() == "now a file\n"


def test_directory_replaced_by_file_and_file_by_directory(repo: Repo, tmp_path: Path) -> None:
    shutil.rmtree(repo.path / "data")
    repo.write("data", "a file where a directory was\n")
    (repo.path / "run.sh").unlink()
    repo.write("run.sh/inner.txt", "a directory where a file was\n")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "data").read_text() == "a file where a directory was\n"
    assert (dest / "run.sh/inner.txt").read_text() == "a directory where a file was\n"


def test_non_ascii_names(repo: Repo, tmp_path: Path) -> None:
    repo.write("données/résumé.txt", "tracked é\n")
    repo.write("日本語.py", "print('こんにちは')\n")
    repo.commit_all("unicode")
    repo.write("données/résumé.txt", "modifié\n")
    repo.write("emoji_🐍.txt", "untracked\n")
    repo.write("with space & 'quote'.txt", "odd name\n")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "données/résumé.txt").read_text() == "modifié\n"
    assert (dest / "emoji_🐍.txt").read_text() == "untracked\n"


def test_commit_after_capture_time_travel_gives_old_tree(repo: Repo, tmp_path: Path) -> None:
    repo.write("src/model.py", "def f():\n    return 'snapshot'\n")
    expected = visible_files(repo)
    prov = capture_git_provenance(repo.path)
    repo.write("src/model.py", "def f():\n    return 'later'\n")
    repo.write("later.txt", "later\n")
    repo.commit_all("after the capture")
    repo.git("gc", "-q", "--prune=now")  # the snapshot ref keeps it alive
    dest = materialize_snapshot(prov.snapshot_id or "", tmp_path / "old", repo_path=repo.path)
    assert listing(dest) == expected
    assert (dest / "src/model.py").read_text() == "def f():\n    return 'snapshot'\n"


def test_detached_head(repo: Repo, tmp_path: Path) -> None:
    first = repo.head()
    repo.write("second.txt", "2\n")
    repo.commit_all("second")
    repo.git("checkout", "-q", "--detach", first)
    repo.write("src/util.py", "X = 'detached'\n")
    prov, _ = capture_and_compare(repo, tmp_path)
    assert prov.detached is True
    assert prov.branch is None
    assert prov.head_commit == first
    assert repo.git("rev-parse", f"{prov.snapshot_id}^").strip() == first


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "fresh")
    repo.write("a.py", "A = 1\n")
    repo.write("staged.py", "S = 1\n")
    repo.git("add", "staged.py")
    prov, dest = capture_and_compare(repo, tmp_path)
    assert prov.head_commit is None
    assert prov.branch == "main"
    assert prov.detached is False
    assert prov.dirty is True
    assert "no commits yet" in (prov.note or "")
    parents = repo.git("rev-list", "--parents", "-n", "1", prov.snapshot_id or "").split()
    assert parents == [prov.snapshot_id]
    assert sorted(listing(dest)) == ["a.py", "staged.py"]


def test_empty_repository_without_files(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "empty")
    prov = capture_git_provenance(repo.path)
    assert prov.dirty is False
    assert prov.snapshot_tree == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's empty tree


def test_merge_conflict_captures_the_conflicted_file(repo: Repo, tmp_path: Path) -> None:
    repo.git("checkout", "-q", "-b", "other")
    repo.write("src/util.py", "X = 'other'\n")
    repo.commit_all("other")
    repo.git("checkout", "-q", "main")
    repo.write("src/util.py", "X = 'main'\n")
    repo.commit_all("main")
    repo.git("merge", "-q", "other", check=False)
    assert repo.git("status", "--porcelain") == "UU src/util.py\n"
    conflicted = (repo.path / "src/util.py").read_text()
    assert "<<<<<<<" in conflicted
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "src/util.py").read_text() == conflicted


def test_submodule_recorded_by_commit(tmp_path: Path) -> None:
    lib = init_repo(tmp_path / "lib")
    lib.write("lib.py", "V = 1\n")
    first_lib = lib.commit_all("lib v1")
    lib.write("lib.py", "V = 2\n")
    second_lib = lib.commit_all("lib v2")
    main = init_repo(tmp_path / "main")
    main.write("app.py", "import lib\n")
    main.git(
        "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.path), "vendor/lib"
    )
    main.commit_all("add submodule")
    assert main.git("rev-parse", "HEAD:vendor/lib").strip() == second_lib
    sub = Repo(main.path / "vendor/lib")
    sub.git("checkout", "-q", first_lib)  # the submodule moved; not staged in main
    sub.write("scratch.txt", "inside the submodule\n")
    prov = capture_git_provenance(main.path)
    assert [(s.path, s.commit) for s in prov.submodules] == [("vendor/lib", first_lib)]
    assert main.git("rev-parse", f"{prov.snapshot_id}:vendor/lib").strip() == first_lib
    tree = pygit2.Repository(str(main.path))[prov.snapshot_tree or ""].peel(pygit2.Tree)
    assert (tree / "vendor/lib").filemode == 0o160000
    dest = materialize_snapshot(prov.snapshot_id or "", tmp_path / "tt", repo_path=main.path)
    assert (dest / "vendor/lib").is_dir() and list((dest / "vendor/lib").iterdir()) == []
    assert (dest / "app.py").read_text() == "import lib\n"
    assert prov.skipped_untracked == []


def test_capture_from_a_linked_worktree(repo: Repo, tmp_path: Path) -> None:
    repo.git("worktree", "add", "-q", str(tmp_path / "linked"), "-b", "feature")
    linked = Repo(tmp_path / "linked")
    linked.write("feature.py", "F = 1\n")
    prov, dest = capture_and_compare(linked, tmp_path)
    assert prov.branch == "feature"
    assert prov.repo_root == str(tmp_path / "linked")
    assert (dest / "feature.py").read_text() == "F = 1\n"
    assert (
        repo.git("rev-parse", "--verify", f"refs/furu/snapshots/{prov.snapshot_id}").strip()
        == prov.snapshot_id
    )


def test_materialized_worktree_matches_git_archive_of_snapshot(repo: Repo, tmp_path: Path) -> None:
    repo.write("new.txt", "n\n")
    prov = capture_git_provenance(repo.path)
    dest = materialize_snapshot(prov.snapshot_id or "", tmp_path / "tt", repo_path=repo.path)
    out = tmp_path / "archive"
    out.mkdir()
    archive = subprocess.run(
        ["git", "archive", prov.snapshot_id or ""], cwd=repo.path, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    assert listing(dest) == listing(out)


def test_sparse_checkout_keeps_files_outside_the_cone(repo: Repo, tmp_path: Path) -> None:
    repo.git("sparse-checkout", "set", "--no-cone", "/src/")
    assert not (repo.path / "README.md").exists()
    repo.write("src/model.py", "sparse edit\n")
    prov = capture_git_provenance(repo.path)
    assert repo.git("show", f"{prov.snapshot_id}:README.md") == "# demo\n"
    assert repo.git("show", f"{prov.snapshot_id}:src/model.py") == "sparse edit\n"


def test_intent_to_add_file_is_captured_with_its_content(repo: Repo, tmp_path: Path) -> None:
    repo.write("planned.py", "P = 1\n")
    repo.git("add", "-N", "planned.py")
    _, dest = capture_and_compare(repo, tmp_path)
    assert (dest / "planned.py").read_text() == "P = 1\n"
