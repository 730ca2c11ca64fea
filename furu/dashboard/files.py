"""An artifact's files for the browser: listed, previewed, and served only from inside the artifact.

A path from a request names a file relative to the artifact directory and is
opened by :func:`furu.confined.open_inside`: only a plain path to a regular
file inside the artifact, or inside the artifact an alias's links lead to
(``furu migrate --policy alias``), checked again on the opened descriptor.

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

from furu.confined import FuruPathRefused, open_inside
from furu.dashboard.schemas import FileItem, FileListing, TablePreview

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


@dataclass(frozen=True, slots=True)
class OpenedFile:
    fd: int
    size: int
    media_type: str
    inline: bool
    name: str


def viewer_of(name: str) -> str:
    return _VIEWERS.get(PurePosixPath(name).suffix.lower(), "binary")


def open_file(root: str, path: str, owners: list[str]) -> OpenedFile:
    """Open a regular file for serving, checked as the module docstring says (the caller closes ``fd``)."""
    if path.endswith("/"):
        raise FuruPathRefused(f"{path!r} names a directory (it ends in /); list it with ?path= instead.")
    fd = open_inside(root, path, owners)
    size = os.fstat(fd).st_size
    if size > MAX_SERVED_BYTES:
        os.close(fd)
        raise FuruPathRefused(
            f"{path!r} is {size} bytes, more than the {MAX_SERVED_BYTES // (1024 * 1024)} MiB the dashboard serves; "
            "read it from the artifact directory."
        )
    name = os.path.basename(path.rstrip("/"))
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if viewer_of(name) in ("jsonl", "text", "markdown"):
        media_type = "text/plain"
    return OpenedFile(fd, size, media_type, media_type in _INLINE_TYPES, name)


def list_dir(root: str, path: str, owners: list[str]) -> FileListing:
    """The entries of one directory of the artifact (``""``: its top), directories first.

    A symlink is listed as one, without its target's size or time: what it
    leads to is judged only when it is opened.
    """
    fd = open_inside(root, path, owners, directory=True)
    prefix = f"{path.strip('/')}/" if path.strip("/") else ""
    items: list[FileItem] = []
    try:
        with os.scandir(fd) as found:
            entries = sorted(found, key=lambda e: (not e.is_dir(follow_symlinks=False), e.name))
        for item in entries[:MAX_LISTED]:
            info = item.stat(follow_symlinks=False)
            kind = "dir" if stat.S_ISDIR(info.st_mode) else "symlink" if stat.S_ISLNK(info.st_mode) else "file"
            regular = stat.S_ISREG(info.st_mode)
            items.append(FileItem(
                path=prefix + item.name,
                kind=kind,  # type: ignore[arg-type]
                size=info.st_size if regular else None,
                modified=datetime.fromtimestamp(info.st_mtime, UTC) if kind != "symlink" else None,
                viewer="dir" if kind == "dir" else viewer_of(item.name),  # type: ignore[arg-type]
            ))
    finally:
        os.close(fd)
    return FileListing(path=path.strip("/"), items=items, truncated=len(entries) > MAX_LISTED)


def table_preview(opened: OpenedFile, name: str) -> TablePreview:
    """The first rows of a CSV/TSV file, or of a Parquet file when pyarrow is installed."""
    with os.fdopen(opened.fd, "rb") as handle:
        if viewer_of(name) == "parquet":
            return _parquet_preview(handle)
        if viewer_of(name) != "csv":
            raise FuruPathRefused(f"{name!r} is not a CSV or Parquet file; only those are previewed as a table.")
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, delimiter="\t" if name.lower().endswith(".tsv") else ",")
        rows: list[list[object]] = []
        more = False
        try:
            header = next(reader, [])
            for row in reader:
                if len(rows) == MAX_PREVIEW_ROWS:
                    more = True
                    break
                rows.append(list(row))
        except csv.Error as error:
            raise FuruPathRefused(f"{name!r} cannot be previewed as a table: {error}; download it instead.") from None
        return TablePreview(columns=header, rows=rows, total_rows=None if more else len(rows), truncated=more)


def _parquet_preview(handle: io.BufferedReader) -> TablePreview:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise FuruPathRefused("Previewing Parquet needs pyarrow: pip install pyarrow.") from None
    table = pq.ParquetFile(handle)
    batch = next(table.iter_batches(batch_size=MAX_PREVIEW_ROWS), None)
    columns = list(table.schema_arrow.names)
    rows = [] if batch is None else [list(row.values()) for row in batch.to_pylist()]
    total = table.metadata.num_rows
    return TablePreview(columns=columns, rows=json.loads(json.dumps(rows, default=str)), total_rows=total, truncated=total > len(rows))
