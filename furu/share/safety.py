"""Checking every tar entry of a bundle before a byte of it is written anywhere.

An entry is accepted only when it is one of the bundle's own files (header,
manifest, code bundle) or a plain file, directory or symlink inside one
artifact directory, ``data/<module parts>/<QualName>/<hash>/...`` or
``artifacts/...``. Refused, each with a :class:`FuruBundleUnsafe` naming it:
absolute names and ``..`` parts, symlinks whose target leaves the artifact,
hard links, devices, fifos, sparse files, entries written through a symlink,
duplicates, and entries after the manifest. The manifest check (every entry
listed, every listed entry present, sizes and digests equal) follows once the
manifest, the last entry, has been read.

Where a symlink leads depends on the other entries (an inner ``up -> ..``
makes ``x -> d/../up/..`` climb out), which may come before or after it in
the archive. So :meth:`EntryChecker.finish` judges every symlink once the
whole member list is known, against the tree as extraction will create it
(:mod:`furu.share.links`); the extractor creates no symlink before that, so
no write can go through one.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from furu.share.errors import FuruBundleInvalid, FuruBundleUnsafe
from furu.share.links import Node, link_problem, tree_lookup
from furu.share.manifest import ARTIFACTS_PREFIX, CODE_MEMBER, DATA_PREFIX, HEADER_MEMBER, MANIFEST_MEMBER

Role = Literal["header", "manifest", "code", "artifact"]
Kind = Literal["file", "dir", "symlink"]


@dataclass(frozen=True)
class Place:
    """Where a checked entry belongs."""

    role: Role
    kind: Kind
    version_controlled: bool = False
    location: str = ""  # <module parts>/<QualName>/<hash>, for artifact entries
    path: str = ""  # inside the artifact directory

    @property
    def prefix(self) -> str:
        return f"{ARTIFACTS_PREFIX if self.version_controlled else DATA_PREFIX}{self.location}/"


class EntryChecker:
    """Checks the entries of one bundle in archive order."""

    def __init__(self, bundle: Path) -> None:
        self.bundle = bundle
        self.names: set[str] = set()
        self.symlinks: set[str] = set()
        self.artifacts: dict[str, dict[str, Node]] = {}  # member prefix -> path inside -> node
        self.count = 0
        self.manifest_seen = False

    def check(self, member: tarfile.TarInfo) -> Place:
        name = member.name.rstrip("/") if member.isdir() else member.name
        self._check_name(name)
        if self.manifest_seen:
            self._refuse(f"entry {name!r} comes after {MANIFEST_MEMBER}, which must be the last entry.")
        if name in self.names:
            self._refuse(f"entry {name!r} appears twice.")
        self.names.add(name)
        self.count += 1
        if self.count == 1 and name != HEADER_MEMBER:
            raise FuruBundleInvalid(
                self.bundle, f"it is not a furu bundle: its first entry is {name!r}, not {HEADER_MEMBER}."
            )
        kind = self._kind(name, member)
        if name in (HEADER_MEMBER, MANIFEST_MEMBER, CODE_MEMBER):
            if kind != "file" or (name == HEADER_MEMBER and self.count != 1):
                self._refuse(f"entry {name!r} is not where or what the bundle format says.")
            self.manifest_seen = name == MANIFEST_MEMBER
            role: Role = "header" if name == HEADER_MEMBER else "manifest" if name == MANIFEST_MEMBER else "code"
            return Place(role, kind)
        place = self._artifact_place(name, kind)
        for parent in _parents(name) if self.symlinks else ():  # most bundles hold no symlink
            if parent in self.symlinks:
                self._refuse(f"entry {name!r} would be written through the symlink {parent!r}.")
        target = member.linkname if kind == "symlink" else None
        if target is not None:
            self._check_symlink_target(name, target)
            self.symlinks.add(name)
        self.artifacts.setdefault(place.prefix, {})[place.path] = Node(kind, target)
        return place

    def finish(self) -> None:
        """Judge every symlink against the whole tree; call once all entries were checked, before creating links."""
        for prefix, nodes in self.artifacts.items():
            lookup = tree_lookup(nodes)
            links = sorted(path for path, node in nodes.items() if node.kind == "symlink")
            parents = {parent for path in nodes for parent in _parents(path)}
            for path in links:
                if path in parents:  # an entry before the link in the archive would be written through it
                    below = min(other for other in nodes if other.startswith(path + "/"))
                    self._refuse(f"entry {prefix + below!r} would be written through the symlink {prefix + path!r}.")
            for path in links:
                target = nodes[path].target or ""
                problem = link_problem(path, target, lookup)
                if problem is not None:
                    self._refuse(f"symlink {prefix + path!r} -> {target!r} {problem.describe(prefix)}")

    def _check_name(self, name: str) -> None:
        if name.startswith("/") or (len(name) > 1 and name[1] == ":") or name.startswith("\\"):
            self._refuse(f"entry {name!r} has an absolute path.")
        parts = name.replace("\\", "/").split("/")
        if ".." in parts:
            self._refuse(f"entry {name!r} has a '..' component.")
        if "\x00" in name or any(part in ("", ".") for part in parts):
            self._refuse(f"entry {name!r} is not a plain relative path.")

    def _kind(self, name: str, member: tarfile.TarInfo) -> Kind:
        if member.islnk():
            target = member.linkname
            outside = target.startswith("/") or ".." in target.split("/") or not _same_artifact(name, target)
            where = "leads outside its artifact" if outside else "is a hard link, which furu bundles never contain"
            self._refuse(f"entry {name!r} -> {target!r} {where}.")
        if member.ischr() or member.isblk():
            self._refuse(f"entry {name!r} is a device file.")
        if member.isfifo():
            self._refuse(f"entry {name!r} is a fifo.")
        if member.sparse is not None or member.type == tarfile.GNUTYPE_SPARSE:
            self._refuse(f"entry {name!r} is a sparse file, which furu bundles never contain.")
        if member.issym():
            return "symlink"
        if member.isdir():
            return "dir"
        if member.isreg():
            return "file"
        self._refuse(f"entry {name!r} has the unsupported tar type {member.type!r}.")
        raise AssertionError  # unreachable: _refuse raises

    def _artifact_place(self, name: str, kind: Kind) -> Place:
        for prefix, version_controlled in ((DATA_PREFIX, False), (ARTIFACTS_PREFIX, True)):
            if name.startswith(prefix):
                parts = name[len(prefix) :].split("/")
                for index in range(2, len(parts)):
                    if _is_hash(parts[index]):
                        location, path = "/".join(parts[: index + 1]), "/".join(parts[index + 1 :])
                        if path:
                            return Place("artifact", kind, version_controlled, location, path)
                        break
        self._refuse(f"entry {name!r} is not listed in the manifest (not a file inside an artifact directory).")
        raise AssertionError  # unreachable

    def _check_symlink_target(self, name: str, target: str) -> None:
        """What can be judged from the link alone, at once (before reading gigabytes more of the bundle)."""
        if not target or target.startswith("/") or target.startswith("\\") or "\x00" in target:
            self._refuse(f"symlink {name!r} -> {target!r} leads outside its artifact (absolute target).")

    def _refuse(self, problem: str) -> None:
        raise FuruBundleUnsafe(self.bundle, problem)


def _parents(name: str) -> list[str]:
    parts = name.split("/")
    return ["/".join(parts[:index]) for index in range(1, len(parts))]


def _is_hash(part: str) -> bool:
    return len(part) == 32 and not part.strip("0123456789abcdef")


def _same_artifact(name: str, target: str) -> bool:
    """Whether two member names lie in the same artifact directory."""

    def root(member: str) -> str | None:
        parts = member.split("/")
        for index in range(3, len(parts)):
            if _is_hash(parts[index]):
                return "/".join(parts[: index + 1])
        return None

    found = root(name)
    return found is not None and found == root(target)
