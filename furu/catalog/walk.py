"""Walking the data roots: which class directories exist, and the artifact names in each.

The namespace tree (module and class directories) is remembered in the
index's manifest with each directory's ctime; a directory whose ctime is
unchanged has the same entries, so it is not listed again. A class directory
with 30,000 artifacts is then one ``stat`` instead of 30,000 directory entries.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from furu.catalog.entry import NO_STAMP
from furu.catalog.reading import is_hidden


@dataclass(slots=True)
class DirIndex:
    """What the index remembers of one directory of the namespace tree (a module or class directory)."""

    stamp: int
    """ctime_ns when listed (-1: list it again)."""
    subdirs: list[str] = field(default_factory=list)
    """Namespace subdirectories (not artifacts)."""
    has_artifacts: bool = False
    artifacts: int = 0
    """How many artifact directories it held when listed."""


@dataclass(frozen=True)
class ClassDir:
    """A directory holding artifact directories (``<root>/<module parts>/<QualName>``)."""

    path: str
    fqn: str
    version_controlled: bool
    names: list[str] | None  # None: unchanged since the manifest listed it
    stamp: int  # its ctime, or NO_STAMP when too recent to trust
    count: int  # how many artifacts it holds


@dataclass
class TreeWalk:
    """One walk over the roots; ``seen`` is the manifest for next time, ``listed`` says whether it changed."""

    roots: list[tuple[Path, bool]]
    known: dict[str, DirIndex]
    racy_after: int
    seen: dict[str, DirIndex] = field(default_factory=dict)
    listed: bool = False

    def __iter__(self) -> Iterator[ClassDir]:
        for root, version_controlled in self.roots:
            stack: list[tuple[str, tuple[str, ...]]] = [(str(root.absolute()), ())]
            while stack:
                path, parts = stack.pop()
                try:
                    stamp = os.stat(path).st_ctime_ns
                except OSError:
                    continue
                before = self.known.get(path)
                names: list[str] | None
                if before is not None and before.stamp == stamp and stamp < self.racy_after:
                    subdirs, names, count = before.subdirs, (None if before.has_artifacts else []), before.artifacts
                else:
                    listed = list_dir(path)
                    if listed is None:
                        continue
                    subdirs, names = listed
                    count = len(names)
                    self.listed = True
                stamp = stamp if stamp < self.racy_after else NO_STAMP
                self.seen[path] = DirIndex(stamp=stamp, subdirs=subdirs, has_artifacts=names is None or bool(names), artifacts=count)
                stack.extend((f"{path}/{name}", (*parts, name)) for name in subdirs)
                if parts and (names is None or names):
                    yield ClassDir(path, ".".join(parts), version_controlled, names, stamp, count)


def list_dir(path: str) -> tuple[list[str], list[str]] | None:
    """``(namespace subdirectories, artifact names)`` of one directory; None when it is gone."""
    subdirs: list[str] = []
    names: list[str] = []
    try:
        with os.scandir(path) as items:
            for item in items:
                name = item.name
                if len(name) == 32 and not name.strip("0123456789abcdef"):
                    names.append(name)
                elif not is_hidden(name) and item.is_dir(follow_symlinks=False):
                    subdirs.append(name)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    return subdirs, names


def artifact_names(path: str) -> list[str]:
    listed = list_dir(path)
    return listed[1] if listed is not None else []
