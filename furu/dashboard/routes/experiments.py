"""``/api/experiments``: the table, one experiment's detail, its relationships, logs and files, and the actions on it.

Each route is one library call (the same ``furu ls``, ``furu show``,
``furu rm``, ``furu invalidate``, ``furu tag`` make) and a conversion to the
API's shapes.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from furu.annotations import set_name, set_tags
from furu.catalog import Catalog, Entry, page
from furu.catalog.stale import add_staleness
from furu.confined import FuruPathRefused, open_inside
from furu.dashboard.files import SANDBOX_POLICY, list_dir, open_file, table_preview
from furu.dashboard.rows import row_of, split_columns
from furu.dashboard.schemas import (
    ExperimentDetail,
    ExperimentPage,
    FileListing,
    InvalidateBody,
    InvalidateResult,
    LogTail,
    Marks,
    NameBody,
    Related,
    Relationships,
    Removed,
    TablePreview,
    TagsBody,
)
from furu.dashboard.service import Service
from furu.errors import FuruError, FuruNotFound
from furu.lineage import LineageNode, dependency_tree, dependent_tree
from furu.query import DEFAULT_SORT, parse_expression
from furu.refs import resolve_entry
from furu.layout import INTERNAL_DIR, LOG_FILE
from furu.report import artifact_report, commands_of, cut_line, tail
from furu.time_travel import report_patch

router = APIRouter(prefix="/experiments", tags=["experiments"])
_HASH_PREFIX = re.compile(r"[0-9a-fA-F]{1,32}")
LIVE_TAIL_POLL_SECS = 0.5
MAX_FILTER = 10_000
"""Longer filters are refused (422): a person never writes one, and parsing one costs more than it is worth."""
MAX_OFFSET = 2**62
"""Offsets beyond this are refused as invalid (422), not passed to SQLite's 64-bit integers."""


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(service)]


@router.get("", response_model=ExperimentPage)
def list_experiments(
    svc: ServiceDep,
    filter: Annotated[str, Query(max_length=MAX_FILTER, description="A `furu ls` filter expression: status=failed class=Train lr>1e-3")] = "",
    sort: Annotated[str, Query(description="Sort keys, comma-separated; a leading - reverses one: -created,lr")] = DEFAULT_SORT,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    columns: Annotated[str, Query(description="Config fields to return with each row: lr,data.name")] = "",
    stale: Annotated[bool, Query(description="Mark each row stale or not (imports the classes)")] = False,
) -> ExperimentPage:
    expression = parse_expression(filter)
    chosen = split_columns(columns)
    with svc.catalog() as catalog:
        found = page(expression, sort=sort or DEFAULT_SORT, limit=limit, offset=offset, sizes=True, stale=stale, catalog=catalog)
    return ExperimentPage(
        total=found.matched, catalog_total=found.total, offset=offset, limit=limit, filter=expression.text,
        sort=sort or DEFAULT_SORT, items=[row_of(record, chosen) for record in found.records],
    )


@router.get("/{ref}", response_model=ExperimentDetail)
def experiment(svc: ServiceDep, ref: str) -> ExperimentDetail:
    with svc.catalog() as catalog:
        entry = resolve_entry(checked_ref(ref), catalog)
        report = artifact_report(entry, catalog, log_lines=50)
    add_staleness([report.record])  # on the record the report read: no second read of its details
    return ExperimentDetail(
        row=row_of(report.record),
        report=report,
        commands=commands_of(report),
        stale_reasons=report.record.stale_reasons,
        patch=report_patch(report),
    )


@router.get("/{ref}/relationships", response_model=Relationships)
def relationships(svc: ServiceDep, ref: str) -> Relationships:
    with svc.catalog() as catalog:
        entry = resolve_entry(checked_ref(ref), catalog)
        parents = dependency_tree(entry, catalog, max_depth=1).children
        children = dependent_tree(entry, catalog, max_depth=1).children
        return Relationships(parents=_related(parents, catalog), children=_related(children, catalog))


