"""Charts of result files across experiments: what to plot (a :class:`ChartDefinition`), its data, and the saved ones.

A chart reads one result file (``metrics.json``, ``history.jsonl``, a CSV, a
Parquet file: see :mod:`furu.result_files`) in each experiment of a selection
(a ``furu ls`` filter, or hashes) and plots it:

- ``scatter`` / ``line``: a metric of the file (``y``) against a config field
  (``x``, e.g. ``lr``), one point per experiment; ``group`` (a config field)
  splits the points into series. A table's metric is its last row's value.
- ``bar``: per experiment, ``y`` for each category of the file's ``x`` column
  (a CSV of ``class,accuracy``), or each metric named in ``fields``.
- ``parallel``: a sweep as parallel coordinates: one axis per config field in
  ``fields``, and ``y`` last.
- ``series``: the file's ``y`` column against its ``x`` column (the row number
  when empty), one line per experiment: a loss curve per step, overlaid.

::

    from furu.charts import ChartDefinition, chart
    data = chart(ChartDefinition(kind="scatter", file="metrics.json", x="lr", y="accuracy", filter="class=Train"))

A definition is saved for everyone with :mod:`furu.saved_charts`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord, Catalog, page
from furu.errors import FuruError, FuruNotFound
from furu.query import config_value, filter_paths, is_missing, parse_expression
from furu.query.paths import as_text
from furu.refs import resolve_entry
from furu.result_files import (
    MAX_FILE_BYTES,
    ResultFileError,
    ResultTable,
    Value,
    downsample,
    kind_of,
    list_result_files,
    number,
    read_table,
)

ChartKind = Literal["scatter", "line", "bar", "parallel", "series"]
CHART_KINDS: tuple[ChartKind, ...] = ("scatter", "line", "bar", "parallel", "series")
MAX_RUNS = 500
"""A chart reads at most this many experiments (the first by the filter's order); it says when it cut."""
MAX_SERIES_POINTS = 10_000
"""A series longer than this is down-sampled (every spike kept) before it is sent."""
MAX_TOTAL_POINTS = 200_000
"""All the series of one chart together: with many runs each gets a share."""
_HASH = re.compile(r"[0-9a-fA-F]{1,32}")
_FIELD = re.compile(r"[^\x00-\x1f,]{1,200}")
"""A field or column name: anything printable but a comma (which separates ``fields``), up to 200 characters."""


class ChartError(FuruError):
    """A chart definition that cannot be drawn (a missing field, a kind that needs another file)."""


class ChartDefinition(BaseModel):
    """What a chart plots; the dashboard keeps it in the page's URL, and saves it as it is."""

    model_config = {"extra": "ignore"}

    kind: ChartKind = "scatter"
    file: str = ""
    """The result file, relative to each artifact directory (``metrics.json``, ``logs/history.jsonl``)."""
    x: str = ""
    """scatter/line: a config field (``lr``, ``data.name``); bar/series: a column of the file (``""``: rows, or ``fields``)."""
    y: str = ""
    """The metric: a column of the file (a dotted leaf of a JSON file: ``eval.accuracy``)."""
    fields: list[str] = Field(default_factory=list)
    """parallel: the config fields, one axis each; bar: the metrics to show per experiment."""
    group: str = ""
    """scatter/line: a config field whose values split the points into series; series: names each run's line."""
    filter: str = ""
    """The selection, as ``furu ls`` filters it (``class=Train status=success``)."""
    hashes: list[str] = Field(default_factory=list)
    """Or exactly these experiments (hashes or prefixes); used instead of ``filter`` when given."""
    title: str = ""

    def python(self) -> str:
        """The snippet that computes this chart's data from Python."""
        given = self.model_dump(exclude_defaults=True)
        arguments = ", ".join(f"{key}={value!r}" for key, value in given.items())
        return f"from furu.charts import ChartDefinition, chart\nchart(ChartDefinition({arguments}))"


class ChartSeries(BaseModel):
    name: str
    hash: str | None = None
    """The experiment, for a series that is one experiment's (series, bar)."""
    x: list[Value]
    y: list[Value]
    hashes: list[str] = Field(default_factory=list)
    """scatter/line: the experiment of each point."""
    points: int
    """How many points were read, before down-sampling."""
    downsampled: bool = False


class ParallelAxis(BaseModel):
    name: str
    type: Literal["value", "category"]
    categories: list[str] = Field(default_factory=list)


class ParallelLine(BaseModel):
    hash: str
    label: str
    values: list[Value]


class Skipped(BaseModel):
    hash: str
    label: str
    status: str
    reason: str


class ChartData(BaseModel):
    definition: ChartDefinition
    series: list[ChartSeries] = Field(default_factory=list)
    axes: list[ParallelAxis] = Field(default_factory=list)
    lines: list[ParallelLine] = Field(default_factory=list)
    runs: int
    """Experiments selected."""
    plotted: int
    """Experiments with something on the chart."""
    points: int
    """Points on the chart (after down-sampling)."""
    skipped: list[Skipped] = Field(default_factory=list)
    """Experiments left out, and why (no such file, no such column, a refused symlink)."""
    truncated: bool = False
    """More experiments matched than :data:`MAX_RUNS`."""
    python: str


class Column(BaseModel):
    name: str
    numeric: bool


class PlottableFile(BaseModel):
    path: str
    kind: Literal["json", "jsonl", "csv", "parquet"]
    runs: int
    """How many of the selected experiments have it."""
    rows: int | None = None
    """Rows of the first copy read (a JSON object: 1)."""
    columns: list[Column] = Field(default_factory=list)
    problem: str | None = None


class Plottable(BaseModel):
    files: list[PlottableFile]
    config_fields: list[str]
    """The config fields of the selection (for x, group and the parallel axes)."""
    runs: int
    truncated: bool = False


# ---------------------------------------------------------------- selection


def select_runs(filter: str = "", hashes: Sequence[str] = (), *, catalog: Catalog | None = None) -> tuple[list[ArtifactRecord], bool]:
    """The experiments a chart reads (with configs), and whether more matched than :data:`MAX_RUNS`."""
    catalog = catalog or Catalog()
    if hashes:
        entries = []
        for ref in dict.fromkeys(hashes):
            if not _HASH.fullmatch(ref):
                raise FuruNotFound(f"{ref!r} is not a hash or hash prefix (hexadecimal, as `furu ls` shows them).")
            entries.append(resolve_entry(ref.lower(), catalog))
        return catalog.records(entries[:MAX_RUNS], details=True), len(entries) > MAX_RUNS
    found = page(parse_expression(filter), limit=MAX_RUNS, catalog=catalog)
    return list(found.records), found.matched > len(found.records)


def chart(definition: ChartDefinition, *, catalog: Catalog | None = None) -> ChartData:
    """The data of ``definition`` over the experiments it selects."""
    records, truncated = select_runs(definition.filter, definition.hashes, catalog=catalog)
    return chart_data(definition, records, truncated=truncated)


def label_of(record: ArtifactRecord) -> str:
    return record.name or f"{record.class_name} {record.short_hash}"


def config_of(record: ArtifactRecord, path: str) -> Value:
    """A config field's value as a chart axis shows it (a nested config: its class), or None."""
    if not path:
        return None
    found = config_value(record.config, tuple(path.removeprefix("config.").split(".")))
    if is_missing(found):
        return None
    if isinstance(found, dict | list):
        return as_text(found) if isinstance(found, dict) else None
    return number(found)


# ---------------------------------------------------------------- data


def chart_data(definition: ChartDefinition, records: Sequence[ArtifactRecord], *, truncated: bool = False) -> ChartData:
    """Read ``definition.file`` in each record's directory and shape it as ``definition.kind`` plots it."""
    check_definition(definition)
    data = ChartData(definition=definition, runs=len(records), plotted=0, points=0, truncated=truncated, python=definition.python())
    tables: list[tuple[ArtifactRecord, ResultTable]] = []
    for record in records:
        try:
            tables.append((record, read_table(record.dir, definition.file)))
        except (FuruError, OSError) as error:
            _skip(data, record, _reason(error, definition.file))
    shape = {"scatter": _points, "line": _points, "bar": _bars, "parallel": _parallel, "series": _series}[definition.kind]
    shape(definition, tables, data)
    data.points = sum(len(s.x) for s in data.series) + len(data.lines)
    return data


def check_definition(definition: ChartDefinition) -> None:
    """A :class:`ChartError` saying what ``definition`` lacks to be drawn."""
    if not definition.file:
        raise ChartError("A chart needs a result file (file=metrics.json).")
    if kind_of(definition.file) is None:
        raise ChartError(f"{definition.file!r} is not a result file a chart reads (JSON, JSONL, CSV, TSV or Parquet).")
    for name in (definition.x, definition.y, definition.group, *definition.fields):
        if name and not _FIELD.fullmatch(name):
            raise ChartError(f"{name!r} is not a field or column name (no commas or control characters, at most 200 characters).")
    if definition.kind != "bar" and not definition.y:
        raise ChartError(f"A {definition.kind} chart needs a metric (y=...).")
    if definition.kind in ("scatter", "line") and not definition.x:
        raise ChartError(f"A {definition.kind} chart needs a config field for x (x=lr).")
    if definition.kind == "parallel" and not definition.fields:
        raise ChartError("A parallel-coordinates chart needs config fields for its axes (fields=lr,seed).")
    if definition.kind == "bar" and not (definition.y and definition.x) and not definition.fields:
        raise ChartError("A bar chart needs a category column and a metric (x=class y=accuracy), or metrics (fields=...).")


def _skip(data: ChartData, record: ArtifactRecord, reason: str) -> None:
    data.skipped.append(Skipped(hash=record.hash, label=label_of(record), status=record.status, reason=reason))


def _reason(error: BaseException, path: str) -> str:
    if isinstance(error, FuruNotFound):
        return str(error).split(" (it has")[0] if "has no column" in str(error) else f"no {path}"
    if isinstance(error, ResultFileError):
        return str(error)
    return f"{path} cannot be read: {getattr(error, 'strerror', None) or error}"


def _last(values: list[Value]) -> Value:
    """A table's metric: its last number (a history's final value)."""
    for value in reversed(values):
        if isinstance(value, float):
            return value
    return None


def _metric(table: ResultTable, name: str, path: str) -> Value:
    return _last(table.column(name, path))


def _points(definition: ChartDefinition, tables: list[tuple[ArtifactRecord, ResultTable]], data: ChartData) -> None:
    groups: dict[str, ChartSeries] = {}
    for record, table in tables:
        try:
            y = _metric(table, definition.y, definition.file)
        except FuruNotFound as error:
            _skip(data, record, _reason(error, definition.file))
            continue
        x = config_of(record, definition.x)
        if y is None or x is None:
            missing = f"no number for {definition.y}" if y is None else f"no config field {definition.x}"
            _skip(data, record, missing)
            continue
        name = f"{definition.group}={_show(config_of(record, definition.group))}" if definition.group else definition.y
        series = groups.setdefault(name, ChartSeries(name=name, x=[], y=[], points=0))
        series.x.append(x)
        series.y.append(y)
        series.hashes.append(record.hash)
        series.points += 1
        data.plotted += 1
    for series in groups.values():
        if definition.kind == "line":  # a line joins its points from left to right
            order = sorted(range(len(series.x)), key=lambda i: _sort_key(series.x[i]))
            series.x, series.y, series.hashes = [series.x[i] for i in order], [series.y[i] for i in order], [series.hashes[i] for i in order]
    data.series = sorted(groups.values(), key=lambda s: s.name)


def _bars(definition: ChartDefinition, tables: list[tuple[ArtifactRecord, ResultTable]], data: ChartData) -> None:
    for record, table in tables:
        try:
            if definition.x and definition.y:
                categories = [_show(value) for value in table.column(definition.x, definition.file)]
                values = table.column(definition.y, definition.file)
            else:
                categories = list(definition.fields)
                values = [_metric(table, name, definition.file) if name in table.columns else None for name in definition.fields]
        except FuruNotFound as error:
            _skip(data, record, _reason(error, definition.file))
            continue
        values = [value if isinstance(value, float) else None for value in values]
        if all(value is None for value in values):
            _skip(data, record, "no numbers to show")
            continue
        name = _run_name(definition, record)
        data.series.append(ChartSeries(name=name, hash=record.hash, x=list(categories), y=values, points=len(values)))
        data.plotted += 1


def _parallel(definition: ChartDefinition, tables: list[tuple[ArtifactRecord, ResultTable]], data: ChartData) -> None:
    for record, table in tables:
        try:
            y = _metric(table, definition.y, definition.file)
        except FuruNotFound as error:
            _skip(data, record, _reason(error, definition.file))
            continue
        values = [config_of(record, name) for name in definition.fields]
        data.lines.append(ParallelLine(hash=record.hash, label=label_of(record), values=[*values, y]))
        data.plotted += 1
    for index, name in enumerate([*definition.fields, definition.y]):
        column = [line.values[index] for line in data.lines]
        if any(isinstance(value, str) for value in column):
            categories = sorted({_show(value) for value in column}, key=_sort_key)
            for line in data.lines:
                line.values[index] = _show(line.values[index])
            data.axes.append(ParallelAxis(name=name, type="category", categories=categories))
        else:
            data.axes.append(ParallelAxis(name=name, type="value"))


def _series(definition: ChartDefinition, tables: list[tuple[ArtifactRecord, ResultTable]], data: ChartData) -> None:
    budget = max(100, min(MAX_SERIES_POINTS, MAX_TOTAL_POINTS // max(1, len(tables))))
    for record, table in tables:
        try:
            y = table.column(definition.y, definition.file)
            x: list[Value] = table.column(definition.x, definition.file) if definition.x else [float(i) for i in range(table.rows)]
        except FuruNotFound as error:
            _skip(data, record, _reason(error, definition.file))
            continue
        pairs = [(a, b) for a, b in zip(x, y, strict=False) if isinstance(b, float) and a is not None]
        if not pairs:
            _skip(data, record, f"no numbers in {definition.y}")
            continue
        xs, ys, cut = downsample([a for a, _ in pairs], [b for _, b in pairs], budget)
        data.series.append(ChartSeries(name=_run_name(definition, record), hash=record.hash, x=xs, y=ys, points=len(pairs), downsampled=cut))
        data.plotted += 1


def _run_name(definition: ChartDefinition, record: ArtifactRecord) -> str:
    if definition.group:
        return f"{definition.group}={_show(config_of(record, definition.group))} · {record.short_hash}"
    return label_of(record)


def _show(value: Value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "none" if value is None else value


def _sort_key(value: Value) -> tuple[int, float, str]:
    if isinstance(value, float):
        return (0, value, "")
    return (1, 0.0, str(value))


# ---------------------------------------------------------------- what can be plotted


def plottable(records: Sequence[ArtifactRecord], *, truncated: bool = False, sample: int = 3) -> Plottable:
    """The result files across ``records`` (by path, with how many have each), their columns
    (read from up to ``sample`` copies, the first 1,000 rows each), and the selection's config fields."""
    by_path: dict[str, list[tuple[ArtifactRecord, int]]] = {}
    for record in records:
        for found in list_result_files(record.dir):
            by_path.setdefault(found.path, []).append((record, found.size))
    files: list[PlottableFile] = []
    for path, holders in sorted(by_path.items()):
        kind = kind_of(path)
        assert kind is not None
        entry = PlottableFile(path=path, kind=kind, runs=len(holders))
        columns: dict[str, bool] = {}
        for record, _size in holders[:sample]:
            try:
                table = read_table(record.dir, path, max_rows=1000, max_bytes=MAX_FILE_BYTES)
            except (FuruError, OSError) as error:
                entry.problem = entry.problem or _reason(error, path)
                continue
            entry.rows = table.rows if entry.rows is None else entry.rows
            numeric = set(table.numeric())
            for name in table.columns:
                columns[name] = columns.get(name, False) or name in numeric
        entry.columns = [Column(name=name, numeric=numeric) for name, numeric in columns.items()]
        if entry.columns:
            entry.problem = None
        files.append(entry)
    fields: dict[str, None] = {}
    for record in records:
        for path in sorted(filter_paths(record.config)):
            if not path.endswith("__class__") and not isinstance(config_value(record.config, path.split(".")), list):
                fields.setdefault(path)
    return Plottable(files=files, config_fields=sorted(fields), runs=len(records), truncated=truncated)
