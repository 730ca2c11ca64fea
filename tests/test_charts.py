"""furu.charts: a definition's data over experiments' result files, each kind; the saved charts file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from furu.catalog import ArtifactRecord
from furu.charts import MAX_SERIES_POINTS, ChartDefinition, ChartError, chart_data, plottable


def run(tmp_path: Path, index: int, config: dict[str, Any], files: dict[str, str], status: str = "success") -> ArtifactRecord:
    furu_hash = f"{index:032x}"
    root = tmp_path / "data" / "lab" / "Train" / furu_hash
    (root / ".furu").mkdir(parents=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return ArtifactRecord(fqn="lab.Train", hash=furu_hash, dir=str(root), version_controlled=False, status=status, config=config)  # type: ignore[arg-type]


@pytest.fixture
def sweep(tmp_path: Path) -> list[ArtifactRecord]:
    runs = []
    for index, (lr, data) in enumerate([(0.001, "a"), (0.01, "a"), (0.1, "b")], start=1):
        history = "".join(json.dumps({"epoch": e, "loss": round(1 / (e * lr * 100), 4)}) + "\n" for e in (1, 2, 3))
        runs.append(run(tmp_path, index, {"__class__": "lab.Train", "lr": lr, "data": {"__class__": "lab.Data", "name": data}, "seed": 0}, {
            "metrics.json": json.dumps({"accuracy": 0.5 + lr, "eval": {"f1": lr * 2}}),
            "history.jsonl": history,
            "per_class.csv": f"class,accuracy\ncat,{0.6 + lr}\ndog,{0.7 + lr}\n",
        }))
    runs.append(run(tmp_path, 9, {"__class__": "lab.Train", "lr": 0.3, "data": {"__class__": "lab.Data", "name": "a"}, "seed": 0}, {}, "failed"))
    return runs


def test_scatter_of_a_metric_against_a_config_field_grouped(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="scatter", file="metrics.json", x="lr", y="accuracy", group="data.name"), sweep)
    assert [(s.name, s.x, s.y) for s in data.series] == [
        ("data.name=a", [0.001, 0.01], [0.501, 0.51]), ("data.name=b", [0.1], [0.6]),
    ]
    assert data.series[0].hashes == [sweep[0].hash, sweep[1].hash]
    assert (data.runs, data.plotted, data.points) == (4, 3, 3)
    assert [(s.hash, s.status, s.reason) for s in data.skipped] == [(sweep[3].hash, "failed", "no metrics.json")]
    assert data.python == (
        "from furu.charts import ChartDefinition, chart\n"
        "chart(ChartDefinition(file='metrics.json', x='lr', y='accuracy', group='data.name'))"
    )


def test_line_sorts_by_x_and_a_table_metric_is_its_last_value(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="line", file="history.jsonl", x="lr", y="loss"), list(reversed(sweep[:3])))
    assert data.series[0].x == [0.001, 0.01, 0.1]
    assert data.series[0].y == [3.3333, 0.3333, 0.0333]  # epoch 3's loss of each


def test_nested_json_leaf_and_string_config_field(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="scatter", file="metrics.json", x="data.name", y="eval.f1"), sweep[:3])
    assert data.series[0].x == ["a", "a", "b"] and data.series[0].y == [0.002, 0.02, 0.2]


def test_bar_per_class_one_series_per_run(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="bar", file="per_class.csv", x="class", y="accuracy", group="lr"), sweep[:2])
    assert [(s.name, s.x, s.y) for s in data.series] == [
        (f"lr=0.001 · {sweep[0].short_hash}", ["cat", "dog"], [0.601, 0.701]),
        (f"lr=0.01 · {sweep[1].short_hash}", ["cat", "dog"], [0.61, 0.71]),
    ]


def test_bar_of_named_metrics(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="bar", file="metrics.json", fields=["accuracy", "eval.f1", "absent"]), sweep[:1])
    assert (data.series[0].x, data.series[0].y) == (["accuracy", "eval.f1", "absent"], [0.501, 0.002, None])


def test_parallel_coordinates_of_a_sweep(sweep: list[ArtifactRecord]) -> None:
    data = chart_data(ChartDefinition(kind="parallel", file="metrics.json", fields=["lr", "data.name"], y="accuracy"), sweep[:3])
    assert [(a.name, a.type, a.categories) for a in data.axes] == [
        ("lr", "value", []), ("data.name", "category", ["a", "b"]), ("accuracy", "value", []),
    ]
    assert [line.values for line in data.lines] == [[0.001, "a", 0.501], [0.01, "a", 0.51], [0.1, "b", 0.6]]


def test_series_overlay_per_run_and_missing_columns_reported(sweep: list[ArtifactRecord], tmp_path: Path) -> None:
    other = run(tmp_path, 7, {"lr": 1.0}, {"history.jsonl": '{"step": 1}\n'})
    data = chart_data(ChartDefinition(kind="series", file="history.jsonl", x="epoch", y="loss"), [*sweep[:2], other])
    assert [(s.hash, s.x, s.y) for s in data.series] == [
        (sweep[0].hash, [1.0, 2.0, 3.0], [10.0, 5.0, 3.3333]), (sweep[1].hash, [1.0, 2.0, 3.0], [1.0, 0.5, 0.3333]),
    ]
    assert [s.reason for s in data.skipped] == ["history.jsonl has no column 'loss'"]


def test_a_long_series_is_downsampled_to_the_cap(tmp_path: Path) -> None:
    rows = "".join(f"{i},{(i % 100) / 100}\n" for i in range(50_000))
    record = run(tmp_path, 1, {"lr": 0.1}, {"steps.csv": "step,loss\n" + rows})
    series = chart_data(ChartDefinition(kind="series", file="steps.csv", x="step", y="loss"), [record]).series[0]
    assert series.points == 50_000 and series.downsampled and len(series.x) <= MAX_SERIES_POINTS
    assert max(v for v in series.y if isinstance(v, float)) == 0.99 and series.x[-1] == 49_999.0
    exact = run(tmp_path, 2, {"lr": 0.1}, {"steps.csv": "step,loss\n" + "".join(f"{i},1\n" for i in range(10_000))})
    whole = chart_data(ChartDefinition(kind="series", file="steps.csv", y="loss"), [exact]).series[0]
    assert (whole.points, len(whole.x), whole.downsampled) == (10_000, 10_000, False)


def test_a_symlink_out_of_an_artifact_is_skipped_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"accuracy": 42}')
    record = run(tmp_path, 1, {"lr": 0.1}, {})
    os.symlink(secret, Path(record.dir) / "metrics.json")
    data = chart_data(ChartDefinition(kind="scatter", file="metrics.json", x="lr", y="accuracy"), [record])
    assert data.series == [] and "leads outside the artifact" in data.skipped[0].reason


@pytest.mark.parametrize(("definition", "message"), [
    (ChartDefinition(kind="scatter", file="", y="a", x="lr"), "needs a result file"),
    (ChartDefinition(kind="scatter", file="m.txt", y="a", x="lr"), "not a result file"),
    (ChartDefinition(kind="scatter", file="m.json", y="a"), "needs a config field for x"),
    (ChartDefinition(kind="series", file="m.jsonl"), "needs a metric"),
    (ChartDefinition(kind="parallel", file="m.json", y="a"), "config fields for its axes"),
    (ChartDefinition(kind="bar", file="m.csv", y="a"), "category column and a metric"),
    (ChartDefinition(kind="scatter", file="m.json", y="a,b", x="lr"), "not a field or column name"),
    (ChartDefinition(kind="scatter", file="m.json", y="a\nb", x="lr"), "not a field or column name"),
])
def test_incomplete_definitions_say_what_is_missing(definition: ChartDefinition, message: str) -> None:
    with pytest.raises(ChartError, match=message):
        chart_data(definition, [])


def test_plottable_lists_files_columns_and_config_fields(sweep: list[ArtifactRecord]) -> None:
    found = plottable(sweep)
    assert [(f.path, f.kind, f.runs, f.rows) for f in found.files] == [
        ("history.jsonl", "jsonl", 3, 3), ("metrics.json", "json", 3, 1), ("per_class.csv", "csv", 3, 2),
    ]
    assert [(c.name, c.numeric) for c in found.files[2].columns] == [("class", False), ("accuracy", True)]
    assert found.config_fields == ["data", "data.name", "lr", "seed"]
    assert found.runs == 4
