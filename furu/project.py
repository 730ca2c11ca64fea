"""Finding the project root: the directory whose ``furu-data/`` holds the cache.

The root is the nearest ancestor of the working directory that has a
``pyproject.toml`` (else a ``.gitignore``). Inside a linked git worktree the
root maps onto the main worktree, so every worktree of a repository shares
one cache instead of recomputing everything per checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from furu.errors import FuruProjectRootError

_MARKERS = ("pyproject.toml", ".gitignore")

_root_cache: dict[str, Path] = {}


def project_root(cwd: str | None = None) -> Path:
    """Return the project root for ``cwd`` (default: the working directory)."""
    cwd = cwd or os.getcwd()
    root = _root_cache.get(cwd)
    if root is None:
        root = _main_worktree_equivalent(_find_marked_ancestor(Path(cwd)))
        _root_cache[cwd] = root
    return root


def code_root(cwd: str | None = None) -> Path | None:
    """The nearest marked ancestor of ``cwd``: where this checkout's code lives.

    Unlike :func:`project_root` it is never mapped onto the main worktree, so
    code imported from a linked worktree is that worktree's own. None when no
    ancestor is marked.
    """
    try:
        return _find_marked_ancestor(Path(cwd or os.getcwd()))
    except FuruProjectRootError:
        return None


def clear_project_cache() -> None:
    """Forget discovered roots (tests that create projects on the fly call this)."""
    _root_cache.clear()


def _find_marked_ancestor(start: Path) -> Path:
    for marker in _MARKERS:
        for directory in (start, *start.parents):
            if (directory / marker).is_file():
                return directory
    raise FuruProjectRootError(
        f"No project root found: neither {start} nor any parent has a pyproject.toml or "
        ".gitignore. Run from inside your project, or set FURU_PATH to the directory "
        "that should hold furu's data."
    )


def _main_worktree_equivalent(root: Path) -> Path:
    """Map ``root`` inside a linked worktree to the same place in the main worktree."""
    for directory in (root, *root.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            return root
        if dot_git.is_file():
            main_top = _main_worktree_top(dot_git)
            if main_top is None:
                return root
            return main_top / root.relative_to(directory)
    return root


def _main_worktree_top(dot_git_file: Path) -> Path | None:
    """Follow ``.git`` -> ``gitdir`` -> ``commondir`` to the main worktree's top level."""
    text = dot_git_file.read_text(encoding="utf-8").strip()
    if not text.startswith("gitdir:"):
        return None
    gitdir = Path(text.removeprefix("gitdir:").strip())
    if not gitdir.is_absolute():
        gitdir = (dot_git_file.parent / gitdir).resolve()
    commondir_file = gitdir / "commondir"
    if not commondir_file.is_file():
        return None  # a submodule's .git file, not a linked worktree
    common = Path(commondir_file.read_text(encoding="utf-8").strip())
    if not common.is_absolute():
        common = (gitdir / common).resolve()
    return common.parent
