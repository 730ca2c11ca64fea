"""``/api/compare``: two or more experiments side by side (:func:`furu.compare.compare`), and the code diff
between two of them (:func:`furu.diffing.code_diff`, ``furu diff --code``)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from furu.compare import MAX_COMPARED, ComparedField, compare_refs
from furu.diffing import code_diff
from furu.dashboard.rows import row_of
from furu.dashboard.routes.experiments import ServiceDep, checked_ref
from furu.dashboard.schemas import ExperimentRow
from furu.layout import data_dir
from furu.refs import resolve_entry
from furu.resources import ResourceUsage

router = APIRouter(prefix="/compare", tags=["compare"])


class ComparedExperiment(BaseModel):
    row: ExperimentRow
    config: dict[str, Any] | None = Field(None, description="The stored config (metadata.json, else config.json).")
    backend: str | None = Field(None, description="Where its latest attempt ran: local, slurm, migration.")
    resources: ResourceUsage | None = Field(None, description="What its successful attempt used (null: no success).")
    metrics: dict[str, float | None] = Field(
        default_factory=dict, description="The numbers in its top-level JSON result files, by file.key (null: NaN or infinite)."
    )
    problems: list[str] = []


class CompareView(BaseModel):
    experiments: list[ComparedExperiment]
    fields: list[ComparedField] = Field(description="The config paths that differ (furu diff's engine), each with every value.")
    metrics: list[str] = Field(description="Every metric name any of them has.")
    commands: list[str] = Field(description="furu diff A B: the first against each of the others.")
    python: str = Field(description="The same comparison in Python (furu.compare.compare_refs).")


class CodeCompare(BaseModel):
    a: str
    b: str
    patch: str | None = Field(description="Unified diff from a's code snapshot to b's ('' when the snapshots are the same).")
    note: str | None = Field(description="Why there is no diff, when there is none.")
    command: str


@router.get("", response_model=CompareView)
def compare_experiments(
    svc: ServiceDep,
    hashes: Annotated[str, Query(max_length=40 * MAX_COMPARED, description="Two or more hashes or prefixes, comma-separated.")],
) -> CompareView:
    refs = [checked_ref(part.strip()) for part in hashes.split(",") if part.strip()]
    roots = [data_dir(svc.settings.data_root), svc.settings.artifacts_root]
    with svc.catalog() as catalog:
        result = compare_refs(refs, catalog=catalog, roots=roots)
    return CompareView(
        experiments=[
            ComparedExperiment(
                row=row_of(item.record), config=item.record.config, backend=item.backend, resources=item.resources,
                metrics={name: value if math.isfinite(value) else None for name, value in item.metrics.items()},
                problems=item.problems,
            )
            for item in result.artifacts
        ],
        fields=result.fields, metrics=result.metrics, commands=result.commands, python=result.python,
    )


@router.get("/code", response_model=CodeCompare)
def compare_code(svc: ServiceDep, a: str, b: str) -> CodeCompare:
    with svc.catalog() as catalog:
        first, second = (catalog.records([resolve_entry(checked_ref(ref), catalog)])[0] for ref in (a, b))
    patch, note = code_diff(first, second)
    return CodeCompare(a=first.hash, b=second.hash, patch=patch, note=note, command=f"furu diff {first.short_hash} {second.short_hash} --code")
