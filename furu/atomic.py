"""Crash-safe file writes: readers see the old file or the new one, never half of one.

Every file another process may read is written to a temp file in the same
directory and renamed into place; rename is atomic on POSIX filesystems and
on NFS. Temp names start with ``.`` and contain ``.furu-tmp`` so that the
generated .gitignore rules and the catalog both skip them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from furu.errors import FuruError

ModelT = TypeVar("ModelT", bound=BaseModel)

TEMP_MARKER = ".furu-tmp"


class CorruptFileError(FuruError):
    """A file furu wrote cannot be parsed (truncated, edited by hand, or from a newer furu)."""


def write_bytes_atomic(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` via a temp file and rename."""
    temp = path.with_name(f".{path.name}{TEMP_MARKER}-{os.getpid()}-{secrets.token_hex(4)}")
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


def write_model(path: Path, model: BaseModel, *, fsync: bool = True, indent: int | None = 2) -> None:
    """Write a pydantic model as JSON (indented for people, unless ``indent=None``), atomically."""
    write_bytes_atomic(path, model.model_dump_json(indent=indent).encode("utf-8") + b"\n", fsync=fsync)


def read_model(path: Path, model_type: type[ModelT]) -> ModelT:
    """Read a model written by :func:`write_model`; FileNotFoundError when absent."""
    data = path.read_bytes()
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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line.encode("utf-8") + b"\n")
    finally:
        os.close(fd)
