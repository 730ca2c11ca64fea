"""The numbers in an artifact's result files: as columns (what a chart plots), or as scalars (what compare lines up).

One file, named relative to its artifact directory, is read into a
:class:`ResultTable` of columns (dotted names to values, one value per row):

- JSON: an object is one row of its leaves (``{"eval": {"acc": 0.9}}`` gives
  the column ``eval.acc``; list items by index, ``scores.0``); a list of
  objects is one row per object.
- JSONL (``.jsonl``, ``.ndjson``): one row per line holding an object; other
  lines are counted as skipped.
- CSV (``.csv``, ``.tsv``): the header names the columns.
- Parquet: through pyarrow, when it is installed (an error says how otherwise).

Numbers come back as floats (NaN and infinities as ``None``: JSON has none),
text as text, booleans as 0/1, anything else as ``None``.

Nothing outside the artifact is read: files are opened by
:func:`furu.confined.open_inside`, as the dashboard serves files. Only regular files are read (never a FIFO, never blocking), at most
:data:`MAX_FILE_BYTES` of them and :data:`MAX_ROWS` rows; a series longer than
a chart needs is cut down by :func:`downsample`, which keeps every spike.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from furu import confined
from furu.errors import FuruError, FuruNotFound

ResultKind = Literal["json", "jsonl", "csv", "parquet"]
Value = float | str | None

RESULT_SUFFIXES: dict[str, ResultKind] = {
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "csv", ".parquet": "parquet",
}  # fmt: skip
MAX_FILE_BYTES = 64 << 20
"""A larger result file is not read (a dump of predictions is not a chart's input)."""
MAX_ROWS = 1_000_000
"""At most this many rows of one file are read; the table says it was cut."""
MAX_COLUMNS = 500
"""At most this many columns (leaves, for JSON) of one file, in the order they are first seen."""
MAX_LIST_ITEMS = 100
"""Of a list inside a JSON object, the first this many items are columns (``scores.0``)."""
MAX_LISTED = 500
"""At most this many result files are listed per artifact."""
MAX_DEPTH = 4
"""Result files are looked for this many directories deep (the artifact's own ``.furu/`` never)."""
INTERNAL_DIR = ".furu"  # furu.layout.INTERNAL_DIR, repeated to keep this module at the bottom of the layers


class ResultFileError(FuruError):
    """A result file cannot be read as a table: refused, unreadable, too big, or not parseable."""


@dataclass(frozen=True, slots=True)
class ResultFile:
    path: str
    """Relative to the artifact directory, with ``/``."""
    kind: ResultKind
    size: int


@dataclass(slots=True)
class ResultTable:
    """A file's columns, each a list with one value per row (``None`` where a row has none)."""

    columns: dict[str, list[Value]] = field(default_factory=dict)
    rows: int = 0
    truncated: bool = False
    """Rows (or columns) were left out: the file has more than the caps allow."""
    skipped: int = 0
    """Lines of a JSONL file that held no object."""

    def numeric(self) -> list[str]:
        """The columns holding at least one number."""
        return [name for name, values in self.columns.items() if any(isinstance(v, float) for v in values)]

    def column(self, name: str, path: str = "") -> list[Value]:
        if name not in self.columns:
            close = ", ".join(list(self.columns)[:8])
            raise FuruNotFound(f"{path or 'The file'} has no column {name!r} (it has: {close or 'none'}).")
        return self.columns[name]

    def _add(self, row: dict[str, Value]) -> None:
        for name, value in row.items():
            values = self.columns.get(name)
            if values is None:
                if len(self.columns) >= MAX_COLUMNS:
                    self.truncated = True
                    continue
                values = self.columns[name] = [None] * self.rows
            values.append(value)
        self.rows += 1
        for values in self.columns.values():
            if len(values) < self.rows:
                values.append(None)


def kind_of(path: str) -> ResultKind | None:
    """The format a result file's name says, or None for a file no chart reads."""
    return RESULT_SUFFIXES.get(PurePosixPath(path).suffix.lower())


def list_result_files(artifact_dir: str | Path) -> list[ResultFile]:
    """The result files of an artifact (by path), never under ``.furu/``, never through a symlinked directory.

    A symlinked file is listed (what it leads to is judged when it is read).
    """
    root = str(artifact_dir)
    found: list[ResultFile] = []

    def walk(directory: str, prefix: str, depth: int) -> None:
        try:
            with os.scandir(directory) as scanned:
                entries = sorted(scanned, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if len(found) >= MAX_LISTED or entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH:
                        walk(entry.path, f"{prefix}{entry.name}/", depth + 1)
                    continue
                kind = kind_of(entry.name)
                if kind is not None and (entry.is_file(follow_symlinks=False) or entry.is_symlink()):
                    size = entry.stat(follow_symlinks=False).st_size if entry.is_file(follow_symlinks=False) else 0
                    found.append(ResultFile(prefix + entry.name, kind, size))
            except OSError:
                continue

    walk(root, "", 1)
    return found


def read_table(artifact_dir: str | Path, path: str, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_FILE_BYTES) -> ResultTable:
    """The columns of the result file ``path`` inside ``artifact_dir`` (see the module's docstring)."""
    kind = kind_of(path)
    if kind is None:
        raise ResultFileError(f"{path!r} is not a result file a chart reads (JSON, JSONL, CSV, TSV or Parquet).")
    fd = open_inside(artifact_dir, path)
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise ResultFileError(f"{path!r} is {size} bytes, more than the {max_bytes} a chart reads.")
        if kind == "parquet":
            return _read_parquet(handle, path, max_rows)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since fstat
        data = data[:max_bytes]
    if kind == "json":
        return _read_json(data, path, max_rows)
    if kind == "jsonl":
        return _read_jsonl(data, max_rows)
    return _read_csv(data, path, max_rows)


def open_inside(artifact_dir: str | Path, path: str) -> int:
    """A read-only descriptor of the regular file ``path`` leads to, if it is inside ``artifact_dir`` (:mod:`furu.confined`)."""
    try:
        return confined.open_inside(str(artifact_dir), path)
    except confined.FuruPathRefused as refused:
        raise ResultFileError(str(refused)) from None


MAX_METRIC_FILE_BYTES = 8 << 20
"""A larger JSON file is not a file of scalar results (a dump of predictions): :func:`scalar_metrics` skips it, unread."""
MAX_METRICS = 1000
"""At most this many numbers per artifact from :func:`scalar_metrics`: enough for any table a person reads."""


def scalar_metrics(artifact_dir: str | Path) -> dict[str, float]:
    """The numbers in ``artifact_dir``'s top-level JSON files, as ``{"file.key.sub": value}``: what compare lines up.

    ``metrics.json`` holding ``{"loss": 0.1, "eval": {"acc": 0.9}}`` gives
    ``{"metrics.loss": 0.1, "metrics.eval.acc": 0.9}``. Files are read in name
    order, keys in the order written, list items by index (the first
    :data:`MAX_LIST_ITEMS`). Unlike a chart's cells, only numbers count (text,
    booleans and null are left out), and NaN and infinities are kept: a diverged
    loss is a result too. A file that is not valid JSON, larger than
    :data:`MAX_METRIC_FILE_BYTES`, hidden, or reached through a symlink is
    skipped; a missing directory gives ``{}``.
    """
    found: dict[str, float] = {}
    for path in json_result_files(artifact_dir):
        parsed = _read_metric_file(artifact_dir, path.name)
        if parsed is not _UNREADABLE:
            _leaves(parsed, path.name.removesuffix(".json"), found, leaf=_metric, limit=MAX_METRICS)
        if len(found) >= MAX_METRICS:
            break
    return found


def json_result_files(artifact_dir: str | Path) -> list[Path]:
    """The regular (not symlinked) ``*.json`` files directly in ``artifact_dir`` that :func:`scalar_metrics` reads, by name."""
    root = Path(artifact_dir)
    try:
        names = sorted(os.listdir(root))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    found = []
    for name in names:
        if not name.endswith(".json") or name.startswith("."):
            continue
        try:
            info = os.lstat(root / name)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_METRIC_FILE_BYTES:
            found.append(root / name)
    return found


_UNREADABLE = object()


def _read_metric_file(artifact_dir: str | Path, name: str) -> Any:
    try:
        fd = open_inside(artifact_dir, name)  # swapped for a symlink, a FIFO or a device since the listing: refused
    except FuruError:
        return _UNREADABLE
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_METRIC_FILE_BYTES + 1)
    if len(raw) > MAX_METRIC_FILE_BYTES:
        return _UNREADABLE
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return _UNREADABLE


def _metric(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond any float
        return math.inf if value > 0 else -math.inf


def number(value: Any) -> Value:
    """A cell as a chart sees it: a finite float, text, or None."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        try:
            as_float = float(value)
        except OverflowError:
            return None
        return as_float if math.isfinite(as_float) else None
    if isinstance(value, str):
        return value
    return None


def _leaves(
    value: Any, name: str, out: dict[str, Any], depth: int = 0, *, leaf: Callable[[Any], Any] = number, limit: int = MAX_COLUMNS
) -> None:
    """``out[dotted name] = leaf(value)`` for each leaf, the first ``limit`` names; a leaf made None is left out
    when ``leaf`` is not :func:`number` (a chart's cell may be empty, a metric may not)."""
    if depth > 32 or len(out) >= limit:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            _leaves(child, f"{name}.{key}" if name else str(key), out, depth + 1, leaf=leaf, limit=limit)
    elif isinstance(value, list):
        for index, child in enumerate(value[:MAX_LIST_ITEMS]):
            _leaves(child, f"{name}.{index}" if name else str(index), out, depth + 1, leaf=leaf, limit=limit)
    elif name:
        converted = leaf(value)
        if converted is not None or leaf is number:
            out.setdefault(name, converted)


def _row(value: Any) -> dict[str, Value]:
    out: dict[str, Value] = {}
    _leaves(value, "", out)
    return out


def _read_json(data: bytes, path: str, max_rows: int) -> ResultTable:
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ResultFileError(f"{path!r} is not valid JSON ({error}).") from None
    table = ResultTable()
    if isinstance(parsed, list) and parsed and all(isinstance(item, dict) for item in parsed):
        for item in parsed[:max_rows]:
            table._add(_row(item))
        table.truncated = table.truncated or len(parsed) > max_rows
    elif isinstance(parsed, list) and all(not isinstance(item, dict | list) for item in parsed):
        for item in parsed[:max_rows]:
            table._add({"value": number(item)})
        table.truncated = len(parsed) > max_rows
    else:
        table._add(_row(parsed) if isinstance(parsed, dict | list) else {"value": number(parsed)})
    return table


def _read_jsonl(data: bytes, max_rows: int) -> ResultTable:
    table = ResultTable()
    for line in data.splitlines():
        if not line.strip():
            continue
        if table.rows >= max_rows:
            table.truncated = True
            break
        try:
            parsed = json.loads(line)
        except (ValueError, RecursionError):
            table.skipped += 1
            continue
        if isinstance(parsed, dict):
            table._add(_row(parsed))
        else:
            table.skipped += 1
    return table


def _cell(text: str) -> Value:
    stripped = text.strip()
    if not stripped:
        return None
    try:
        return number(float(stripped))
    except ValueError:
        return text


def _read_csv(data: bytes, path: str, max_rows: int) -> ResultTable:
    text = io.StringIO(data.decode("utf-8", errors="replace"), newline="")
    reader = csv.reader(text, delimiter="\t" if path.lower().endswith(".tsv") else ",")
    table = ResultTable()
    try:
        header = next(reader, [])
        names = [name or f"column {index + 1}" for index, name in enumerate(header[:MAX_COLUMNS])]
        table.truncated = len(header) > MAX_COLUMNS
        table.columns = {name: [] for name in names}
        columns = [table.columns[name] for name in names]
        for row in reader:
            if table.rows >= max_rows:
                table.truncated = True
                break
            for index, values in enumerate(columns):
                values.append(_cell(row[index]) if index < len(row) else None)
            table.rows += 1
    except csv.Error as error:
        raise ResultFileError(f"{path!r} is not a readable CSV file ({error}).") from None
    return table


def _read_parquet(handle: io.BufferedReader, path: str, max_rows: int) -> ResultTable:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise ResultFileError(f"Reading {path!r} needs pyarrow, which is not installed: pip install pyarrow.") from None
    try:
        parquet = pq.ParquetFile(handle)
        table = ResultTable()
        for batch in parquet.iter_batches(batch_size=65_536):
            for item in batch.to_pylist():
                if table.rows >= max_rows:
                    table.truncated = True
                    return table
                table._add(_row(item))
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise ResultFileError(f"{path!r} is not a readable Parquet file ({error}).") from None
    return table


def downsample(x: list[Value], y: list[Value], max_points: int) -> tuple[list[Value], list[Value], bool]:
    """At most ``max_points`` of the points (x[i], y[i]), in order, keeping the first, the last,
    and each bucket's lowest and highest y, so a spike survives; unchanged (False) when short enough."""
    count = len(y)
    if count <= max_points or max_points < 4:
        return x, y, False
    buckets = (max_points - 2) // 2
    width = (count - 2) / buckets
    keep = [0]
    for bucket in range(buckets):
        start, end = 1 + int(bucket * width), min(count - 1, 1 + int((bucket + 1) * width))
        numbers = [(value, index) for index in range(start, end) if isinstance(value := y[index], float)]
        if not numbers:
            keep.append(start)
            continue
        low, high = min(numbers)[1], max(numbers)[1]
        keep.extend(sorted({low, high}))
    keep.append(count - 1)
    return [x[i] for i in keep], [y[i] for i in keep], True
