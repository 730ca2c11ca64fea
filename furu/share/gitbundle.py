"""The code of a bundle: the artifacts' snapshot commits as a standard git bundle.

Written and read with dulwich (pygit2 has no bundle support). The file is a
v2 git bundle with one ref per snapshot, ``refs/furu/snapshots/<id>``, and
the complete history behind them (no prerequisites), so ``git bundle
verify`` accepts it and ``git fetch code.bundle 'refs/furu/*:refs/furu/*'``
works in any repository, even one that shares no history with the exporter.

Reading adds the bundle's pack to the receiving repository's object store as
one pack file (indexed and moved into place by dulwich, so a broken pack
leaves nothing behind), then points ``refs/furu/snapshots/<id>`` at each
snapshot, exactly where time travel looks for them.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.bundle import Bundle, read_bundle, write_bundle
from dulwich.objects import ObjectID
from dulwich.pack import UnpackedObject
from dulwich.refs import Ref
from dulwich.repo import Repo

from furu.errors import FuruGitError
from furu.provenance.model import SNAPSHOT_REF_PREFIX, snapshot_ref_name
from furu.provenance.repository import (
    common_dir,
    discover_git_dir,
    ensure_snapshot_ref,
    find_snapshot,
    open_repository,
)

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class SnapshotSource:
    """Where the exporter's snapshots live, and which of them it has."""

    repository: Path | None
    present: list[str]
    missing: list[str]


def locate_snapshots(snapshot_ids: list[str], candidates: list[Path]) -> SnapshotSource:
    """The repository (among ``candidates``, e.g. the project and the recorded repo roots) holding most snapshots."""
    best = SnapshotSource(None, [], list(snapshot_ids))
    seen: set[str] = set()
    for candidate in candidates:
        if not candidate.exists():
            continue
        try:
            git_dir = discover_git_dir(candidate)
        except FuruGitError:
            continue
        if git_dir is None or git_dir in seen:
            continue
        seen.add(git_dir)
        repo = open_repository(git_dir)
        present = [sid for sid in snapshot_ids if find_snapshot(repo, sid) is not None]
        if len(present) > len(best.present):
            best = SnapshotSource(common_dir(repo), present, [s for s in snapshot_ids if s not in present])
    return best


def write_code_bundle(repository: Path, snapshot_ids: list[str], dest: Path) -> None:
    """Write a v2 git bundle of ``snapshot_ids`` (and all their history) to ``dest``."""
    repo = Repo(str(repository))
    try:
        wanted = {ObjectID(sid.encode("ascii")) for sid in snapshot_ids}
        count, objects = repo.generate_pack_data(set(), wanted, ofs_delta=True)
        bundle = Bundle()
        bundle.version = 2
        bundle.capabilities = {}
        bundle.prerequisites = []
        bundle.references = {
            Ref(snapshot_ref_name(sid).encode("ascii")): ObjectID(sid.encode("ascii")) for sid in sorted(snapshot_ids)
        }
        bundle.pack_data = _StreamedPack(count, objects, repo.object_format)  # type: ignore[assignment]
        try:
            with open(dest, "xb") as handle:
                write_bundle(handle, bundle)
        finally:
            bundle.pack_data = None
    finally:
        repo.close()


def bundle_snapshot_ids(path: Path) -> tuple[list[str], list[str]]:
    """``(snapshot ids, prerequisite ids)`` named by a git bundle; ValueError if it is not one."""
    with open(path, "rb") as handle:
        try:
            bundle = read_bundle(handle)
        except AssertionError as error:  # dulwich's way of saying "unknown header"
            raise ValueError(str(error)) from None
        try:
            refs = {
                ref.decode("utf-8", "replace"): oid.decode("ascii", "replace") for ref, oid in bundle.references.items()
            }
            prerequisites = [oid.decode("ascii", "replace") for oid, _ in bundle.prerequisites]
        finally:
            bundle.close()
    for oid in prerequisites:
        if not _OBJECT_ID.fullmatch(oid):
            raise ValueError(f"its prerequisite {oid!r} is not a commit id")
    ids = []
    for ref, oid in sorted(refs.items()):
        if not _OBJECT_ID.fullmatch(oid):
            raise ValueError(f"its ref {ref} points at {oid!r}, which is not a commit id")
        if ref != snapshot_ref_name(oid) or not ref.startswith(SNAPSHOT_REF_PREFIX):
            raise ValueError(f"it holds the ref {ref} -> {oid}; only {SNAPSHOT_REF_PREFIX}<id> -> <id> belong in it")
        ids.append(oid)
    return ids, prerequisites


@dataclass(frozen=True)
class FetchResult:
    fetched: list[str]
    already_present: list[str]


def fetch_code_bundle(path: Path, snapshot_ids: list[str], prerequisites: list[str], repository: Path) -> FetchResult:
    """Add the bundle's objects to ``repository`` and point ``refs/furu/snapshots/<id>`` at each snapshot.

    Raises ValueError when the pack is broken or needs commits the repository lacks.
    """
    git_dir = discover_git_dir(repository)
    if git_dir is None:
        raise FuruGitError(f"{repository} is not inside a git repository.")
    repo = open_repository(git_dir)
    missing_bases = [oid for oid in prerequisites if find_snapshot(repo, oid) is None]
    if missing_bases:
        raise ValueError(f"it needs commits this repository lacks: {', '.join(missing_bases)}")
    present = [sid for sid in snapshot_ids if find_snapshot(repo, sid) is not None]
    if len(present) < len(snapshot_ids):
        _add_pack(path, common_dir(repo))
        repo = open_repository(git_dir)  # a fresh handle sees the new pack
    commits = [find_snapshot(repo, sid) for sid in snapshot_ids]
    for sid, commit in zip(snapshot_ids, commits, strict=True):
        if commit is None:
            raise ValueError(f"snapshot {sid} is named by the bundle but not in its pack")
    for commit in commits:
        assert commit is not None
        ensure_snapshot_ref(repo, commit.id)  # only once every snapshot is known to be there
    return FetchResult(fetched=[s for s in snapshot_ids if s not in present], already_present=present)


def _add_pack(path: Path, git_common_dir: Path) -> None:
    """Copy the pack that follows the bundle header into the object store, indexing it on the way."""
    repo = Repo(str(git_common_dir))
    try:
        with open(path, "rb") as source:
            while source.readline() not in (b"\n", b""):
                pass  # the header; read_bundle has validated it already
            out, commit, abort = repo.object_store.add_pack()
            try:
                shutil.copyfileobj(source, out, 1 << 20)
            except BaseException:
                abort()
                raise
            try:
                pack = commit()
            except Exception as error:
                with contextlib.suppress(OSError):
                    abort()  # closes and removes the temporary pack file
                raise ValueError(f"its pack is broken ({type(error).__name__}: {error})") from None
            if pack is not None:
                pack.close()
    finally:
        repo.close()


class _StreamedPack:
    """The pack objects of a bundle being written, handed to dulwich's writer once, in order."""

    def __init__(self, count: int, objects: Iterator[UnpackedObject], object_format: object) -> None:
        self._count = count
        self._objects = objects
        self.object_format = object_format

    def __len__(self) -> int:
        return self._count

    def iter_unpacked(self) -> Iterator[UnpackedObject]:
        return self._objects

    def close(self) -> None:
        return None
