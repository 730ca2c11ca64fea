"""What the dashboard's API answers, as pydantic models: the OpenAPI schema the frontend's typed client is generated from.

The records themselves are the library's (:class:`~furu.catalog.ArtifactRecord`,
:class:`~furu.report.ArtifactReport`); the models here are the shapes only
the web needs: a table row with the chosen config fields, pages, counts, the
class graph, file listings and file previews.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from furu.report import ArtifactReport, Commands


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    read_only: bool = Field(description="Mutations are refused (furu dashboard --read-only).")
    demo: bool = Field(description="Serving the temporary demo data root (furu dashboard --demo).")
    data_root: str


class ExperimentRow(BaseModel):
    """One row of the experiments table."""

    hash: str
    short_hash: str
    fqn: str
    class_name: str
    namespace: str
    status: str
    problem: str | None = None
    job_id: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    runtime_secs: float | None = None
    size_bytes: int | None = None
    attempts: int = 0
    tags: list[str] = []
    name: str | None = None
    host: str | None = None
    user: str | None = None
    version_controlled: bool = False
    dependencies: int = Field(0, description="How many artifacts it depends on (declared and loaded).")
    code_changed: bool | None = None
    code_drift: str | None = Field(None, description="class, module or gone: what changed in its code since.")
    stale: bool | None = Field(None, description="Today's classes no longer rebuild its config (only when asked: stale=true).")
    values: dict[str, Any] = Field(default_factory=dict, description="The requested config fields (columns=lr,data.name), by path.")


class ExperimentPage(BaseModel):
    total: int = Field(description="Experiments matching the filter (all pages).")
    catalog_total: int = Field(description="Experiments in the catalog.")
    offset: int
    limit: int
    filter: str = Field(description="The filter in canonical `furu ls` form (parses back to the same).")
    sort: str
    items: list[ExperimentRow]


class ExperimentDetail(BaseModel):
    row: ExperimentRow
    report: ArtifactReport
    commands: Commands
    stale_reasons: list[str] = []
    patch: str | None = Field(None, description="The uncommitted changes it was made with, as a diff (null: a clean tree or no git).")


class Related(BaseModel):
    row: ExperimentRow | None = Field(None, description="Null when the artifact is no longer on disk.")
    fqn: str
    hash: str
    edge: str = Field(description="declared, loaded, or both.")


class Relationships(BaseModel):
    parents: list[Related] = Field(description="What it depends on.")
    children: list[Related] = Field(description="What depends on it.")


class LogTail(BaseModel):
    path: str
    exists: bool
    size: int
    lines: list[str]
    offset: int = Field(description="Byte offset after the last line: where a live tail goes on from.")


class FileItem(BaseModel):
    path: str = Field(description="Relative to the artifact directory, '/'-separated.")
    kind: Literal["file", "dir", "symlink"]
    size: int | None = None
    modified: datetime | None = None
    viewer: Literal["json", "jsonl", "csv", "parquet", "markdown", "text", "image", "html", "binary", "dir"]


class FileListing(BaseModel):
    path: str
    items: list[FileItem]
    truncated: bool = False


class TablePreview(BaseModel):
    """The first rows of a CSV or Parquet file."""

    columns: list[str]
    rows: list[list[Any]]
    total_rows: int | None = Field(None, description="Null when not known without reading the whole file.")
    truncated: bool


class TagsBody(BaseModel):
    tags: list[Annotated[str, Field(max_length=200)]] = Field(max_length=200)


class NameBody(BaseModel):
    name: str | None = Field(max_length=500)


class Marks(BaseModel):
    """An artifact's tags and name after a change."""

    hash: str
    tags: list[str]
    name: str | None


class InvalidateBody(BaseModel):
    cascade: bool = Field(False, description="Also invalidate everything downstream.")


class InvalidateResult(BaseModel):
    invalidated: list[str] = Field(description="Hashes whose results were invalidated.")
    skipped: list[str] = Field(description="Why some were left, one line each.")


class Removed(BaseModel):
    hash: str
    dir: str


class Count(BaseModel):
    value: str
    count: int


class RecentChange(BaseModel):
    row: ExperimentRow
    at: datetime | None


class Stats(BaseModel):
    total: int
    by_status: list[Count]
    by_class: list[Count]
    by_namespace: list[Count]
    running: list[ExperimentRow]
    recent: list[ExperimentRow]
    disk_bytes: int
    disk_by_class: list[Count] = Field(description="Bytes per class, largest first.")


class DagNode(BaseModel):
    id: str = Field(description="The class's fqn.")
    class_name: str
    namespace: str
    count: int = Field(description="Its experiments (0 for a class read from source that has none).")
    by_status: dict[str, int] = {}
    bases: list[str] = Field(default_factory=list, description="Its furu base classes among the nodes (subclasses group under them).")


class DagEdge(BaseModel):
    source: str = Field(description="The dependent class.")
    target: str = Field(description="The class it depends on.")
    count: int = Field(description="Experiments recording this dependency (0 when read from source).")


class Dag(BaseModel):
    nodes: list[DagNode]
    edges: list[DagEdge]
    source: Literal["experiments", "code"]
    problems: list[str] = []


class FieldInfo(BaseModel):
    path: str
    kinds: list[str] = Field(description="num, text, bool, none, config: the kinds of values stored.")
    distinct: int = Field(description="How many distinct values (up to the limit asked).")
    values: list[Count] = Field(description="The most frequent values, as the filter language writes them.")


class Fields(BaseModel):
    fqn: str | None
    fields: list[FieldInfo]


class Problem(BaseModel):
    """Every error the API answers: what happened and how to fix it."""

    detail: str
