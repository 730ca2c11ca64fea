"""Turn the current working tree into a content-addressed snapshot commit.

The tree is built as *index tree + working-tree changes*: the index is
written to a tree (objects only; ``.git/index`` is never written), libgit2
diffs the index against the working tree (the fast half of ``git status``;
a tree-to-workdir diff is ~17x slower), and only the changed paths are
hashed and spliced in with tree builders (files whose attributes name a
clean filter by the git CLI, see :mod:`furu.provenance.filters`). Special
files and nested repositories, which git passes over, are found by
:mod:`furu.provenance.special_files` and listed as left out. The commit
uses a fixed signature, timestamp and message, so its id depends on the
tree and parent alone.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import DeltaStatus, DiffOption
from pygit2.ffi import C as libgit2  # pygit2's cffi handle, for the flags it does not expose

from furu.errors import FuruGitError
from furu.provenance.model import SkippedFile, SubmoduleRecord
from furu.provenance.filters import filtered_paths, filters_possible, hash_with_git
from furu.provenance.repository import HeadState, ensure_snapshot_ref
from furu.provenance.special_files import is_excluded, special_files
from furu.provenance.tree import TreeEntry, overlay_tree

GITLINK_MODE = 0o160000
SYMLINK_MODE = 0o120000

_SIGNATURE = ("furu", "furu@snapshot.invalid")
_MESSAGE = "furu snapshot of the working tree\n\nCreated by furu to record an artifact's code.\n"
_DIFF_FLAGS = (
    DiffOption.INCLUDE_UNTRACKED
    | DiffOption.RECURSE_UNTRACKED_DIRS
    | DiffOption.INCLUDE_TYPECHANGE
    | DiffOption.IGNORE_SUBMODULES  # submodules are read below, by their HEAD only
    | DiffOption.SKIP_BINARY_CHECK
)
_WORKDIR_CHANGES = {
    DeltaStatus.MODIFIED,
    DeltaStatus.TYPECHANGE,
    DeltaStatus.UNTRACKED,
    DeltaStatus.CONFLICTED,
    DeltaStatus.ADDED,
}
_SKIP_WORKTREE = 1 << 14  # GIT_INDEX_ENTRY_SKIP_WORKTREE in git_index_entry.flags_extended
_LEAVE_OUT = object()
"""Returned for a file listed in ``skipped``: the snapshot keeps whatever the index has."""


@dataclass(frozen=True)
class _ViaGit:
    """Returned for a file whose clean filter only the git CLI can run (hashed in one batch)."""

    mode: int


@dataclass(frozen=True)
class Snapshot:
    """The outcome of one capture, before it is dressed up as GitProvenance."""

    commit_id: pygit2.Oid
    tree_id: pygit2.Oid
    ref_name: str
    dirty: bool
    skipped: list[SkippedFile]
    submodules: list[SubmoduleRecord]
    submodule_heads: list[tuple[Path, pygit2.Oid | None]]


def index_tree(repo: pygit2.Repository, index: pygit2.Index) -> pygit2.Oid:
    """Write the staged state as a tree (object database only, never the index file).

    An index with merge conflicts cannot be written as is; the conflicted
    paths are overwritten from the working tree later anyway, so a copy
    holding one stage of each is good enough as a base.
    """
    if index.conflicts is None:
        return index.write_tree(repo)
    scratch = pygit2.Index()
    for entry in index:
        scratch.add(pygit2.IndexEntry(entry.path, entry.id, entry.mode))
    return scratch.write_tree(repo)


def take_snapshot(
    repo: pygit2.Repository,
    index: pygit2.Index,
    base_tree: pygit2.Oid,
    head: HeadState,
    *,
    max_file_bytes: int,
    excluded: tuple[str, ...] = (),
) -> Snapshot:
    """Snapshot the working tree of ``repo`` on top of the staged state ``base_tree``.

    Paths under ``excluded`` (work-tree-relative) keep their staged version:
    their working-tree changes and untracked files are left out.
    """
    workdir = Path(repo.workdir)
    changes: dict[str, TreeEntry | None] = {}
    skipped: list[SkippedFile] = []
    try:
        deltas = list(index.diff_to_workdir(_DIFF_FLAGS).deltas)
    except pygit2.GitError as exc:
        raise FuruGitError(
            f"Could not compare the index with the working tree of {workdir}: {exc}. "
            "Check that `git status` works there."
        ) from exc
    if excluded:
        deltas = [d for d in deltas if not is_excluded(d.new_file.path.rstrip("/"), excluded)]
    to_hash = [
        d.new_file.path
        for d in deltas
        if d.status in _WORKDIR_CHANGES and not d.new_file.path.endswith("/")
    ]
    # Asking each file's attributes is skipped unless an attribute file could name a filter.
    filtered = set()
    if to_hash and filters_possible(repo, index, to_hash):
        filtered = filtered_paths(repo, to_hash)
    via_git: dict[str, int] = {}
    for delta in deltas:
        path = delta.new_file.path
        if delta.status == DeltaStatus.DELETED:
            if not _skips_worktree(index, path):  # sparse checkout: absent on purpose
                changes[path] = None
        elif delta.status in _WORKDIR_CHANGES:
            untracked = delta.status == DeltaStatus.UNTRACKED
            entry = _read_file(
                repo, workdir, path, delta.new_file.mode, untracked, max_file_bytes, skipped,
                filtered=path in filtered,
            )  # fmt: skip
            if isinstance(entry, _ViaGit):
                via_git[path] = entry.mode
            elif entry is not _LEAVE_OUT:
                # None: the file vanished between the diff and the read
                changes[path] = entry  # type: ignore[assignment]
    if via_git:
        for path, oid in hash_with_git(workdir, sorted(via_git)).items():
            changes[path] = TreeEntry(oid, via_git[path])
    listed = {s.path for s in skipped}
    for extra in special_files(repo, index, excluded):
        if extra.path not in listed:
            skipped.append(extra)
            if extra.path in changes and changes[extra.path] is None:
                del changes[extra.path]  # a tracked file now a FIFO keeps its staged version
    skipped.sort(key=lambda s: s.path)
    submodules, submodule_heads = _read_submodules(repo, workdir, index, changes)
    tree_id = overlay_tree(repo, base_tree, changes) if changes else base_tree
    parents = [head.commit] if head.commit is not None else []
    signature = pygit2.Signature(*_SIGNATURE, 0, 0)
    try:
        commit_id = repo.create_commit(None, signature, signature, _MESSAGE, tree_id, parents)
    except pygit2.GitError as exc:
        raise FuruGitError(
            f"Could not write the snapshot commit into {repo.path}: {exc}. "
            "Check that the repository is writable (furu stores snapshots as commits there)."
        ) from exc
    ref_name = ensure_snapshot_ref(repo, commit_id)
    if head.commit is not None:
        head_tree = repo[head.commit].peel(pygit2.Commit).tree_id
        dirty = tree_id != head_tree
    else:
        dirty = len(repo[tree_id].peel(pygit2.Tree)) > 0
    return Snapshot(
        commit_id=commit_id,
        tree_id=tree_id,
        ref_name=ref_name,
        dirty=dirty or bool(skipped),
        skipped=skipped,
        submodules=submodules,
        submodule_heads=submodule_heads,
    )


def _read_file(
    repo: pygit2.Repository,
    workdir: Path,
    path: str,
    mode: int,
    untracked: bool,
    max_file_bytes: int,
    skipped: list[SkippedFile],
    *,
    filtered: bool,
) -> TreeEntry | _ViaGit | object | None:
    """Hash one working-tree file into the object database.

    Returns None when the file is gone, ``_LEAVE_OUT`` when it is listed in
    ``skipped``, ``_ViaGit`` when its attributes name a filter (libgit2's
    blob-from-workdir would store the raw bytes, not what ``git add`` stores).
    """
    if path.endswith("/"):  # libgit2 reports an untracked nested repository as 'dir/'
        skipped.append(SkippedFile(path=path.rstrip("/"), size_bytes=0, reason="nested_repository"))
        return _LEAVE_OUT
    full = workdir / path
    try:
        st = os.lstat(full)
    except FileNotFoundError:
        return None  # deleted while we looked; the watcher will see it
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
        skipped.append(SkippedFile(path=path, size_bytes=st.st_size, reason="not_a_file"))
        return _LEAVE_OUT
    if untracked and stat.S_ISREG(st.st_mode) and st.st_size > max_file_bytes:
        skipped.append(SkippedFile(path=path, size_bytes=st.st_size, reason="too_large"))
        return _LEAVE_OUT
    if stat.S_ISLNK(st.st_mode):
        mode = SYMLINK_MODE
    elif mode not in (0o100644, 0o100755):
        mode = 0o100755 if st.st_mode & stat.S_IXUSR else 0o100644
    if filtered and stat.S_ISREG(st.st_mode):
        if not os.access(full, os.R_OK):
            skipped.append(SkippedFile(path=path, size_bytes=st.st_size, reason="unreadable"))
            return _LEAVE_OUT
        return _ViaGit(mode)
    try:
        oid = repo.create_blob_fromworkdir(path)
    except (pygit2.GitError, OSError) as exc:
        if not os.access(full, os.R_OK, follow_symlinks=False):
            skipped.append(SkippedFile(path=path, size_bytes=st.st_size, reason="unreadable"))
            return _LEAVE_OUT
        raise FuruGitError(
            f"Could not read {full} into the snapshot: {exc}. Check the file's permissions."
        ) from exc
    return TreeEntry(oid, mode)


def _skips_worktree(index: pygit2.Index, path: str) -> bool:
    """Whether the index marks ``path`` skip-worktree (sparse checkout).

    Git treats such a file as unchanged although it is absent, so the
    snapshot keeps the index version. pygit2 does not expose entry flags,
    hence the cffi call.
    """
    try:
        entry = libgit2.git_index_get_bypath(index._index, os.fsencode(path), 0)
        return bool(entry) and bool(entry.flags_extended & _SKIP_WORKTREE)
    except AttributeError:  # pygit2 internals moved; treat as a plain deletion
        return False


def _read_submodules(
    repo: pygit2.Repository,
    workdir: Path,
    index: pygit2.Index,
    changes: dict[str, TreeEntry | None],
) -> tuple[list[SubmoduleRecord], list[tuple[Path, pygit2.Oid | None]]]:
    """Record each submodule by the commit checked out in it (its HEAD).

    The diff above ignores submodules because asking libgit2 whether a
    submodule is dirty runs a full status inside it; its HEAD is what a
    checkout of the snapshot needs. Also returns each HEAD as read, so a
    cache can later prove it unchanged.
    """
    records: list[SubmoduleRecord] = []
    heads: list[tuple[Path, pygit2.Oid | None]] = []
    for path in submodule_paths(repo):
        try:
            entry = index[path]
        except KeyError:
            records.append(SubmoduleRecord(path=path, commit=None))
            continue
        if entry.mode != GITLINK_MODE:
            continue
        head = submodule_head(workdir / path)
        heads.append((workdir / path, head))
        commit = head or entry.id
        if commit != entry.id:
            changes[path] = TreeEntry(commit, GITLINK_MODE)
        records.append(SubmoduleRecord(path=path, commit=str(commit)))
    return records, heads


def submodule_paths(repo: pygit2.Repository) -> list[str]:
    """Paths of submodules known to the superproject (``.gitmodules``, config, index)."""
    if not (Path(repo.workdir) / ".gitmodules").exists():
        return []
    try:
        return sorted(repo.listall_submodules())
    except pygit2.GitError as exc:
        raise FuruGitError(
            f"Could not read the submodules of {repo.workdir}: {exc}. Check .gitmodules there."
        ) from exc


def submodule_head(path: Path) -> pygit2.Oid | None:
    """The commit checked out in a submodule's work tree; None if not checked out."""
    if not (path / ".git").exists():
        return None
    try:
        sub = pygit2.Repository(str(path))
        if sub.head_is_unborn:
            return None
        return sub.head.peel(pygit2.Commit).id
    except (pygit2.GitError, KeyError):
        return None
