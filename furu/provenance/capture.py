"""``capture_git_provenance``: called on every cache miss, so the common case must be free.

A process typically creates thousands of artifacts from one unchanged tree.
The first capture in a process reads the tree (about the cost of
``git status``); later captures return the remembered result only after
proving nothing it depends on has changed:

* the working tree: an inotify watch on every non-ignored directory, set
  up *before* the tree is read (see :mod:`furu.provenance.watch`). An
  event on a tracked path, on a path git does not ignore, or on any
  ``.gitignore``/``.gitattributes``/``.gitmodules``/``.git`` entry
  invalidates; events on ignored, untracked files (logs, furu's own data
  directory) do not. A queue overflow or a deleted directory invalidates.
* HEAD, the branch ref, ``packed-refs``, the index, repository and global
  config and exclude files: their stat (inode, size, mtime, ctime), taken
  *before* they are read. Git replaces these files by renaming a lock file,
  so every update gives a new inode and ctime.
* submodules: the commit each one has checked out, re-read (a commit inside
  a submodule changes no file the watch covers).
* the snapshot ref still exists (``git gc`` or a user could remove it).

Why a watch and not stat checks: an in-place edit of a clean tracked file
shows only in that file's own stat (directory mtimes change on create,
delete and rename only), so a stat-based proof must stat every tracked file:
about 57 ms for 20,000 files from Python on the development machine, the
cost of ``git status`` itself. Checking the watch costs one non-blocking
``read`` plus a dozen stats, about 0.1 ms.

Directories passed as ``exclude`` (furu's own artifact roots) are neither
watched nor snapshotted beyond their committed state, so writing results
there keeps both the snapshot id and the cache.

Where the watch cannot be trusted (not Linux, network file systems, inotify
limits) nothing is remembered and every capture reads the tree again: slower,
never stale. Thread-safe (one lock); after ``fork`` the child starts afresh,
because an inotify queue shared with the parent would lose events.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pygit2

from furu.errors import FuruConfigError, FuruGitError
from furu.provenance.control import (
    StatSig,
    control_paths,
    head_ref_path,
    relative_to_workdir,
    stat_all,
)
from furu.provenance.model import DEFAULT_MAX_FILE_BYTES, GitProvenance, SkippedFile
from furu.provenance.repository import (
    common_dir,
    discover_git_dir,
    open_repository,
    read_head,
    remote_url,
)
from furu.provenance.origin import code_git_dir
from furu.provenance.snapshot import index_tree, submodule_head, take_snapshot
from furu.provenance.special_files import is_excluded
from furu.provenance.watch import Event, TreeWatcher

MAX_REMEMBERED_REPOSITORIES = 8
"""Each remembered repository holds one inotify instance (a per-user limit, often 128)."""
_ALWAYS_RELEVANT_NAMES = frozenset({".gitignore", ".gitattributes", ".gitmodules", ".git"})


@dataclass
class _Remembered:
    """A capture result plus everything needed to prove it is still current."""

    provenance: GitProvenance
    max_file_bytes: int
    exclude_key: tuple[str, ...]
    excluded: tuple[str, ...]
    repo: pygit2.Repository
    tracked: pygit2.Tree
    watcher: TreeWatcher
    control_paths: tuple[str, ...]
    control_sig: StatSig
    ref_file: Path
    submodule_heads: tuple[tuple[Path, pygit2.Oid | None], ...]
    pid: int = field(default_factory=os.getpid)


@dataclass
class _CaptureState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    remembered: dict[str, _Remembered] = field(default_factory=dict)
    hits: int = 0
    misses: int = 0


_STATE = _CaptureState()


def capture_git_provenance(
    start: Path,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    require_git: bool = False,
    watch: bool = True,
    exclude: Iterable[Path | str] = (),
    code_from: Iterable[Path] = (),
) -> GitProvenance:
    """Record HEAD, branch, remote and a snapshot commit of the whole working tree.

    ``start`` is any directory inside the project. ``code_from`` lists where
    the code came from, most telling first (the class's source directory,
    the working directory; see :func:`furu.provenance.origin.code_locations`):
    the first that lies in a work tree of ``start``'s repository, a linked
    worktree typically, is snapshotted instead of ``start``'s. Outside a git repository
    this returns ``in_repository=False`` with a note, unless ``require_git``
    (``FURU_REQUIRE_GIT``) is set, which raises :class:`FuruGitError`.
    ``watch=False`` disables the inotify-backed reuse of earlier captures.
    ``exclude`` names directories (e.g. furu's own artifact roots) whose
    uncommitted changes stay out of the snapshot, so writing results there
    neither changes the snapshot id nor invalidates the cache. Never touches
    the index file, HEAD, the stash or any working file.
    """
    if not isinstance(max_file_bytes, int) or max_file_bytes < 0:
        raise FuruConfigError(
            f"max_file_bytes must be a non-negative integer, got {max_file_bytes!r}; "
            "set FURU_SNAPSHOT_MAX_FILE_BYTES to a number of bytes, e.g. 10485760."
        )
    start = Path(start)
    exclude_key = tuple(sorted({os.path.realpath(p) for p in exclude}))
    git_dir = discover_git_dir(start)
    if git_dir is not None:
        git_dir = code_git_dir(git_dir, code_from)
    if git_dir is None:
        if require_git:
            raise FuruGitError(
                f"{start.resolve()} is not inside a git repository, and FURU_REQUIRE_GIT is set, "
                "so furu refuses to create an artifact without a code snapshot. Run inside a git "
                "repository (`git init` the project), or unset FURU_REQUIRE_GIT."
            )
        return GitProvenance(
            in_repository=False,
            note=f"not inside a git repository ({start.resolve()}); no code snapshot was taken",
        )
    with _STATE.lock:
        old = _STATE.remembered.pop(git_dir, None)
        if old is not None:
            same_options = (old.max_file_bytes, old.exclude_key) == (max_file_bytes, exclude_key)
            if same_options and watch and _still_current(old):
                _STATE.remembered[git_dir] = old
                _STATE.hits += 1
                return old.provenance.model_copy(deep=True)
            old.watcher.close()
        _STATE.misses += 1
        provenance, remembered = _capture(git_dir, max_file_bytes, require_git, watch, exclude_key)
        if remembered is not None:
            _STATE.remembered[git_dir] = remembered
            while len(_STATE.remembered) > MAX_REMEMBERED_REPOSITORIES:
                oldest = next(iter(_STATE.remembered))
                _STATE.remembered.pop(oldest).watcher.close()
        return provenance.model_copy(deep=True)


def clear_capture_cache() -> None:
    """Forget every remembered capture (the next one reads the tree again)."""
    with _STATE.lock:
        for remembered in _STATE.remembered.values():
            remembered.watcher.close()
        _STATE.remembered.clear()


def capture_cache_stats() -> dict[str, int]:
    """Hits and misses of the in-process capture cache, for benchmarks and tests."""
    with _STATE.lock:
        return {"hits": _STATE.hits, "misses": _STATE.misses, "remembered": len(_STATE.remembered)}


def _capture(
    git_dir: str, max_file_bytes: int, require_git: bool, watch: bool, exclude_key: tuple[str, ...]
) -> tuple[GitProvenance, _Remembered | None]:
    repo = open_repository(git_dir)
    if repo.is_bare or not repo.workdir:
        if require_git:
            raise FuruGitError(
                f"{git_dir} is a bare git repository: it has no working tree to snapshot, and "
                "FURU_REQUIRE_GIT is set. Run from a checkout (a work tree) instead."
            )
        note = "bare repository: there is no working tree to snapshot"
        return GitProvenance(in_repository=True, note=note), None
    workdir = Path(repo.workdir)
    excluded = relative_to_workdir(exclude_key, workdir)
    # Stat every control file before reading it: a change after the stat is
    # then seen by the next check, never hidden by it.
    control_files = control_paths(repo)
    control_sig = stat_all(control_files)
    head_ref = head_ref_path(repo)
    if head_ref is not None:
        control_files += (head_ref,)
        control_sig += stat_all((head_ref,))
    head = read_head(repo)
    # Reading the index (C code, GIL released) overlaps with the Python walk
    # that places the watches; both finish before the working tree is read.
    staged = _StagedReader(git_dir)
    staged.start()
    watcher = None
    if watch:

        def is_ignored_dir(rel: str) -> bool:
            if is_excluded(rel, excluded):
                return True
            try:
                return repo.path_is_ignored(rel + "/")
            except pygit2.GitError:
                return False  # when unsure, watch it

        watcher = TreeWatcher.start(workdir, is_ignored_dir=is_ignored_dir)
    index_repo, index, base_tree = staged.result()
    tracked = index_repo[base_tree].peel(pygit2.Tree)

    def holds_tracked(rel: str) -> bool:
        return rel in tracked and not is_excluded(rel, excluded)

    if watcher is not None and not watcher.watch_pruned(holds_tracked):
        watcher.close()
        watcher = None
    snap = take_snapshot(
        index_repo, index, base_tree, head, max_file_bytes=max_file_bytes, excluded=excluded
    )
    notes = []
    if head.commit is None:
        notes.append("the repository has no commits yet; the snapshot has no parent")
    if snap.skipped:
        notes.append(_skipped_note(snap.skipped, max_file_bytes))
    linked = Path(repo.path).resolve() != common_dir(repo).resolve()
    provenance = GitProvenance(
        in_repository=True,
        note="; ".join(notes) or None,
        repo_root=str(workdir).rstrip("/") or "/",
        head_commit=str(head.commit) if head.commit is not None else None,
        branch=head.branch,
        detached=head.detached,
        remote_url=remote_url(repo),
        dirty=snap.dirty,
        snapshot_id=str(snap.commit_id),
        snapshot_ref=snap.ref_name,
        snapshot_tree=str(snap.tree_id),
        skipped_untracked=snap.skipped,
        submodules=snap.submodules,
        excluded_paths=list(excluded),
        linked_worktree=linked,
        main_worktree=_main_worktree(repo) if linked else None,
    )
    if watcher is None:
        return provenance, None
    remembered = _Remembered(
        provenance=provenance,
        max_file_bytes=max_file_bytes,
        exclude_key=exclude_key,
        excluded=excluded,
        repo=repo,
        tracked=tracked,
        watcher=watcher,
        control_paths=control_files,
        control_sig=control_sig,
        ref_file=common_dir(repo) / snap.ref_name,
        submodule_heads=tuple(snap.submodule_heads),
    )
    return provenance, remembered


_REASON_WORDS = {  # reason: (singular, plural)
    "nested_repository": ("nested repository", "nested repositories"),
    "not_a_file": ("socket, FIFO or device", "sockets, FIFOs or devices"),
    "unreadable": ("unreadable file", "unreadable files"),
    "too_large": ("file over the size limit", "files over the size limit"),
}


def _skipped_note(skipped: list[SkippedFile], max_file_bytes: int) -> str:
    """E.g. '3 paths left out of the snapshot (see skipped_untracked): 1 nested repository, ...'.

    The size limit is named only when a file was over it.
    """
    counts = {reason: sum(s.reason == reason for s in skipped) for reason in _REASON_WORDS}
    parts = []
    for reason, (singular, plural) in _REASON_WORDS.items():
        count = counts[reason]
        if count:
            limit = ""
            if reason == "too_large":
                limit = f" FURU_SNAPSHOT_MAX_FILE_BYTES={max_file_bytes}"
            parts.append(f"{count} {singular if count == 1 else plural}{limit}")
    total = len(skipped)
    noun = "path" if total == 1 else "paths"
    return f"{total} {noun} left out of the snapshot (see skipped_untracked): {', '.join(parts)}"


def _main_worktree(repo: pygit2.Repository) -> str | None:
    """The main work tree of a linked worktree's repository (None when that one is bare)."""
    common = common_dir(repo).resolve()
    if common.name != ".git":
        return None
    return str(common.parent)


class _StagedReader(threading.Thread):
    """Reads the index and writes it as a tree, on its own Repository object.

    libgit2 objects must not be used by two threads at once; a second
    Repository for the same git dir is independent.
    """

    def __init__(self, git_dir: str) -> None:
        super().__init__(name="furu-index-reader", daemon=True)
        self._git_dir = git_dir
        self._value: tuple[pygit2.Repository, pygit2.Index, pygit2.Oid] | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            repo = open_repository(self._git_dir)
            index = repo.index
            self._value = (repo, index, index_tree(repo, index))
        except BaseException as exc:  # re-raised in the capturing thread
            self._error = exc

    def result(self) -> tuple[pygit2.Repository, pygit2.Index, pygit2.Oid]:
        self.join()
        if isinstance(self._error, pygit2.GitError):
            raise FuruGitError(
                f"The index of the git repository at {self._git_dir} could not be read: "
                f"{self._error}. Check `git status` there."
            ) from self._error
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _still_current(old: _Remembered) -> bool:
    if old.pid != os.getpid():
        return False
    events = old.watcher.drain()
    if events is None or not _all_irrelevant(old, events):
        return False
    if stat_all(old.control_paths) != old.control_sig or not old.ref_file.is_file():
        return False
    return all(submodule_head(path) == head for path, head in old.submodule_heads)


def _all_irrelevant(old: _Remembered, events: list[Event]) -> bool:
    """True when every event touched an ignored, untracked path (e.g. a log file)."""
    seen: set[tuple[str, bool]] = set()
    for event in events:
        key = (event.path, event.is_dir)
        if key in seen:
            continue
        seen.add(key)
        if old.excluded and is_excluded(event.path, old.excluded):
            continue
        name = event.path.rsplit("/", 1)[-1]
        if name in _ALWAYS_RELEVANT_NAMES:
            return False
        if event.boundary:
            continue  # inside a nested repository or submodule; only its .git matters
        if event.path in old.tracked:
            return False
        if not old.repo.path_is_ignored(event.path + ("/" if event.is_dir else "")):
            return False
    return True


def _reset_in_child() -> None:
    global _STATE
    for remembered in _STATE.remembered.values():
        remembered.watcher.forget_in_child()
    _STATE = _CaptureState()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)
