"""Reading a bundle: check each entry, stream it into staging while hashing, then verify it all.

``receive`` reads the tar front to back once. Each entry is checked
(:mod:`furu.share.safety`) before anything is written; a file's bytes go in
1 MiB chunks from the bundle to its staged copy (or nowhere, for a dry run),
hashed and sniffed on the way. Symlinks are created last, once every one of
them was judged against the whole tree, so no entry is ever written through
one (files are opened ``O_EXCL | O_NOFOLLOW`` in a fresh staging directory).
``verify`` then holds what was received against the manifest: every entry
listed, every listed entry present, sizes, digests and link targets equal,
each artifact complete and really the one the manifest names.
"""

from __future__ import annotations

import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xxhash
from pydantic_core import from_json

from furu.errors import FuruNotFound
from furu.layout import INTERNAL_DIR, METADATA_FILE, SUCCESS_FILE
from furu.metadata import Metadata
from furu.share.errors import (
    FuruBundleCorrupt,
    FuruBundleInvalid,
    FuruBundleTruncated,
    FuruBundleUnsafe,
)
from furu.share.manifest import (
    CODE_MEMBER,
    HEADER_MEMBER,
    MANIFEST_MEMBER,
    BundleHeader,
    BundleManifest,
    ExperimentEntry,
    PickleFormat,
    parse_record,
)
from furu.share.safety import EntryChecker, Place
from furu.share.sniff import PickleSniffer
from furu.share.staging import Staging
from furu.share.tarwriter import CHUNK

KEPT = (f"{INTERNAL_DIR}/{METADATA_FILE}", f"{INTERNAL_DIR}/{SUCCESS_FILE}")
"""Small furu files kept in memory too, to check each artifact is the one the manifest names."""
MAX_HEADER_BYTES = 1 << 20
MAX_MANIFEST_BYTES = 1 << 28
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass
class Seen:
    """One entry as received."""

    kind: str
    size: int = 0
    digest: str | None = None
    target: str | None = None
    pickled: PickleFormat | None = None


@dataclass
class Received:
    header: BundleHeader | None = None
    manifest: BundleManifest | None = None
    entries: dict[str, Seen] = field(default_factory=dict)
    code: Seen | None = None
    kept: dict[str, bytes] = field(default_factory=dict)
    links: list[tuple[str, Place]] = field(default_factory=list)
    bytes_read: int = 0


def _ignore(n: int) -> None:
    return None


def receive(bundle: Path, staging: Staging | None, advance: Callable[[int], None] = _ignore) -> Received:
    """Check and read every entry; with ``staging``, write artifact files and the code bundle there."""
    try:
        tar = tarfile.open(bundle, "r:")
    except FileNotFoundError:
        raise FuruNotFound(f"No bundle at {bundle}.") from None
    except (tarfile.TarError, OSError) as error:
        raise FuruBundleInvalid(bundle, f"it is not a tar file, so not a furu bundle ({error}).") from None
    checker = EntryChecker(bundle)
    received = Received()
    buffer = memoryview(bytearray(CHUNK))
    tree = _Tree(staging) if staging is not None else None
    last = "(the start)"
    with tar, open(bundle, "rb", buffering=0) as raw:
        reader = _Reader(bundle, raw.fileno(), buffer, advance)
        try:
            for member in tar:
                place = checker.check(member)
                last = member.name
                if place.role == "header":
                    received.header = parse_record(
                        reader.small(member, MAX_HEADER_BYTES), BundleHeader, bundle, HEADER_MEMBER
                    )
                elif place.role == "manifest":
                    received.manifest = parse_record(
                        reader.small(member, MAX_MANIFEST_BYTES), BundleManifest, bundle, MANIFEST_MEMBER
                    )
                elif place.role == "code":
                    out = staging.code_path if staging is not None else None
                    received.code = reader.file(member, out, PickleSniffer(CODE_MEMBER), keep=None)
                else:
                    received.entries[member.name.rstrip("/")] = _artifact_entry(
                        reader, member, place, tree, received
                    )
        except tarfile.TarError as error:
            raise FuruBundleTruncated(
                bundle, f"the archive is damaged or cut short after entry {last!r} ({error})."
            ) from None
        received.bytes_read = reader.total
    checker.finish()
    if staging is not None:
        _create_links(bundle, received, staging)
    if received.header is None:
        raise FuruBundleInvalid(bundle, f"it is not a furu bundle: there is no {HEADER_MEMBER}.")
    if received.manifest is None:
        raise FuruBundleTruncated(
            bundle, f"it ends after entry {last!r}, before {MANIFEST_MEMBER} (the last entry): the file is truncated."
        )
    return received


