"""Crash-safe file writes: readers see the old file or the new one, never half of one.

Every file another process may read is written to a temp file in the same
directory and renamed into place; rename is atomic on POSIX filesystems and
on NFS. Temp names start with ``.`` and contain ``.furu-tmp`` so that the
generated .gitignore rules and the catalog both skip them.

No write follows a symbolic link planted inside an artifact's ``.furu/`` (by
a hostile bundle or by hand), so furu never appends to or replaces a file
outside the data root: appends open with ``O_NOFOLLOW``, a rename replaces a
link instead of following it, and a ``.furu`` directory that is itself a link
is refused before anything is created in it. A data root or class directory
that is a link stays fine: only ``.furu`` and the file in it are checked.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from furu.errors import FuruError

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")

TEMP_MARKER = ".furu-tmp"
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
"""The errnos of a full disk or an exhausted quota (blocks or inodes)."""
INTERNAL_DIR = ".furu"  # furu.layout.INTERNAL_DIR; layout imports this module, so it is repeated here


class CorruptFileError(FuruError):
    """A file furu wrote cannot be parsed (truncated, edited by hand, or from a newer furu)."""


class SymlinkRefusedError(FuruError):
    """A file furu writes in an artifact's ``.furu/``, or that directory itself, is a symbolic link."""


def _refusal(path: Path, link: Path) -> SymlinkRefusedError:
    """The error for writing ``path`` when ``link`` (the file or its ``.furu/``) is a symbolic link."""
    what = "it is" if link == path else f"its directory {link} is"
    return SymlinkRefusedError(
        f"Refusing to write {path}: {what} a symbolic link, and furu never writes through a link "
        f"inside an artifact's {INTERNAL_DIR}/ directory. Remove the link, then check the artifact "
        "with `furu show` or reset it with `furu invalidate`."
    )


def check_internal_dir(path: Path) -> None:
    """Refuse to write ``path`` when its directory is an artifact's ``.furu/`` and that is a link.

    One ``lstat``, only on writes. It is a check, not a lock: a process that can
    swap the directory between this check and the write could write there itself.
    """
    parent = path.parent
    if parent.name == INTERNAL_DIR and os.path.islink(parent):
        raise _refusal(path, parent)


def open_append(path: Path) -> int:
    """An fd appending to ``path`` (created if absent) that never follows a link at ``path``."""
    check_internal_dir(path)
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _refusal(path, path) from None
        raise


def write_bytes_atomic(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` via a temp file and rename.

    ``O_EXCL`` never follows a link, and ``os.replace`` replaces a link at
    ``path`` with the new file, leaving the link's target untouched.
    """
    check_internal_dir(path)
    temp = path.with_name(f".{path.name}{TEMP_MARKER}-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                if fsync:
                    handle.flush()
                    os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as error:
        error.filename = str(path)  # the file being written, not its hidden temp file
        raise


def write_model(path: Path, model: BaseModel, *, fsync: bool = True, indent: int | None = 2) -> None:
    """Write a pydantic model as JSON (indented for people, unless ``indent=None``), atomically."""
    write_bytes_atomic(path, model.model_dump_json(indent=indent).encode("utf-8") + b"\n", fsync=fsync)


_READ_CHUNK = 1 << 16


def read_regular(path: str | Path) -> bytes:
    """A regular file's bytes. A FIFO or device planted in its place is an OSError, never a read that blocks forever."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, a device or a directory)", str(path))
        data = os.read(fd, info.st_size + 1)  # one read for the whole file, as the catalog's scan reads 100,000
        if len(data) <= info.st_size:
            return data
        chunks = [data]  # it grew since fstat
        while chunk := os.read(fd, _READ_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_model(path: Path, model_type: type[ModelT]) -> ModelT:
    """Read a model written by :func:`write_model`; FileNotFoundError when absent."""
    from pydantic import ValidationError  # loaded with model_type already; not by a command that reads no model

    data = read_regular(path)
    try:
        return model_type.model_validate_json(data)
    except ValidationError as error:
        raise CorruptFileError(
            f"{path} is not a valid {model_type.__name__} file ({error.error_count()} "
            f"problem(s), first: {error.errors()[0]['msg']} at "
            f"{'.'.join(str(p) for p in error.errors()[0]['loc']) or 'top level'}). "
            "It may be truncated or written by a newer furu; delete the artifact with "
            "`furu rm` to recompute it."
        ) from None


def append_line(path: Path, line: str) -> None:
    """Append one line with a single ``write`` so concurrent appenders never interleave."""
    fd = open_append(path)
    try:
        os.write(fd, line.encode("utf-8") + b"\n")
    finally:
        os.close(fd)
