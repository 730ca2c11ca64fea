"""An artifact's files for the browser: listed, previewed, and served only from inside the artifact.

A path from a request names a file relative to the artifact directory. It is
refused unless it is plain (no NUL, not absolute, no ``..``, no backslash), and
what it resolves to is a regular file inside the artifact, or inside the
artifact an alias's links lead to (``furu migrate --policy alias``): a symlink
planted to reach ``~/.ssh`` serves nothing. The file is opened without
following a final link and checked to be the file that was judged.

Served files never run script in the dashboard's origin: HTML, SVG and
anything not known to be inert go out as attachments under a sandboxing
Content-Security-Policy, with ``nosniff``.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from furu.dashboard.schemas import FileItem, FileListing, TablePreview
from furu.errors import FuruError, FuruNotFound

MAX_SERVED_BYTES = 64 * 1024 * 1024
"""Files larger than this are not served (a model checkpoint is read from disk, not through the browser)."""
MAX_PREVIEW_ROWS = 200
MAX_LISTED = 2000
SANDBOX_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"

_VIEWERS = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet",
    ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".svg": "html",
    ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".webp": "image",
    ".txt": "text", ".log": "text", ".py": "text", ".yaml": "text", ".yml": "text", ".toml": "text", ".cfg": "text",
    ".ini": "text", ".out": "text", ".err": "text", ".diff": "text", ".patch": "text", ".sh": "text",
}  # fmt: skip
_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/json", "text/plain", "text/csv"}


class FuruFileRefused(FuruError):
    """A requested path is not a plain path to a regular file inside the artifact."""


@dataclass(frozen=True, slots=True)
class OpenedFile:
    fd: int
    size: int
    media_type: str
    inline: bool
    name: str


def viewer_of(name: str) -> str:
    return _VIEWERS.get(PurePosixPath(name).suffix.lower(), "binary")


def check_relative(path: str) -> PurePosixPath:
    """The request's path as parts, or :class:`FuruFileRefused` for anything but a plain relative path."""
    if "\x00" in path or "\\" in path or path.startswith("/") or not path.strip("/"):
        raise FuruFileRefused(f"Path {path!r} is not a plain relative path inside the artifact.")
    if any(part in ("", ".", "..") for part in path.rstrip("/").split("/")):
        raise FuruFileRefused(f"Path {path!r} is not a plain relative path inside the artifact (no '.', '..' or '//').")
    return PurePosixPath(path)


def resolve_inside(root: str, path: str, owners: list[str]) -> str:
    """The real path ``path`` leads to, if it stays inside ``root`` or an alias's owner; else refused."""
    relative = check_relative(path)
    real = os.path.realpath(os.path.join(root, *relative.parts))
    allowed = [os.path.realpath(root), *(os.path.realpath(owner) for owner in owners)]
    if not any(real == base or real.startswith(base + os.sep) for base in allowed):
        raise FuruFileRefused(f"{path!r} leads outside the artifact (through a symlink); it is not served.")
    if not os.path.lexists(real):
        raise FuruNotFound(f"The artifact has no file {path!r}.")
    return real


def open_file(root: str, path: str, owners: list[str]) -> OpenedFile:
    """Open a regular file for serving, checked as the module docstring says (the caller closes ``fd``)."""
    real = resolve_inside(root, path, owners)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        raise FuruFileRefused(f"{path!r} cannot be opened: {error.strerror}.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise FuruFileRefused(f"{path!r} is not a regular file; only files are served.")
    if info.st_size > MAX_SERVED_BYTES:
        os.close(fd)
        raise FuruFileRefused(
            f"{path!r} is {info.st_size} bytes, more than the {MAX_SERVED_BYTES // (1024 * 1024)} MiB the dashboard serves; "
            "read it from the artifact directory."
        )
    media_type = mimetypes.guess_type(real)[0] or "application/octet-stream"
    if viewer_of(real) in ("jsonl", "text", "markdown"):
        media_type = "text/plain"
    return OpenedFile(fd, info.st_size, media_type, media_type in _INLINE_TYPES, os.path.basename(path))


def list_dir(root: str, path: str, owners: list[str]) -> FileListing:
    """The entries of one directory of the artifact (``""``: its top), directories first."""
    directory = resolve_inside(root, path, owners) if path.strip("/") else os.path.realpath(root)
    if not os.path.isdir(directory):
        raise FuruFileRefused(f"{path!r} is not a directory of the artifact.")
    prefix = f"{path.strip('/')}/" if path.strip("/") else ""
    items: list[FileItem] = []
    with os.scandir(directory) as found:
        entries = sorted(found, key=lambda e: (not e.is_dir(follow_symlinks=True), e.name))
    for item in entries[:MAX_LISTED]:
        info = item.stat(follow_symlinks=True) if os.path.exists(item.path) else item.stat(follow_symlinks=False)
        is_dir = stat.S_ISDIR(info.st_mode)
        items.append(FileItem(
            path=prefix + item.name,
            kind="symlink" if item.is_symlink() and not is_dir and not stat.S_ISREG(info.st_mode) else ("dir" if is_dir else "file"),
            size=None if is_dir else info.st_size,
            modified=datetime.fromtimestamp(info.st_mtime, UTC),
            viewer="dir" if is_dir else viewer_of(item.name),  # type: ignore[arg-type]
        ))
    return FileListing(path=path.strip("/"), items=items, truncated=len(entries) > MAX_LISTED)


def table_preview(opened: OpenedFile, name: str) -> TablePreview:
    """The first rows of a CSV/TSV file, or of a Parquet file when pyarrow is installed."""
    with os.fdopen(opened.fd, "rb") as handle:
        if viewer_of(name) == "parquet":
            return _parquet_preview(handle)
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, delimiter="\t" if name.lower().endswith(".tsv") else ",")
        header = next(reader, [])
        rows: list[list[object]] = []
        more = False
        for row in reader:
            if len(rows) == MAX_PREVIEW_ROWS:
                more = True
                break
            rows.append(list(row))
        return TablePreview(columns=header, rows=rows, total_rows=None if more else len(rows), truncated=more)


def _parquet_preview(handle: io.BufferedReader) -> TablePreview:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise FuruFileRefused("Previewing Parquet needs pyarrow: pip install pyarrow.") from None
    table = pq.ParquetFile(handle)
    batch = next(table.iter_batches(batch_size=MAX_PREVIEW_ROWS), None)
    columns = list(table.schema_arrow.names)
    rows = [] if batch is None else [list(row.values()) for row in batch.to_pylist()]
    total = table.metadata.num_rows
    return TablePreview(columns=columns, rows=json.loads(json.dumps(rows, default=str)), total_rows=total, truncated=total > len(rows))