def _artifact_entry(
    reader: _Reader, member: tarfile.TarInfo, place: Place, tree: _Tree | None, received: Received
) -> Seen:
    if place.kind == "symlink":  # created by _create_links, once all links were judged
        received.links.append((member.name, place))
        return Seen("symlink", target=member.linkname)
    target = tree.path(place) if tree is not None else None
    try:
        if place.kind == "dir":
            if tree is not None and target is not None:
                tree.make(target)
            return Seen("dir")
        if tree is not None and target is not None:
            tree.make(os.path.dirname(target))
        keep = place.path if place.path in KEPT else None
        seen = reader.file(member, target, PickleSniffer(place.path), keep=keep, mode=member.mode)
        if keep is not None:
            received.kept[member.name] = reader.kept
        return seen
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise FuruBundleUnsafe(reader.bundle, f"entry {member.name!r} conflicts with an earlier entry.") from None


class _Tree:
    """Paths in staging as plain strings, and the directories made there, each made once.

    A bundle of many small files would otherwise pay a ``Path`` and a ``mkdir`` per file.
    Remembering a directory is safe: only this import writes in its fresh staging tree, an
    entry that collides with a directory fails its ``O_EXCL`` open, and a directory entry
    that collides with a file still reaches ``makedirs`` (never remembered), which refuses it.
    """

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self.roots: dict[tuple[bool, str], str] = {}
        self.made: set[str] = set()

    def path(self, place: Place) -> str:
        key = (place.version_controlled, place.location)
        root = self.roots.get(key)
        if root is None:
            root = self.roots[key] = str(self.staging.artifact_dir(*key))
        return os.path.join(root, *place.path.split("/"))

    def make(self, directory: str) -> None:
        if directory not in self.made:
            os.makedirs(directory, exist_ok=True)
            self.made.add(directory)


def _create_links(bundle: Path, received: Received, staging: Staging) -> None:
    """Create the bundle's symlinks in staging; only after ``EntryChecker.finish`` accepted all of them."""
    for name, place in received.links:
        path = staging.artifact_dir(place.version_controlled, place.location) / place.path
        target = received.entries[name].target or ""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(target, path)
        except (FileExistsError, NotADirectoryError):
            raise FuruBundleUnsafe(bundle, f"entry {name!r} conflicts with an earlier entry.") from None


class _Reader:
    """Reads entry data straight from the bundle file at the offsets tarfile found."""

    def __init__(self, bundle: Path, fd: int, buffer: memoryview, advance: Callable[[int], None]) -> None:
        self.bundle, self.fd, self.buffer, self.advance = bundle, fd, buffer, advance
        self.total = 0
        self.kept = b""

    def small(self, member: tarfile.TarInfo, limit: int) -> bytes:
        if member.size > limit:
            raise FuruBundleInvalid(
                self.bundle, f"entry {member.name!r} is {member.size} bytes, more than {limit} allowed."
            )
        data = os.pread(self.fd, member.size, member.offset_data)
        if len(data) != member.size:
            raise FuruBundleTruncated(
                self.bundle,
                f"entry {member.name!r} is cut short: {len(data)} of {member.size} bytes (the file is truncated).",
            )
        self.total += member.size
        self.advance(member.size)
        return data

    def file(
        self,
        member: tarfile.TarInfo,
        out: str | Path | None,
        sniffer: PickleSniffer,
        *,
        keep: str | None,
        mode: int = 0o644,
    ) -> Seen:
        """Copy one regular entry to ``out`` (or only hash it), checking it is all there."""
        fd = -1
        if out is not None:
            fd = os.open(out, _CREATE, 0o755 if mode & 0o111 else 0o644)
        try:
            hasher = xxhash.xxh3_128()
            view, offset, left = self.buffer, member.offset_data, member.size
            kept: list[bytes] = []
            while left:
                n = os.preadv(self.fd, [view[: min(CHUNK, left)]], offset)
                if n == 0:
                    got = member.size - left
                    raise FuruBundleTruncated(
                        self.bundle,
                        f"entry {member.name!r} is cut short: {got} of {member.size} bytes (the file is truncated).",
                    )
                chunk = view[:n]
                hasher.update(chunk)
                sniffer.feed(chunk)
                if keep is not None:
                    kept.append(bytes(chunk))
                while fd >= 0 and chunk:
                    chunk = chunk[os.write(fd, chunk) :]
                offset += n
                left -= n
                self.total += n
                self.advance(n)
            self.kept = b"".join(kept)
            return Seen("file", member.size, hasher.hexdigest(), pickled=sniffer.result())
        finally:
            if fd >= 0:
                os.close(fd)


