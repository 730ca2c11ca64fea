"""Where a symlink inside an artifact really leads, resolved the way the kernel would.

``posixpath.normpath`` is not enough to judge a link: it folds ``d/..`` away
lexically, but the kernel resolves ``d`` first, and when ``d`` is itself a
symlink, ``d/..`` is the parent of ``d``'s *target*. A bundle holding
``up -> ..`` and ``x -> d0/../up/..`` looks lexically inside its artifact and
leads out of it. :func:`link_problem` therefore walks a link's target one
component at a time through a tree (the bundle's entries on import, the disk
on export), expanding every symlink it meets, including the final one, with
the kernel's limit of :data:`MAX_HOPS` expansions for cycles. A component
that does not exist (a dangling link) is walked lexically from there on.

A link is refused when the walk ever climbs above the artifact directory
(even if a later part of the target would come back in: where it lands then
depends on names outside the artifact), when any link on the way has an
absolute target, when it loops, when it ends in the artifact's ``.furu/``
(furu writes its own records there and would write through the link), and
when the link itself lies inside ``.furu/``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from furu.layout import INTERNAL_DIR

MAX_HOPS = 40
"""Symlink expansions allowed while resolving one link, as Linux's ``MAXSYMLINKS``."""

NodeKind = Literal["file", "dir", "symlink"]


@dataclass(frozen=True)
class Node:
    """What is at one path of an artifact: its kind, and a symlink's target."""

    kind: NodeKind
    target: str | None = None


Lookup = Callable[[str], Node | None]
"""The node at a '/'-separated path relative to the artifact directory ('' is the directory), or None."""

Reason = Literal["absolute", "outside", "loop", "internal", "in-internal"]


@dataclass(frozen=True)
class LinkProblem:
    """Why a symlink is unsafe; ``via`` is the other symlink (path, target) that led the walk astray."""

    reason: Reason
    via: tuple[str, str] | None = None

    def describe(self, name: str = "") -> str:
        """The problem as the end of a sentence starting "symlink X -> T"; ``name`` prefixes ``via``'s path."""
        through = f" through the symlink {name + self.via[0]!r} -> {self.via[1]!r}" if self.via is not None else ""
        if self.reason == "absolute":
            if self.via is None:
                return "leads outside its artifact (absolute target)."
            return f"leads outside its artifact{through}, which has an absolute target."
        if self.reason == "outside":
            return f"leads outside its artifact{through}."
        if self.reason == "loop":
            if self.via is None:
                return f"never resolves: it points back to itself (more than {MAX_HOPS} symlinks followed)."
            last = f"{name + self.via[0]!r} -> {self.via[1]!r}"
            return f"never resolves: it loops (more than {MAX_HOPS} symlinks followed, the last {last})."
        if self.reason == "internal":
            return f"leads into the artifact's {INTERNAL_DIR}/ directory{through}, where furu writes its own records."
        return f"lies inside the artifact's {INTERNAL_DIR}/ directory, where furu writes its own records."


def link_problem(path: str, target: str, lookup: Lookup) -> LinkProblem | None:
    """Why the symlink at ``path`` (relative to its artifact) with ``target`` is unsafe, or None if it stays inside."""
    parts = path.split("/")
    if parts[0] == INTERNAL_DIR:
        return LinkProblem("in-internal")
    if _is_absolute(target):
        return LinkProblem("absolute")
    own = (path, target)
    here: list[str] = parts[:-1]
    # Components still to walk, each with the link whose target it came from.
    pending: list[tuple[str, tuple[str, str]]] = [(part, own) for part in reversed(target.split("/"))]
    hops = 0
    last: tuple[str, str] | None = None  # the last symlink expanded other than this one
    while pending:
        part, origin = pending.pop()
        if part in ("", "."):
            continue
        if part == "..":
            if not here:
                return LinkProblem("outside", last)
            here.pop()
            continue
        candidate = "/".join([*here, part])
        node = lookup(candidate)
        if node is None or node.kind != "symlink":
            here.append(part)  # a directory, a file, or nothing (a dangling link: walked lexically)
            continue
        hops += 1
        inner = (candidate, node.target or "")
        if inner != own:
            last = inner
        if hops > MAX_HOPS:
            return LinkProblem("loop", last)
        if not node.target or _is_absolute(node.target):
            return LinkProblem("absolute", inner)
        pending.extend((piece, inner) for piece in reversed(node.target.split("/")))
    if here and here[0] == INTERNAL_DIR:
        return LinkProblem("internal", last)
    return None


def _is_absolute(target: str) -> bool:
    return target.startswith(("/", "\\")) or (len(target) > 1 and target[1] == ":") or "\x00" in target


def disk_lookup(root: str) -> Lookup:
    """A :data:`Lookup` over the artifact directory ``root`` on disk (nothing is followed)."""

    def lookup(path: str) -> Node | None:
        full = os.path.join(root, *path.split("/")) if path else root
        try:
            info = os.lstat(full)
        except OSError:  # missing, under a file, or unreadable: the kernel could not follow it either
            return None
        if stat.S_ISLNK(info.st_mode):
            return Node("symlink", os.readlink(full))
        return Node("dir" if stat.S_ISDIR(info.st_mode) else "file")

    return lookup


def tree_lookup(nodes: dict[str, Node]) -> Lookup:
    """A :data:`Lookup` over the entries of one artifact as extraction will create them.

    Directories that only appear as the parent of an entry exist after
    extraction too (they are made on the way), so they count as directories.
    """
    implied: dict[str, Node] = {}
    for path in nodes:
        parts = path.split("/")
        for index in range(1, len(parts)):
            implied.setdefault("/".join(parts[:index]), Node("dir"))
    implied.update(nodes)
    # On a case-insensitive filesystem (macOS, Windows) 'D/UP' opens the entry 'd/up': a name that matches
    # nothing exactly is judged as the link it may become there.
    folded = {path.casefold(): node for path, node in implied.items() if node.kind == "symlink"}

    def lookup(path: str) -> Node | None:
        found = implied.get(path)
        return found if found is not None else folded.get(path.casefold())

    return lookup
