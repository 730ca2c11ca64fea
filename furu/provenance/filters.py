"""Clean filters: hash a file as ``git add`` would store it, not as it sits on disk.

A ``.gitattributes`` line such as ``*.ipynb filter=strip`` makes ``git add``
pipe the file through ``git config filter.strip.clean`` (git-lfs and
``working-tree-encoding`` work the same way). libgit2 applies its built-in
line-ending and ``ident`` filters but not external drivers, so those paths
are hashed by the git CLI (``git hash-object -w --stdin-paths`` applies
every filter, exactly as ``git add`` does).

Asking libgit2 for each changed file's attributes costs time on every
capture; a tree with no attribute file mentioning a filter (the common case)
skips that: :func:`filters_possible` reads only the attribute files that can
apply to the changed paths, once per capture.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pygit2

from furu.errors import FuruGitError
from furu.provenance.repository import common_dir, run_git

_MARKERS = (b"filter", b"working-tree-encoding")
_FILTER_ATTRIBUTES = ("filter", "working-tree-encoding")


def filters_possible(repo: pygit2.Repository, index: pygit2.Index, paths: Iterable[str]) -> bool:
    """Whether any attribute file that applies to ``paths`` mentions a filter or an encoding.

    Looks at ``.gitattributes`` in each path's directory and its ancestors
    (the working-tree file, else the staged one, as ``git add`` reads them),
    ``info/attributes``, ``core.attributesFile`` and the global attributes file.
    """
    workdir = Path(repo.workdir)
    directories: set[str] = set()
    for path in paths:
        parent = path.rstrip("/")
        while parent:
            parent = parent.rpartition("/")[0]
            if parent in directories:
                break
            directories.add(parent)
    for directory in directories:
        rel = f"{directory}/.gitattributes" if directory else ".gitattributes"
        if _mentions_filter(_read_worktree_or_index(repo, index, workdir, rel)):
            return True
    return any(_mentions_filter(_read(path)) for path in _global_attribute_files(repo))


def filtered_paths(repo: pygit2.Repository, paths: Iterable[str]) -> set[str]:
    """The paths whose attributes name a filter driver or a working-tree encoding."""
    chosen = set()
    for path in paths:
        for name in _FILTER_ATTRIBUTES:
            try:
                value = repo.get_attr(path, name)
            except pygit2.GitError as exc:
                raise FuruGitError(
                    f"Could not read the git attributes of {path} in {repo.workdir}: {exc}. "
                    "Check the .gitattributes files there (`git check-attr -a -- <path>`)."
                ) from exc
            if isinstance(value, str):
                chosen.add(path)
                break
    return chosen


def hash_with_git(workdir: Path, paths: list[str]) -> dict[str, pygit2.Oid]:
    """Write each file as ``git add`` would store it (filters applied); its blob id.

    One ``git hash-object`` process for all paths; a path git would read
    differently from stdin (a newline in it, a leading quote) gets its own.
    """
    oids: dict[str, pygit2.Oid] = {}
    batch = [p for p in paths if "\n" not in p and not p.startswith('"')]
    if batch:
        stdin = "\n".join(batch) + "\n"
        result = run_git(["hash-object", "-w", "--stdin-paths"], cwd=workdir, stdin=stdin)
        _check(result.returncode, result.stderr, workdir, batch)
        for path, line in zip(batch, result.stdout.split(), strict=True):
            oids[path] = pygit2.Oid(hex=line)
    for path in paths:
        if path not in oids:
            result = run_git(["hash-object", "-w", "--", path], cwd=workdir)
            _check(result.returncode, result.stderr, workdir, [path])
            oids[path] = pygit2.Oid(hex=result.stdout.strip())
    return oids


def _check(returncode: int, stderr: str, workdir: Path, paths: list[str]) -> None:
    if returncode != 0:
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        raise FuruGitError(
            f"`git hash-object` could not apply the clean filter to {shown} in {workdir}: "
            f"{stderr.strip()}. Check the filter named in .gitattributes and its "
            "`git config filter.<name>.clean` command (`git add` fails the same way)."
        )


def _mentions_filter(data: bytes | None) -> bool:
    return data is not None and any(marker in data for marker in _MARKERS)


def _read_worktree_or_index(
    repo: pygit2.Repository, index: pygit2.Index, workdir: Path, rel: str
) -> bytes | None:
    data = _read(workdir / rel)
    if data is not None:
        return data
    try:
        entry = index[rel]
    except KeyError:
        return None
    blob = repo.get(entry.id)
    return blob.data if isinstance(blob, pygit2.Blob) else None


def _global_attribute_files(repo: pygit2.Repository) -> list[Path]:
    """``info/attributes``, ``core.attributesFile`` and the XDG default that git reads."""
    files = [common_dir(repo) / "info" / "attributes"]
    try:
        configured = repo.config["core.attributesFile"]
    except (KeyError, pygit2.GitError):
        configured = None
    if configured:
        files.append(Path(os.path.expanduser(configured)))
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    files.append(Path(xdg) / "git" / "attributes")
    search = pygit2.settings.search_path[pygit2.enums.ConfigLevel.XDG] or ""
    files.extend(Path(d) / "attributes" for d in search.split(os.pathsep) if d)
    return files


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
