"""What a snapshot holds and changed: its uncommitted changes as a unified diff, one file's bytes.

:func:`snapshot_patch` is the "uncommitted changes" view of an artifact's code:
the diff from the snapshot's parent (the HEAD at capture time) to the
snapshot, untracked files included as additions. Renames are detected so moves
read as moves. :func:`snapshot_file` reads one file as the snapshot has it,
for comparing with the working tree (``furu show --code-diff``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
from pygit2.enums import DiffOption

from furu.errors import FuruGitError
from furu.provenance.repository import open_repository_at, require_snapshot


def snapshot_patch(snapshot_id: str, *, repo_path: Path, binary: bool = False) -> str:
    """Unified diff from the snapshot's parent to the snapshot; '' when it was clean.

    With ``binary=True`` binary files are included as git binary patches (so
    ``git apply`` can replay everything); otherwise they show as "Binary
    files differ". Text that is not UTF-8 is decoded with replacement marks.
    """
    repo = open_repository_at(Path(repo_path))
    commit = require_snapshot(repo, snapshot_id)
    flags = DiffOption.SHOW_BINARY if binary else DiffOption.NORMAL
    if commit.parents:
        diff = commit.parents[0].tree.diff_to_tree(commit.tree, flags=flags)
    else:
        diff = commit.tree.diff_to_tree(flags=flags, swap=True)
    diff.find_similar()
    return b"".join(patch.data for patch in diff if patch is not None).decode(
        "utf-8", errors="replace"
    )


def snapshot_file(commit_id: str, file: Path, *, repo_path: Path) -> tuple[str, bytes | None]:
    """``file`` (a path in today's work tree) as commit ``commit_id`` (a snapshot, or HEAD then) has it.

    Returns its path in the tree ('/'-separated) and its bytes; None when the
    commit holds no file there (it was added since, or left out of the snapshot).
    """
    repo = open_repository_at(Path(repo_path))
    if repo.workdir is None:
        raise FuruGitError(f"The repository at {repo.path} has no work tree to compare {file} with.")
    relative = os.path.relpath(os.path.realpath(file), os.path.realpath(repo.workdir))
    if relative == os.curdir or relative.split(os.sep)[0] == os.pardir:
        raise FuruGitError(f"{file} is outside the git work tree {repo.workdir}, so no snapshot holds it.")
    path = Path(relative).as_posix()
    commit = require_snapshot(repo, commit_id)
    try:
        found = commit.tree[path]
    except KeyError:
        return path, None
    blob = repo.get(found.id)
    return path, blob.data if isinstance(blob, pygit2.Blob) else None
