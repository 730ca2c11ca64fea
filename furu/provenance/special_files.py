"""What the snapshot cannot hold and git does not report: FIFOs, sockets, nested repositories.

``git status`` (and libgit2's diff) pass over sockets, FIFOs and device
files silently, and over a nested repository with no commit yet; a
snapshot that silently lacks them looks complete when it is not. One walk
over the non-ignored directories finds them. It reads directory entries
only (their type comes with the entry, no ``stat`` per file), does not
descend into ignored or excluded directories, nested repositories or
submodules, and runs only when the tree is read (a cache miss).
"""

from __future__ import annotations

import os
from pathlib import Path

import pygit2

from furu.provenance.model import SkippedFile


def special_files(
    repo: pygit2.Repository, index: pygit2.Index, excluded: tuple[str, ...]
) -> list[SkippedFile]:
    """Non-ignored special files (``not_a_file``) and untracked nested repositories."""
    workdir = Path(repo.workdir)
    found: list[SkippedFile] = []
    stack = [""]
    while stack:
        rel = stack.pop()
        subdirs: list[str] = []
        specials: list[str] = []
        holds_git = False
        try:
            entries = os.scandir(workdir / rel if rel else workdir)
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while we looked; the watcher sees that
        except PermissionError:
            continue  # git skips unreadable directories too (with a warning)
        with entries:
            for entry in entries:
                if entry.name == ".git":
                    holds_git = True
                    continue
                child = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(child)
                else:
                    specials.append(child)
        if rel and holds_git:
            if rel not in index:  # a submodule has a gitlink entry; this is someone's clone
                found.append(SkippedFile(path=rel, size_bytes=0, reason="nested_repository"))
            continue
        for path in specials:
            if not _ignored(repo, path, is_dir=False):
                size = _size(workdir / path)
                found.append(SkippedFile(path=path, size_bytes=size, reason="not_a_file"))
        for path in subdirs:
            if not (is_excluded(path, excluded) or _ignored(repo, path, is_dir=True)):
                stack.append(path)
    return found


def _ignored(repo: pygit2.Repository, path: str, *, is_dir: bool) -> bool:
    try:
        return repo.path_is_ignored(path + "/" if is_dir else path)
    except pygit2.GitError:
        return False  # when unsure, look: listing too much is safer than hiding


def is_excluded(path: str, excluded: tuple[str, ...]) -> bool:
    """Whether the work-tree-relative ``path`` is one of ``excluded`` or inside one."""
    return any(path == e or path.startswith(e + "/") for e in excluded)


def _size(path: Path) -> int:
    try:
        return os.lstat(path).st_size
    except FileNotFoundError:
        return 0
