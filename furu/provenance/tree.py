"""Write a tree that is a base tree plus a few changed paths, without an index.

Rebuilding only the directories on the changed paths keeps a capture on a
20,000-file repository cheap, and it never goes near ``.git/index``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pygit2

TREE_MODE = 0o040000


@dataclass(frozen=True)
class TreeEntry:
    """The new content of one path: a blob (file, symlink) or a gitlink (submodule)."""

    oid: pygit2.Oid
    mode: int


def overlay_tree(
    repo: pygit2.Repository,
    base: pygit2.Oid | None,
    changes: Mapping[str, TreeEntry | None],
) -> pygit2.Oid:
    """Return the id of ``base`` with ``changes`` applied (None deletes a path).

    Paths are '/'-separated and relative to the root. A file may replace a
    directory and a directory may replace a file, as in the working tree.
    Empty directories vanish, because git trees cannot hold them.
    """
    base_tree = repo[base].peel(pygit2.Tree) if base is not None else None
    written = _write(repo, base_tree, dict(changes))
    if written is None:
        return repo.TreeBuilder().write()
    return written


def _write(
    repo: pygit2.Repository,
    tree: pygit2.Tree | None,
    changes: dict[str, TreeEntry | None],
) -> pygit2.Oid | None:
    here: dict[str, TreeEntry | None] = {}
    below: dict[str, dict[str, TreeEntry | None]] = {}
    for path, entry in changes.items():
        head, sep, rest = path.partition("/")
        if sep:
            below.setdefault(head, {})[rest] = entry
        else:
            here[head] = entry
    builder = repo.TreeBuilder(tree) if tree is not None else repo.TreeBuilder()
    for name, sub_changes in below.items():
        if here.get(name) is not None:
            continue  # a file now stands where a directory was
        new_sub = _write(repo, _subtree(tree, name), sub_changes)
        if new_sub is None:
            _remove(builder, name)
        else:
            builder.insert(name, new_sub, TREE_MODE)
    for name, entry in here.items():
        if entry is not None:
            builder.insert(name, entry.oid, entry.mode)
        elif name not in below:
            _remove(builder, name)
    if len(builder) == 0:
        return None
    return builder.write()


def _subtree(tree: pygit2.Tree | None, name: str) -> pygit2.Tree | None:
    if tree is None or name not in tree:
        return None
    obj = tree[name]
    return obj if isinstance(obj, pygit2.Tree) else None


def _remove(builder: pygit2.TreeBuilder, name: str) -> None:
    if builder.get(name) is not None:
        builder.remove(name)
