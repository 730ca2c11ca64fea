"""The files of one artifact directory that travel in a bundle.

Everything under the directory goes, in a stable order (each directory before
its contents, names sorted), except what only matters to a running process:
the lock and its claim and break files, the disk space reserve, the
checkpoint directory, the files an earlier attempt left behind
(``.furu/leftovers/``), and furu's temp files. Symlinks travel as symlinks when they stay inside the artifact,
judged as the importer will judge them (:mod:`furu.share.links`: resolved
through the other links on disk, not lexically); a symlink leading elsewhere
or into ``.furu/``, a fifo or a socket is left out with a warning. An alias
left by ``furu migrate`` carries its owner's files in place of its links
(:func:`list_alias`).
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from furu.atomic import TEMP_MARKER
from furu.layout import CHECKPOINT_DIR, INTERNAL_DIR, LEFTOVERS_DIR, LOCK_FILE
from furu.reserve import RESERVE_FILE
from furu.share.links import LinkProblem, disk_lookup, link_problem

_LOCK = f"{INTERNAL_DIR}/{LOCK_FILE}"
_RESERVE = f"{INTERNAL_DIR}/{RESERVE_FILE}"
_PROCESS_DIRS = (f"{INTERNAL_DIR}/{CHECKPOINT_DIR}", f"{INTERNAL_DIR}/{LEFTOVERS_DIR}")


@dataclass(frozen=True)
class Found:
    path: str  # relative, '/'-separated
    kind: Literal["file", "dir", "symlink"]
    source: str  # absolute path
    size: int = 0
    mode: int = 0o644
    mtime: float = 0.0
    target: str | None = None


@dataclass
class Listing:
    entries: list[Found] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(entry.size for entry in self.entries)


def excluded(path: str) -> bool:
    """Whether a relative path is process-local state that never travels."""
    if TEMP_MARKER in posixpath.basename(path):
        return True
    if path in (_LOCK, _RESERVE) or path.startswith(_LOCK + "."):
        return True
    return any(path == top or path.startswith(top + "/") for top in _PROCESS_DIRS)


def list_artifact(root: str, *, internal: bool = True, include: Callable[[str], bool] | None = None) -> Listing:
    """The entries of the artifact at ``root`` that belong in a bundle (``internal=False``: results only).

    ``include`` picks among the top-level names (and so whole subtrees).
    """
    listing = Listing()
    lookup = disk_lookup(root)
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:  # a directory's entry always comes before its contents; names sorted
        directory, prefix = stack.pop()
        try:
            with os.scandir(directory) as items:
                children = sorted(items, key=lambda item: item.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        subdirs: list[tuple[str, str]] = []
        for item in children:
            rel = f"{prefix}{item.name}"
            if excluded(rel) or (not internal and rel == INTERNAL_DIR) or (include is not None and not prefix and not include(rel)):
                continue
            info = item.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                listing.entries.append(Found(rel, "dir", item.path, mode=0o755, mtime=info.st_mtime))
                subdirs.append((item.path, rel + "/"))
            elif stat.S_ISLNK(info.st_mode):
                target = os.readlink(item.path)
                problem = link_problem(rel, target, lookup)
                if problem is not None:
                    listing.left_out.append(f"{rel}: a symlink to {target}, {_why(problem)}")
                    continue
                listing.entries.append(Found(rel, "symlink", item.path, mtime=info.st_mtime, target=target))
            elif stat.S_ISREG(info.st_mode):
                mode = 0o755 if info.st_mode & 0o111 else 0o644
                listing.entries.append(Found(rel, "file", item.path, info.st_size, mode, info.st_mtime))
            else:
                listing.left_out.append(f"{rel}: neither a file, a directory nor a symlink")
        stack.extend(reversed(subdirs))
    return listing


def list_alias(root: str, owner: str) -> Listing:
    """The entries of an alias (``furu migrate --policy alias``): its own records, and its owner's files.

    An alias's result entries are links into the artifact that holds the
    files. A bundle carries those files in their place, as the owner holds
    them, so the receiver gets a whole result without the owner.
    """
    real_owner = os.path.realpath(owner)
    with os.scandir(root) as items:
        linked = {
            item.name for item in items
            if item.is_symlink() and os.path.realpath(item.path) == os.path.join(real_owner, item.name)
        }
    own = list_artifact(root, include=lambda name: name not in linked)
    files = list_artifact(owner, internal=False, include=lambda name: name in linked)
    return Listing(sorted([*own.entries, *files.entries], key=lambda found: found.path), [*own.left_out, *files.left_out])


def _why(problem: LinkProblem) -> str:
    through = f" through {problem.via[0]} -> {problem.via[1]}" if problem.via is not None else ""
    if problem.reason in ("absolute", "outside"):
        return f"outside the artifact{through}"
    if problem.reason == "loop":
        return f"a loop of symlinks{through}"
    if problem.reason == "internal":
        return f"into furu's own {INTERNAL_DIR}/ records{through}"
    return f"inside furu's own {INTERNAL_DIR}/ records"