def verify(bundle: Path, received: Received, staging: Staging | None) -> BundleManifest:
    """Hold everything received against the manifest; raise on the first difference."""
    manifest = received.manifest
    assert manifest is not None
    expected = manifest.members()
    for name, seen in received.entries.items():
        entry = expected.get(name)
        if entry is None:
            raise FuruBundleUnsafe(bundle, f"entry {name!r} is not listed in the manifest.")
        if entry.kind != seen.kind:
            raise FuruBundleCorrupt(
                bundle, f"entry {name!r} is a {seen.kind} in the archive but a {entry.kind} in the manifest."
            )
        if seen.kind == "file":
            _check_content(bundle, name, seen, entry.size, entry.xxh3_128)
        if seen.kind == "symlink" and seen.target != entry.target:
            raise FuruBundleCorrupt(
                bundle, f"symlink {name!r} points to {seen.target!r}, the manifest says {entry.target!r}."
            )
    for name in expected:
        if name not in received.entries:
            raise FuruBundleTruncated(
                bundle,
                f"entry {name!r} is listed in the manifest but missing from the archive (the bundle is truncated).",
            )
    _verify_code(bundle, manifest, received, staging)
    for experiment in manifest.experiments:
        _verify_identity(bundle, experiment, received)
    return manifest


def _check_content(bundle: Path, name: str, seen: Seen, size: int, digest: str | None) -> None:
    if seen.size != size:
        raise FuruBundleCorrupt(bundle, f"entry {name!r} has {seen.size} bytes; the manifest says {size}.")
    if seen.digest != digest:
        raise FuruBundleCorrupt(
            bundle,
            f"entry {name!r} has xxh3-128 digest {seen.digest}; the manifest says {digest} (altered or damaged).",
        )


def _verify_code(bundle: Path, manifest: BundleManifest, received: Received, staging: Staging | None) -> None:
    if manifest.code is None:
        if received.code is not None:
            raise FuruBundleUnsafe(bundle, f"entry {CODE_MEMBER!r} is not listed in the manifest.")
        return
    if received.code is None:
        raise FuruBundleTruncated(
            bundle,
            f"entry {CODE_MEMBER!r} is listed in the manifest but missing from the archive (the bundle is truncated).",
        )
    _check_content(bundle, CODE_MEMBER, received.code, manifest.code.size, manifest.code.xxh3_128)
    if staging is None:
        return
    from furu.share.gitbundle import bundle_snapshot_ids

    try:
        ids, _ = bundle_snapshot_ids(staging.code_path)
    except (ValueError, OSError) as error:
        raise FuruBundleInvalid(bundle, f"{CODE_MEMBER} is not a usable git bundle: {error}.") from None
    if sorted(ids) != sorted(manifest.code.snapshot_ids):
        raise FuruBundleInvalid(
            bundle,
            f"{CODE_MEMBER} holds snapshots {sorted(ids)}, the manifest says {sorted(manifest.code.snapshot_ids)}.",
        )


def _verify_identity(bundle: Path, experiment: ExperimentEntry, received: Received) -> None:
    prefix = experiment.member_prefix
    success = received.kept.get(prefix + KEPT[1])
    data = received.kept.get(prefix + KEPT[0])
    if success is None or data is None:
        raise FuruBundleInvalid(
            bundle,
            f"{experiment.label} lacks {KEPT[1] if success is None else KEPT[0]}: it is not a finished artifact.",
        )
    metadata = parse_record(data, Metadata, bundle, prefix + KEPT[0])
    try:
        marker = from_json(success)
        marked = (marker["fqn"], marker["hash"])
    except (ValueError, KeyError, TypeError):
        raise FuruBundleInvalid(bundle, f"{prefix + KEPT[1]!r} is not a success marker.") from None
    for what, found in (("metadata.json", (metadata.fqn, metadata.hash)), ("success.json", marked)):
        if found != (experiment.fqn, experiment.hash):
            raise FuruBundleInvalid(
                bundle,
                f"the manifest lists {experiment.fqn} {experiment.hash} at {experiment.location}, but its {what} "
                f"says {found[0]} {found[1]}.",
            )
