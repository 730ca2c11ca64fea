"""Write a snapshot's files into a plain directory: no worktree, no index, no checkout state.

Cluster jobs need the submitted code as files to import, not a git worktree
(which would register itself in the user's repository for every snapshot).
The tree is written into a temporary sibling and renamed into place, so
concurrent submitters never see half a tree; whoever renames second finds
the directory there and discards its copy.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from furu.provenance.repository import open_repository_at, require_snapshot


def export_snapshot_tree(snapshot_id: str, dest: Path, *, repo_path: Path) -> Path:
    """The snapshot's files at ``dest`` (written once; an existing ``dest`` is kept)."""
    if dest.is_dir():
        return dest
    repo = open_repository_at(Path(repo_path))
    tree = require_snapshot(repo, snapshot_id).tree
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.with_name(f".{dest.name}.furu-tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        _write_tree(repo, tree, staging)
        try:
            os.rename(staging, dest)
        except OSError:
            if not dest.is_dir():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return dest


def _write_tree(repo: pygit2.Repository, tree: pygit2.Tree, directory: Path) -> None:
    directory.mkdir()
    for entry in tree:
        assert entry.name is not None  # only objects looked up by id lack a name; tree entries have one
        path = directory / entry.name
        if entry.filemode == FileMode.TREE:
            _write_tree(repo, repo[entry.id].peel(pygit2.Tree), path)
        elif entry.filemode == FileMode.LINK:
            os.symlink(repo[entry.id].peel(pygit2.Blob).data, path)
        elif entry.filemode == FileMode.COMMIT:
            path.mkdir()  # a submodule: recorded by commit, its files are not in this repository
        else:
            path.write_bytes(repo[entry.id].peel(pygit2.Blob).data)
            if entry.filemode == FileMode.BLOB_EXECUTABLE:
                path.chmod(0o755)
