"""furu.saved_charts: charts saved to the data root, replaced, deleted, read back tolerantly, by two processes at once."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from furu.charts import ChartDefinition, ChartError
from furu.errors import FuruNotFound
from furu.saved_charts import charts_path, delete_chart, save_chart, saved_charts
from furu.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_root=tmp_path / "furu-data", artifacts_root=tmp_path / "furu-data" / "artifacts")


def test_saved_charts_round_trip_replace_and_delete(settings: Settings) -> None:
    assert saved_charts(settings) == []
    first = save_chart(ChartDefinition(kind="scatter", file="metrics.json", x="lr", y="accuracy", title="Accuracy vs lr"), settings)
    second = save_chart(ChartDefinition(kind="series", file="h.jsonl", y="loss", title="Accuracy vs lr"), settings)
    assert first.id == "accuracy-vs-lr" and second.id.startswith("accuracy-vs-lr-") and second.id != first.id
    replaced = save_chart(ChartDefinition(kind="line", file="metrics.json", x="lr", y="accuracy", title="Renamed"), settings, chart_id=first.id)
    assert [(c.id, c.definition.kind, c.definition.title) for c in saved_charts(settings)] == [
        (second.id, "series", "Accuracy vs lr"), (first.id, "line", "Renamed"),
    ]
    on_disk = json.loads(charts_path(settings).read_text())
    assert on_disk["schema_version"] == 1 and len(on_disk["charts"]) == 2
    assert replaced.saved_by
    delete_chart(second.id, settings)
    assert [c.id for c in saved_charts(settings)] == [first.id]
    with pytest.raises(FuruNotFound, match="No saved chart 'gone'"):
        delete_chart("gone", settings)
    with pytest.raises(ChartError, match="needs a title"):
        save_chart(ChartDefinition(kind="series", file="h.jsonl", y="loss"), settings)


def test_reading_tolerates_older_and_damaged_entries(settings: Settings) -> None:
    path = charts_path(settings)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps([
        {"kind": "bar", "file": "per_class.csv", "x": "class", "y": "accuracy", "title": "Per class", "unknown": 1},
        {"id": "broken", "definition": {"kind": "pie"}, "saved_at": "2026-01-01T00:00:00Z"},
    ]))
    charts = saved_charts(settings)
    assert [(c.id, c.definition.kind, c.definition.title) for c in charts] == [("per-class", "bar", "Per class")]
    path.write_text("{")
    with pytest.raises(ChartError, match="not valid JSON"):
        saved_charts(settings)


SAVES = 25
"""Per process: without the lock, one process's read-modify-write loses the other's chart within a few."""


def _save_many(root: str, worker: int) -> None:
    settings = Settings(data_root=Path(root), artifacts_root=Path(root) / "artifacts")
    for index in range(SAVES):
        save_chart(ChartDefinition(kind="series", file="h.jsonl", y="loss", title=f"w{worker} c{index}"), settings)


def test_two_processes_saving_at_once_keep_every_chart(settings: Settings) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(str(settings.data_root), n)) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert sorted(c.definition.title for c in saved_charts(settings)) == sorted(f"w{n} c{i}" for n in range(2) for i in range(SAVES))
