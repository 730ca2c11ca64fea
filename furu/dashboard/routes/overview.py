"""The catalog as a whole: namespaces, the overview's figures, the class graph, and the values of config fields."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from furu.catalog import Catalog, counts, distinct, page
from furu.catalog.pages import JOB_STATUSES, field_paths
from furu.dashboard.routes.experiments import ServiceDep
from furu.dashboard.rows import row_of
from furu.dashboard.schemas import Count, Dag, DagEdge, DagNode, FieldInfo, Fields, Stats
from furu.lineage import ClassGraph, class_graph
from furu.usage import disk_usage

router = APIRouter(tags=["catalog"])
FIELD_VALUES = 25


@router.get("/namespaces", response_model=list[Count])
def namespaces(svc: ServiceDep) -> list[Count]:
    with svc.catalog() as catalog:
        return [Count(value=k, count=n) for k, n in counts(by="namespace", catalog=catalog).items()]


@router.get("/stats", response_model=Stats)
def stats(svc: ServiceDep, recent: Annotated[int, Query(ge=0, le=100)] = 10) -> Stats:
    with svc.catalog() as catalog:
        by_status = counts(by="status", catalog=catalog)
        by_class = counts(by="class", catalog=catalog)
        by_namespace = counts(by="namespace", catalog=catalog)
        running = page(f"status={','.join(JOB_STATUSES)}", sort="-updated", limit=50, catalog=catalog).records
        latest = page((), sort="-updated", limit=recent, catalog=catalog).records if recent else []
        usage = disk_usage("class", catalog=catalog)
    return Stats(
        total=sum(by_status.values()),
        by_status=_counted(by_status), by_class=_counted(by_class), by_namespace=_counted(by_namespace),
        running=[row_of(r) for r in running if r.status in ("running", "queued")],
        recent=[row_of(r) for r in latest],
        disk_bytes=usage.total_bytes,
        disk_by_class=[Count(value=row.key, count=row.bytes) for row in usage.rows],
    )


@router.get("/dag", response_model=Dag)
def dag(
    svc: ServiceDep,
    source: Literal["experiments", "code"] = "experiments",
    package: Annotated[str | None, Query(description="With source=code: the package whose modules are read (default: the project's)")] = None,
) -> Dag:
    if source == "code":
        from furu.source_graph import source_class_graph

        graph = source_class_graph(package, svc.settings.project_root)
        return Dag(
            nodes=[DagNode(id=c.fqn, class_name=c.fqn.rsplit(".", 1)[-1], namespace=c.fqn.rpartition('.')[0], count=0, bases=c.bases)
                   for c in graph.classes],
            edges=[DagEdge(source=e.source, target=e.target, count=0) for e in graph.edges],
            source="code", problems=graph.problems,
        )

    def read(catalog: Catalog) -> tuple[ClassGraph, dict[str, dict[str, int]], dict[str, list[str]]]:
        statuses: dict[str, dict[str, int]] = {}
        for (fqn, status), n in _status_by_class(catalog).items():
            statuses.setdefault(fqn, {})[status] = n
        return class_graph(catalog), statuses, _recorded_bases(catalog, svc.settings.project_root)

    graph_of_runs, statuses, bases = svc.cached(("dag",), read)
    nodes = [
        DagNode(
            id=fqn, class_name=fqn.rsplit(".", 1)[-1], namespace=fqn.rpartition(".")[0], count=n, by_status=statuses.get(fqn, {}),
            bases=[base for base in bases.get(fqn, []) if base in graph_of_runs.classes],
        )
        for fqn, n in graph_of_runs.classes.items()
    ]
    edges = [DagEdge(source=e.source, target=e.target, count=e.artifacts) for e in graph_of_runs.edges]
    return Dag(nodes=nodes, edges=edges, source="experiments")


def _recorded_bases(catalog: Catalog, project_root: Path | None) -> dict[str, list[str]]:
    """Each class's furu base classes, read (never imported) from the module files its results' fingerprints name."""
    from furu.fingerprint import resolve_file
    from furu.source_graph import files_class_graph

    rows = catalog.execute("SELECT DISTINCT fqn, code_file FROM artifacts WHERE code_file IS NOT NULL")
    files = {fqn.rpartition(".")[0]: resolve_file(code_file, project_root) for fqn, code_file in rows}
    return {found.fqn: found.bases for found in files_class_graph(files).classes}


def _status_by_class(catalog: Catalog) -> dict[tuple[str, str], int]:
    rows = catalog.execute("SELECT fqn, status, count(*) FROM artifacts GROUP BY 1, 2")
    return {(fqn, status): int(n) for fqn, status, n in rows}


@router.get("/fields", response_model=Fields)
def fields(
    svc: ServiceDep,
    cls: Annotated[str | None, Query(alias="class", description="A class (name or fqn): its config fields")] = None,
    filter: str = "",
) -> Fields:
    """Config fields of the matching experiments, with their most frequent values (for autocompletion)."""
    terms = " ".join(part for part in (f"class={cls}" if cls else "", filter) if part)

    def read(catalog: Catalog) -> list[FieldInfo]:
        found = []
        for path, kinds in field_paths(terms, catalog=catalog):
            if path.rpartition(".")[2] == "__class__":
                continue  # the field itself compares by class (data=Shuffled)
            values = distinct(f"config.{path}", terms, limit=FIELD_VALUES + 1, catalog=catalog)
            found.append(FieldInfo(
                path=path, kinds=kinds, distinct=len(values),
                values=[Count(value=_written(v.value), count=v.count) for v in values[:FIELD_VALUES]],
            ))
        return found

    found = svc.cached(("fields", terms), read)
    return Fields(fqn=cls, fields=found)


def _written(value: object) -> str:
    """A stored value as the filter language writes it (``true``, ``none``, ``0.001``, ``toy``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _counted(values: dict[str, int]) -> list[Count]:
    return [Count(value=k, count=n) for k, n in values.items()]
