"""What a snapshot changed relative to its commit, as a unified diff.

This is the "uncommitted changes" view of an artifact's code: the diff from
the snapshot's parent (the HEAD at capture time) to the snapshot, untracked
files included as additions. Renames are detected so moves read as moves.
"""

from __future__ import annotations

from pathlib import Path

from pygit2.enums import DiffOption

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
