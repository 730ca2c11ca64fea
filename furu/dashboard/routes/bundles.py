"""``/api/bundles``: ``furu export`` as a download and ``furu import`` as an upload, through :mod:`furu.share`.

Export writes the bundle into a temporary folder of its own, streams it, and
removes the folder once sent. Import saves the upload the same way, then runs
``import_bundle`` on it (``dry_run`` first, as the page does): the same
verification as the CLI, so a tampered or hostile bundle is refused with the
CLI's sentence and nothing is written. Both are POSTs, refused with
``--read-only`` and, off loopback, without the token (furu.dashboard.security).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from furu.catalog import page
from furu.dashboard.routes.experiments import MAX_FILTER, ServiceDep
from furu.errors import FuruError
from furu.query import parse_expression
from furu.share.export import ExportReport
from furu.share.importing import ImportReport

router = APIRouter(prefix="/bundles", tags=["bundles"])

MAX_EXPORT = 10_000
"""Artifacts one export may name (a filter matching more is refused: narrow it, or use the CLI)."""
TEMP_PREFIX = "furu-dashboard-bundle-"
CHUNK = 2**20
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class ExportBody(BaseModel):
    hashes: list[str] = Field(default_factory=list, max_length=MAX_EXPORT, description="Artifacts (hashes or unique prefixes).")
    filter: str = Field("", max_length=MAX_FILTER, description="Or a `furu ls` filter: its matches that have a result.")
    deps: bool = Field(True, description="Add what they depend on (furu export without --no-deps).")
    code: Literal["bundle", "none"] = Field("bundle", description="bundle: the snapshot commits too (time travel works at the receiver).")


@router.post(
    "/export",
    response_class=FileResponse,
    responses={200: {"content": {"application/x-tar": {}}, "description": "The bundle file (a tar, as `furu export` writes)."}},
)
def export_bundle(svc: ServiceDep, body: ExportBody) -> FileResponse:
    from furu.share import export

    refs = list(dict.fromkeys(body.hashes)) or _matching(svc, body.filter)
    if not refs:
        raise FuruError("Nothing to export: select experiments (or give a filter) that have a result.")
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    name = export_file_name(len(refs))
    try:
        report: ExportReport = export(refs, folder / name, deps=body.deps, code=body.code)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        report.path, media_type="application/x-tar", filename=name,
        headers={"X-Furu-Artifacts": str(len(report.experiments)), "X-Furu-Command": export_command(refs, name, body)},
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )


@router.post("/import", response_model=ImportReport)
def import_upload(
    bundle: Annotated[UploadFile, File(description="A bundle written by `furu export`.")],
    dry_run: Annotated[bool, Query(description="Verify and say what would happen; write nothing (furu import --dry-run).")] = True,
    overwrite: Annotated[bool, Query(description="Replace artifacts with the same hash but a different result.")] = False,
) -> ImportReport:
    from furu.share import import_bundle

    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    try:
        saved = folder / upload_name(bundle.filename)
        with saved.open("wb") as out:
            while chunk := bundle.file.read(CHUNK):
                out.write(chunk)
        report = import_bundle(saved, dry_run=dry_run, overwrite=overwrite)
        return report.model_copy(update={"bundle": saved.name})  # not the server's temporary path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _matching(svc: ServiceDep, filter: str) -> list[str]:
    if not filter.strip():
        return []
    expression = parse_expression(filter)
    with svc.catalog() as catalog:
        found = page(expression, limit=MAX_EXPORT + 1, catalog=catalog)
    if found.matched > MAX_EXPORT:
        raise FuruError(f"The filter {filter!r} matches {found.matched} artifacts, more than {MAX_EXPORT}: narrow it, or use `furu export`.")
    return [record.hash for record in found.records if record.status == "success"]


def export_file_name(count: int) -> str:
    return f"furu-{count}-artifact{'s' if count != 1 else ''}.furu.tar"


def upload_name(filename: str | None) -> str:
    """The upload's own name (so refusals name the user's file), reduced to safe characters."""
    name = _SAFE_NAME.sub("_", Path(filename or "").name).strip("._")
    return name[:120] or "upload.furu.tar"


def export_command(refs: list[str], name: str, body: ExportBody) -> str:
    shown = " ".join(refs[:20]) + (" ..." if len(refs) > 20 else "")
    flags = (" --no-deps" if not body.deps else "") + (" --code none" if body.code == "none" else "")
    return f"furu export {shown} -o {name}{flags}"
