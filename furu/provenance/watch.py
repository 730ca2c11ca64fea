"""Watch a work tree with Linux inotify so "nothing changed" costs microseconds.

Proving a 20,000-file tree unchanged by stat-ing every file costs about as
much as ``git status`` (tens of milliseconds), because an in-place edit only
shows in the file's own stat. The kernel already knows about every change:
one inotify watch per directory reports writes, chmods, creations, deletions
and renames of its entries. Watches are placed *before* the tree is read, so
any change after the read is queued and seen by the next check.

Limits, handled by returning ``None`` (callers then re-read the tree every
time, which is correct, just slower): not Linux; the tree is on a network or
cluster file system (NFS, Lustre, GPFS, CIFS, FUSE...), where other machines'
writes produce no local events; the inotify watch or instance limits are
reached; a directory cannot be read. Writes through ``mmap`` raise no event
until the writer closes the file; that is the one case this cannot see.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

IN_MODIFY = 0x2
IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_UNMOUNT = 0x2000
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_DONT_FOLLOW = 0x02000000
IN_ISDIR = 0x40000000

_MASK = (
    IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
    | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW
)  # fmt: skip
_ALWAYS_RELEVANT = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED
_EVENT = struct.Struct("iIII")
MAX_WATCHED_DIRS = 100_000

LOCAL_FILESYSTEMS = frozenset(
    {"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "zfs", "f2fs", "jfs",
     "reiserfs", "bcachefs", "overlay", "nilfs2"}
)  # fmt: skip
"""File systems where every write to the tree goes through this kernel, so
inotify sees it. Anything else (nfs, lustre, gpfs, cifs, fuse.*) is not trusted."""

SUBDIR_COUNTING_FILESYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "tmpfs"})
"""File systems where a directory's link count is 2 plus its number of
subdirectories, so ``st_nlink == 2`` proves a leaf without listing it (most
directories of a source tree are leaves). btrfs, overlay and others report
other counts and are always listed."""


@dataclass(frozen=True)
class Event:
    """One change under a watched directory; ``path`` is relative to the work tree."""

    path: str
    is_dir: bool
    boundary: bool  # the directory is a nested repository/submodule root, not descended


class TreeWatcher:
    """Inotify watches on every non-ignored directory of one work tree."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._pid = os.getpid()
        self._dirs: dict[int, tuple[str, bool]] = {}
        self._pruned: list[tuple[str, str]] = []
        self._leaves_by_nlink = False

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        is_ignored_dir: Callable[[str], bool],
    ) -> TreeWatcher | None:
        """Watch ``workdir`` except ignored directories, or return None if unsound here.

        Ignored directories are remembered; :meth:`watch_pruned` adds those
        that turn out to hold tracked files (git tracks force-added files).
        """
        libc = _libc()
        if libc is None or filesystem_type(workdir) not in LOCAL_FILESYSTEMS:
            return None
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return None
        watcher = cls(fd)
        watcher._leaves_by_nlink = filesystem_type(workdir) in SUBDIR_COUNTING_FILESYSTEMS
        try:
            if watcher._watch_tree(libc, [("", str(workdir))], is_ignored_dir):
                return watcher
        except OSError:
            pass
        watcher.close()
        return None

    def watch_pruned(self, holds_tracked_files: Callable[[str], bool]) -> bool:
        """Also watch the ignored directories that hold tracked files; False if that failed."""
        libc = _libc()
        pruned = [d for d in self._pruned if holds_tracked_files(d[0])]
        self._pruned = []
        if not pruned or libc is None:
            return libc is not None
        try:
            return self._watch_tree(libc, pruned, lambda rel: not holds_tracked_files(rel))
        except OSError:
            return False
        finally:
            self._pruned = []

    def _watch_tree(
        self,
        libc: ctypes.CDLL,
        roots: list[tuple[str, str]],
        is_ignored_dir: Callable[[str], bool],
    ) -> bool:
        # Watch a directory first, then list it: an entry created in between
        # is both listed and reported, never neither.
        stack = list(roots)
        add_watch, fd, dirs = libc.inotify_add_watch, self._fd, self._dirs
        while stack:
            rel, path = stack.pop()
            wd = add_watch(fd, os.fsencode(path), _MASK)
            if wd < 0:
                if ctypes.get_errno() in (errno.ENOENT, errno.ENOTDIR):
                    continue  # vanished; its parent's watch has reported that
                return False
            if self._leaves_by_nlink and _is_leaf(path):
                # No subdirectory to descend into; a .git *file* (submodule, worktree) marks a boundary.
                dirs[wd] = (rel, bool(rel) and os.path.lexists(os.path.join(path, ".git")))
                if len(dirs) > MAX_WATCHED_DIRS:
                    return False
                continue
            boundary = False
            children: list[tuple[str, str]] = []
            prefix = f"{rel}/" if rel else ""
            try:
                with os.scandir(path) as it:
                    for entry in it:
                        if entry.name == ".git":
                            boundary = bool(rel)
                        elif entry.is_dir(follow_symlinks=False):
                            children.append((prefix + entry.name, entry.path))
            except (FileNotFoundError, NotADirectoryError):
                continue
            dirs[wd] = (rel, boundary)
            if len(dirs) > MAX_WATCHED_DIRS:
                return False
            if boundary:
                continue  # a nested repository or submodule: only its root matters
            for child in children:
                (self._pruned if is_ignored_dir(child[0]) else stack).append(child)
        return True

    @property
    def watched_dirs(self) -> int:
        return len(self._dirs)

    def drain(self) -> list[Event] | None:
        """Events since the last drain; None when the watch can no longer be trusted."""
        if self._fd < 0 or os.getpid() != self._pid:
            return None
        events: list[Event] = []
        while True:
            try:
                data = os.read(self._fd, 65536)
            except BlockingIOError:
                return events
            except OSError:
                return None
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                name = data[offset + 16 : offset + 16 + length].rstrip(b"\0")
                offset += 16 + length
                if mask & _ALWAYS_RELEVANT or wd not in self._dirs:
                    return None
                rel, boundary = self._dirs[wd]
                child = os.fsdecode(name)
                path = f"{rel}/{child}" if rel and child else (child or rel)
                events.append(Event(path=path, is_dir=bool(mask & IN_ISDIR), boundary=boundary))

    def close(self) -> None:
        """Release the inotify instance (only in the process that created it)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def forget_in_child(self) -> None:
        """After fork: drop the inherited descriptor without reading the parent's events."""
        if self._fd >= 0 and os.getpid() != self._pid:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = -1

    def __del__(self) -> None:
        if os.getpid() == self._pid:
            self.close()


def _is_leaf(path: str) -> bool:
    """True when ``path`` has no subdirectory (on SUBDIR_COUNTING_FILESYSTEMS); False if unsure."""
    try:
        return os.lstat(path).st_nlink == 2
    except OSError:
        return False


def filesystem_type(path: Path) -> str | None:
    """File system type of the mount holding ``path``, from /proc/self/mountinfo."""
    try:
        target = os.path.realpath(path)
        best, best_type = "", None
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                fields = left.split()
                if len(fields) < 5 or not right:
                    continue
                mount = _unescape(fields[4])
                inside = target == mount or target.startswith(mount.rstrip("/") + "/")
                if inside and len(mount) >= len(best):
                    best, best_type = mount, right.split()[0]
        return best_type
    except OSError:
        return None


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")


_LIBC: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL | None:
    global _LIBC
    if not sys.platform.startswith("linux"):
        return None
    if _LIBC is None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)  # libc is already loaded into python
            libc.inotify_init1.argtypes = [ctypes.c_int]
            libc.inotify_init1.restype = ctypes.c_int
            libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            libc.inotify_add_watch.restype = ctypes.c_int
        except (OSError, AttributeError):
            return None
        _LIBC = libc
    return _LIBC
