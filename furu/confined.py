"""Opening a file named by someone else, only if it is inside a given directory.

A path from a request or a chart definition names a file relative to an
artifact directory. It is refused unless it is plain (no NUL, not absolute, no
``..``, ``.`` or ``//``, no backslash) and what it resolves to stays inside the
directory, or inside one of its *owners* (the artifact an alias left by
``furu migrate --policy alias`` links into): a symlink planted to reach
``~/.ssh`` opens nothing. A path judged by name can be swapped for a symlink
before it is opened; a descriptor cannot, so after opening (without following
a final link, never blocking on a FIFO) the kernel is asked where the opened
file really is, and that is checked again.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import PurePosixPath

from furu.errors import FuruError, FuruNotFound


class FuruPathRefused(FuruError):
    """A path is not a plain path to a regular file (or directory) inside the directory it must stay in."""


def check_relative(path: str) -> PurePosixPath:
    """The path as parts, or :class:`FuruPathRefused` for anything but a plain relative path."""
    if "\x00" in path or "\\" in path or path.startswith("/") or not path.strip("/"):
        raise FuruPathRefused(f"Path {path!r} is not a plain relative path inside the artifact.")
    if any(part in ("", ".", "..") for part in path.rstrip("/").split("/")):
        raise FuruPathRefused(f"Path {path!r} is not a plain relative path inside the artifact (no '.', '..' or '//').")
    return PurePosixPath(path)


def resolve_inside(root: str, path: str, owners: Sequence[str] = ()) -> str:
    """The real path ``path`` leads to, if it stays inside ``root`` or an owner; else refused."""
    relative = check_relative(path)
    try:
        real = os.path.realpath(os.path.join(root, *relative.parts))
    except OSError as error:  # a part of it changed while it was being resolved
        raise FuruPathRefused(f"{path!r} cannot be resolved now ({error.strerror}); try again.") from None
    if not _inside(real, _bases(root, owners)):
        raise FuruPathRefused(f"{path!r} leads outside the artifact (through a symlink); it is not read.")
    if not os.path.lexists(real):
        raise FuruNotFound(f"The artifact has no file {path!r}.")
    return real


def open_inside(root: str, path: str, owners: Sequence[str] = (), *, directory: bool = False) -> int:
    """A read-only descriptor of the regular file (or ``directory``) ``path`` leads to, checked once opened.

    ``""`` opens ``root`` itself (a directory). The caller closes the descriptor.
    """
    real = resolve_inside(root, path, owners) if path.strip("/") else os.path.realpath(root)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | (os.O_DIRECTORY if directory else 0)
    try:
        fd = os.open(real, flags)
    except OSError as error:
        raise FuruPathRefused(f"{path!r} cannot be opened: {error.strerror}.") from None
    try:
        info = os.fstat(fd)
        wanted = stat.S_ISDIR if directory else stat.S_ISREG
        if not wanted(info.st_mode):
            raise FuruPathRefused(f"{path!r} is not a {'directory' if directory else 'regular file'}; it is not read.")
        if not _inside(_opened_path(fd), _bases(root, owners)):
            raise FuruPathRefused(f"{path!r} led outside the artifact while it was opened; it is not read.")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _bases(root: str, owners: Sequence[str]) -> list[str]:
    return [os.path.realpath(root), *(os.path.realpath(owner) for owner in owners)]


def _inside(real: str, bases: list[str]) -> bool:
    return any(real == base or real.startswith(base + os.sep) for base in bases)


def _opened_path(fd: int) -> str:
    """Where an open descriptor's file is (Linux: /proc; macOS: F_GETPATH)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        import fcntl

        getpath = getattr(fcntl, "F_GETPATH", None)
        if getpath is None:
            raise FuruPathRefused("This system cannot say where an open file is, so no file named by a request is read.") from None
        return bytes(fcntl.fcntl(fd, getpath, bytes(1024))).split(b"\0", 1)[0].decode()
