"""Charts saved to the project, for everyone who uses its results: ``charts.json`` in the data root.

::

    from furu.charts import ChartDefinition
    from furu.saved_charts import save_chart, saved_charts
    save_chart(ChartDefinition(kind="scatter", file="metrics.json", x="lr", y="accuracy", title="Accuracy vs lr"))

They live in ``furu-data/charts.json``, not in ``[tool.furu]``: the data root is
what every user of the project's results already shares (on the cluster's
filesystem), while ``pyproject.toml`` is one checkout's source file, seen by
others only after a commit, and a dashboard serving someone else's results
must never rewrite a project's source. Writes are atomic (:mod:`furu.atomic`)
and one at a time (an ``flock`` beside the file), so two people saving at once
both keep their chart. Reading is tolerant: a bare list of definitions (as a
person may write by hand) is read too, and an entry that no longer validates is
left out rather than hiding the others.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from furu.atomic import read_regular, write_model
from furu.charts import ChartDefinition, ChartError, check_definition
from furu.errors import FuruNotFound
from furu.settings import Settings, current

SCHEMA_VERSION = 1
CHARTS_FILE = "charts.json"
MAX_SAVED = 500


class SavedChart(BaseModel):
    id: str
    definition: ChartDefinition
    saved_at: datetime
    saved_by: str = ""


class ChartsFile(BaseModel):
    schema_version: int = SCHEMA_VERSION
    charts: list[SavedChart] = Field(default_factory=list)


def charts_path(settings: Settings | None = None) -> Path:
    return (settings or current()).data_root / CHARTS_FILE


def saved_charts(settings: Settings | None = None) -> list[SavedChart]:
    """The charts saved to the project's data root, oldest first (none when the file is absent)."""
    return _read(charts_path(settings))


def save_chart(definition: ChartDefinition, settings: Settings | None = None, *, chart_id: str | None = None) -> SavedChart:
    """Save (or, with the ``chart_id`` of a saved one, replace) a chart, for everyone who uses this data root."""
    path = charts_path(settings)
    if not definition.title.strip():
        raise ChartError("A saved chart needs a title (title=...): it is how the others find it.")
    check_definition(definition)
    with _locked(path):
        charts = _read(path)
        saved = SavedChart(id=chart_id or _new_id(definition.title, charts), definition=definition, saved_at=datetime.now(UTC), saved_by=_user())
        kept = [c for c in charts if c.id != saved.id]
        if len(kept) >= MAX_SAVED:
            raise ChartError(f"{path} already holds {MAX_SAVED} charts; delete some first.")
        write_model(path, ChartsFile(charts=[*kept, saved]))
    return saved


def delete_chart(chart_id: str, settings: Settings | None = None) -> SavedChart:
    path = charts_path(settings)
    with _locked(path):
        charts = _read(path)
        gone = next((c for c in charts if c.id == chart_id), None)
        if gone is None:
            raise FuruNotFound(f"No saved chart {chart_id!r} in {path}.")
        write_model(path, ChartsFile(charts=[c for c in charts if c.id != chart_id]))
    return gone


def _read(path: Path) -> list[SavedChart]:
    """Tolerant: a bare list of charts (hand-written) is read too, and an entry that no longer
    validates is left out rather than hiding the others; a file that is not JSON is an error."""
    try:
        raw = read_regular(path)
    except FileNotFoundError:
        return []
    try:
        parsed: Any = json.loads(raw)
    except ValueError as error:
        raise ChartError(f"{path} is not valid JSON ({error}); fix or delete it to save charts again.") from None
    items = parsed if isinstance(parsed, list) else parsed.get("charts", []) if isinstance(parsed, dict) else []
    charts: list[SavedChart] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and "definition" not in item:
            item = {"id": _slug(str(item.get("title", "chart"))), "definition": item, "saved_at": "1970-01-01T00:00:00Z"}
        try:
            charts.append(SavedChart.model_validate(item))
        except ValidationError:
            continue
    return charts


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer of the charts file at a time (two people saving at once both keep their chart)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "chart"


def _new_id(title: str, charts: list[SavedChart]) -> str:
    base = _slug(title)
    taken = {c.id for c in charts}
    return base if base not in taken else f"{base}-{secrets.token_hex(2)}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