def _related(nodes: list[LineageNode], catalog: Catalog) -> list[Related]:
    entries = {node.hash: catalog.entry_at(node.dir) if node.dir else None for node in nodes}
    present = [entry for entry in entries.values() if entry is not None]
    rows = {record.hash: row_of(record) for record in catalog.records(present, details=True, sizes=True)}
    return [Related(row=rows.get(node.hash), fqn=node.fqn, hash=node.hash, edge=node.edge) for node in nodes]


def log_path(svc: ServiceDep, ref: str) -> Path:
    """The artifact's log file (a dependency: a reference that matches nothing is a 404 before any streaming)."""
    return _entry(svc, ref).record().paths.log


LogPath = Annotated[Path, Depends(log_path)]
LOG = f"{INTERNAL_DIR}/{LOG_FILE}"
MAX_STREAM_CHUNK = 256 * 1024
"""At most this much of a log is read per poll: a burst of output is sent over several, never read at once."""


@router.get("/{ref}/logs", response_model=LogTail)
def logs(path: LogPath, lines: Annotated[int, Query(alias="tail", ge=1, le=100_000)] = 200) -> LogTail:
    """The log's last lines (read from its end, never through a link planted in its place)."""
    try:
        found = tail(path, lines)
    except OSError as error:
        raise FuruPathRefused(f"The log {path} cannot be read: {error.strerror}.") from None
    exists = path.is_file()
    size = path.stat().st_size if exists else 0
    return LogTail(path=str(path), exists=exists, size=size, lines=found, offset=size)


@router.get("/{ref}/logs/stream", response_class=EventSourceResponse)
async def log_stream(path: LogPath, request: Request, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> AsyncIterator[ServerSentEvent]:
    """New log lines as they are written: event ``line``, its data the line as text (the id: the byte offset after it).

    The log is opened once it exists, checked like any served file, and read
    through that descriptor, in a worker thread, a bounded chunk at a time.
    """
    root = str(path.parent.parent)
    fd: int | None = None
    position, pending = offset, b""
    try:
        while not await request.is_disconnected():
            if fd is None:
                try:
                    fd = open_inside(root, LOG, [])
                except FuruNotFound:
                    await asyncio.sleep(LIVE_TAIL_POLL_SECS)
                    continue
            chunk, position, restarted = await asyncio.to_thread(_read_from, fd, position)
            if restarted:
                pending = b""
            *complete, pending = (pending + chunk).split(b"\n")
            for line in complete:
                text = cut_line(line.decode("utf-8", errors="replace"))
                yield ServerSentEvent(raw_data=text, event="line", id=str(position - len(pending)))
            if len(pending) > MAX_STREAM_CHUNK:  # a line that never ends: sent cut, the rest dropped
                yield ServerSentEvent(raw_data=cut_line(pending.decode("utf-8", errors="replace")), event="line", id=str(position))
                pending = b""
            if len(chunk) < MAX_STREAM_CHUNK:
                await asyncio.sleep(LIVE_TAIL_POLL_SECS)
    finally:
        if fd is not None:
            os.close(fd)


def _read_from(fd: int, position: int) -> tuple[bytes, int, bool]:
    """What the log holds after ``position``, where that ends, and whether it was rewritten shorter (then from its start)."""
    size = os.fstat(fd).st_size
    restarted = size < position
    position = 0 if restarted else position
    chunk = os.pread(fd, min(MAX_STREAM_CHUNK, size - position), position) if size > position else b""
    return chunk, position + len(chunk), restarted


@router.get("/{ref}/files", response_model=FileListing)
def files(svc: ServiceDep, ref: str, path: str = "") -> FileListing:
    record = _entry(svc, ref).record()
    return list_dir(record.dir, path, _owners(record.dir, svc))


@router.get(
    "/{ref}/files/{path:path}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}, "application/json": {"schema": TablePreview.model_json_schema()}}}},
)
def file(svc: ServiceDep, ref: str, path: str, preview: Literal["table"] | None = None) -> Response:
    record = _entry(svc, ref).record()
    opened = open_file(record.dir, path, _owners(record.dir, svc))
    if preview == "table":
        return Response(table_preview(opened, path).model_dump_json(), media_type="application/json")
    disposition = "inline" if opened.inline else "attachment"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX_POLICY,
        "Content-Length": str(opened.size),
        "Content-Disposition": f"{disposition}; filename*=utf-8''{quote(opened.name)}",
    }
    return StreamingResponse(_chunks(opened.fd, opened.size), media_type=opened.media_type, headers=headers)


