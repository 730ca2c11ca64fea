"""Git's control files, whose lstat proves HEAD, refs, index and config unchanged.

Git (and libgit2) update each of these by writing a lock file and renaming
it into place, so any update gives the path a new inode and ctime: comparing
``(inode, size, mtime, ctime)`` taken *before* reading the file detects every
later change without reading it again.
"""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
from pygit2.enums import ConfigLevel

from furu.provenance.repository import common_dir

StatSig = tuple[tuple[int, int, int, int] | None, ...]


def relative_to_workdir(paths: tuple[str, ...], workdir: Path) -> tuple[str, ...]:
    """Work-tree-relative '/'-paths of the excluded directories inside the work tree."""
    root = os.path.realpath(workdir)
    relative = []
    for path in paths:
        rel = os.path.relpath(path, root)
        if rel != "." and not rel.startswith(".." + os.sep) and rel != "..":
            relative.append(rel.replace(os.sep, "/"))
    return tuple(relative)


def control_paths(repo: pygit2.Repository) -> tuple[str, ...]:
    """Files whose change can change a snapshot: HEAD, index, refs, config, ignore rules.

    Includes the global and system config and excludes files libgit2 reads,
    and ``core.excludesFile``. Missing files count too (their appearance is
    a change).
    """
    git_dir = Path(repo.path)
    common = common_dir(repo)
    paths = [
        git_dir / "HEAD",
        git_dir / "index",
        git_dir / "config.worktree",
        common / "packed-refs",
        common / "config",
        common / "info" / "exclude",
        common / "info" / "attributes",
    ]
    search = pygit2.settings.search_path
    for level, names in (
        (ConfigLevel.GLOBAL, (".gitconfig",)),
        (ConfigLevel.XDG, ("config", "ignore", "attributes")),
        (ConfigLevel.SYSTEM, ("gitconfig",)),
    ):
        for directory in (search[level] or "").split(os.pathsep):
            if directory:
                paths.extend(Path(directory) / name for name in names)
    try:
        excludes = repo.config["core.excludesFile"]
    except (KeyError, pygit2.GitError):
        excludes = None
    if isinstance(excludes, str) and excludes:
        paths.append(Path(os.path.expanduser(excludes)))
    return tuple(str(p) for p in paths)


def head_ref_path(repo: pygit2.Repository) -> str | None:
    """The loose ref file of the branch HEAD points at (None when detached)."""
    try:
        head = repo.references["HEAD"]
    except (KeyError, pygit2.GitError):
        return None
    if head.type != pygit2.enums.ReferenceType.SYMBOLIC:
        return None
    return str(common_dir(repo) / str(head.target))


def stat_all(paths: tuple[str, ...]) -> StatSig:
    """``(inode, size, mtime, ctime)`` of each path, None where it does not exist."""
    sigs: list[tuple[int, int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            sigs.append(None)
        else:
            sigs.append((st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return tuple(sigs)
