"""``/api/charts``: what a selection's result files can plot, a chart's data, and the charts saved to the project.

Each route is one call of :mod:`furu.charts` or :mod:`furu.saved_charts`. A chart's data is a GET whose
query is the definition (the page keeps the same fields in its URL), so it
works on a ``--read-only`` server; saving and deleting are POST and DELETE,
refused there by the guard.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from furu.charts import ChartData, ChartDefinition, ChartKind, Plottable, chart_data, plottable, select_runs
from furu.saved_charts import SavedChart, charts_path, delete_chart, save_chart, saved_charts
from furu.dashboard.rows import split_columns
from furu.dashboard.service import Service

router = APIRouter(prefix="/charts", tags=["charts"])
MAX_TEXT = 10_000


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(service)]
FilterQuery = Annotated[str, Query(max_length=MAX_TEXT, description="A `furu ls` filter: class=Train status=success")]
HashesQuery = Annotated[str, Query(max_length=MAX_TEXT, description="Or exactly these experiments: hashes or prefixes, comma-separated")]
NameQuery = Annotated[str, Query(max_length=200)]


class SavedCharts(BaseModel):
    path: str
    """The file they are saved in (``furu-data/charts.json``)."""
    charts: list[SavedChart]


class SaveChartBody(BaseModel):
    definition: ChartDefinition
    id: str | None = None
    """Replace the saved chart with this id; a new one otherwise."""


@router.get("/files", response_model=Plottable)
def files(svc: ServiceDep, filter: FilterQuery = "", hashes: HashesQuery = "") -> Plottable:
    """The result files across the selection, with their columns, and the selection's config fields."""
    with svc.catalog() as catalog:
        records, truncated = select_runs(filter, split_columns(hashes), catalog=catalog)
    return plottable(records, truncated=truncated)


@router.get("/data", response_model=ChartData)
def data(
    svc: ServiceDep,
    file: Annotated[str, Query(max_length=1000, description="The result file inside each artifact: metrics.json")],
    kind: ChartKind = "scatter",
    x: NameQuery = "",
    y: NameQuery = "",
    fields: Annotated[str, Query(max_length=MAX_TEXT, description="Comma-separated: the parallel axes, or a bar's metrics")] = "",
    group: NameQuery = "",
    filter: FilterQuery = "",
    hashes: HashesQuery = "",
    title: NameQuery = "",
) -> ChartData:
    definition = ChartDefinition(
        kind=kind, file=file, x=x, y=y, fields=split_columns(fields), group=group, filter=filter,
        hashes=split_columns(hashes), title=title,
    )
    with svc.catalog() as catalog:
        records, truncated = select_runs(definition.filter, definition.hashes, catalog=catalog)
    return chart_data(definition, records, truncated=truncated)  # the files are read with the catalog free


@router.get("/saved", response_model=SavedCharts)
def list_saved(svc: ServiceDep) -> SavedCharts:
    return SavedCharts(path=str(charts_path(svc.settings)), charts=saved_charts(svc.settings))


@router.post("/saved", response_model=SavedChart)
def save(svc: ServiceDep, body: SaveChartBody) -> SavedChart:
    return save_chart(body.definition, svc.settings, chart_id=body.id)


@router.delete("/saved/{chart_id}", response_model=SavedChart)
def delete(svc: ServiceDep, chart_id: str) -> SavedChart:
    return delete_chart(chart_id, svc.settings)