def _chunks(fd: int, size: int) -> Iterator[bytes]:
    """The file that was checked, through its open descriptor (never opened again by a path that could change
    meanwhile): no more than the size announced, though it grows as it is sent. One that shrinks ends the
    response short, so the client sees an incomplete download rather than bytes that were never there."""
    with os.fdopen(fd, "rb") as handle:
        left = size
        while left > 0 and (chunk := handle.read(min(1 << 20, left))):
            left -= len(chunk)
            yield chunk



@router.delete("/{ref}", response_model=Removed)
def delete(svc: ServiceDep, ref: str, force: bool = False) -> Removed:
    from furu.removal import remove

    with svc.catalog() as catalog:
        removal = remove(resolve_entry(checked_ref(ref), catalog), catalog, force=force)
    return Removed(hash=removal.record.hash, dir=removal.record.dir)


@router.post("/{ref}/invalidate", response_model=InvalidateResult)
def invalidate(svc: ServiceDep, ref: str, body: InvalidateBody) -> InvalidateResult:
    from furu.invalidate import invalidate as invalidate_entries

    with svc.catalog() as catalog:
        result = invalidate_entries([resolve_entry(checked_ref(ref), catalog)], cascade=body.cascade, catalog=catalog)
    return InvalidateResult(
        invalidated=[record.hash for record in result.invalidated],
        skipped=[f"{s.record.label}: {s.reason}" for s in [*result.skipped, *result.unchecked]] + result.warnings,
    )


@router.put("/{ref}/tags", response_model=Marks)
def put_tags(svc: ServiceDep, ref: str, body: TagsBody) -> Marks:
    entry = _entry(svc, ref)
    annotations = set_tags(entry.dir, body.tags)
    return Marks(hash=entry.hash, tags=annotations.tags, name=annotations.name)


@router.put("/{ref}/name", response_model=Marks)
def put_name(svc: ServiceDep, ref: str, body: NameBody) -> Marks:
    entry = _entry(svc, ref)
    annotations = set_name(entry.dir, body.name or None)
    return Marks(hash=entry.hash, tags=annotations.tags, name=annotations.name)


def _entry(svc: Service, ref: str) -> Entry:
    with svc.catalog() as catalog:
        return resolve_entry(checked_ref(ref), catalog)


def checked_ref(ref: str) -> str:
    """Only a hash or a prefix of one: the API never resolves paths or specs a request names."""
    if not _HASH_PREFIX.fullmatch(ref):
        raise FuruNotFound(f"{ref!r} is not a hash or hash prefix (hexadecimal, as `furu ls` shows them).")
    return ref.lower()


def _owners(artifact_dir: str, svc: Service) -> list[str]:
    """The artifact an alias's files live in (see :func:`furu.migration.files_owner`), if it is one.

    Only an artifact directory under this dashboard's roots counts: a metadata.json
    claiming to be an alias of ``/etc`` widens nothing.
    """
    from furu.atomic import read_model
    from furu.layout import ArtifactPaths, data_dir
    from furu.metadata import Metadata
    from furu.migration import files_owner

    try:
        owner = files_owner(read_model(ArtifactPaths(artifact_dir).metadata, Metadata))
    except (OSError, FuruError):
        return []
    if owner is None or not owner.internal.is_dir():
        return []
    real = os.path.realpath(owner.root_str)
    roots = [os.path.realpath(data_dir(svc.settings.data_root)), os.path.realpath(svc.settings.artifacts_root)]
    return [owner.root_str] if any(real.startswith(root + os.sep) for root in roots) else []
