"""``/api/charts``: plottable files, a chart's data of each kind, saved charts, and refusals, through a real ``furu dashboard``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.server import dashboard
from tests.throwaway import create, make_project

pytest.importorskip("fastapi")

STEPS = '''
import json

import furu


class Train(furu.Furu[float]):
    lr: float = 0.01
    data: str = "a"

    def _create(self) -> float:
        acc = round(0.5 + self.lr, 4)
        (self.furu_dir / "metrics.json").write_text(json.dumps({"accuracy": acc, "eval": {"f1": self.lr * 2}}))
        (self.furu_dir / "history.jsonl").write_text(
            "".join(json.dumps({"epoch": e, "loss": round(1 / e + self.lr, 4)}) + "\\n" for e in (1, 2, 3))
        )
        (self.furu_dir / "per_class.csv").write_text(f"class,accuracy\\ncat,{acc}\\ndog,{acc - 0.1:.4f}\\n")
        return acc

    def _load(self) -> float:
        return json.loads((self.furu_dir / "metrics.json").read_text())["accuracy"]


class Other(furu.Furu[int]):
    def _create(self) -> int:
        return 1

    def _load(self) -> int:
        return 1
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("charts") / "proj", STEPS)
    hashes = create(root, "Train(lr=0.001)", "Train(lr=0.01)", "Train(lr=0.1, data='b')", "Other()")
    secret = root / "secret.json"
    secret.write_text('{"accuracy": 42}')
    first = root / "furu-data" / "data" / "lab" / "steps" / "Train" / hashes["Train(lr=0.001)"]
    os.symlink(secret, first / "escape.json")
    return root


def chart(api: httpx.Client, **params: str) -> dict[str, Any]:
    answer = api.get("/api/charts/data", params={"filter": "class=Train", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_files_lists_each_result_file_with_its_columns_across_the_selection(api: httpx.Client) -> None:
    found = api.get("/api/charts/files", params={"filter": "class=Train"}).json()
    assert found["runs"] == 3 and found["truncated"] is False
    assert [(f["path"], f["kind"], f["runs"], f["rows"]) for f in found["files"]] == [
        ("escape.json", "json", 1, None), ("history.jsonl", "jsonl", 3, 3), ("metrics.json", "json", 3, 1), ("per_class.csv", "csv", 3, 2),
    ]
    files = {f["path"]: f for f in found["files"]}
    assert "leads outside the artifact" in files["escape.json"]["problem"] and files["escape.json"]["columns"] == []
    assert files["metrics.json"]["columns"] == [{"name": "accuracy", "numeric": True}, {"name": "eval.f1", "numeric": True}]
    assert files["per_class.csv"]["columns"] == [{"name": "class", "numeric": False}, {"name": "accuracy", "numeric": True}]
    assert found["config_fields"] == ["data", "lr"]


def test_scatter_of_accuracy_against_lr(api: httpx.Client) -> None:
    data = chart(api, kind="scatter", file="metrics.json", x="lr", y="accuracy", group="data")
    assert [(s["name"], s["x"], s["y"]) for s in data["series"]] == [
        ("data=a", [0.01, 0.001], [0.51, 0.501]), ("data=b", [0.1], [0.6]),
    ]
    assert (data["runs"], data["plotted"], data["points"], data["skipped"]) == (3, 3, 3, [])
    assert "chart(ChartDefinition(file='metrics.json', x='lr', y='accuracy', group='data', filter='class=Train'))" in str(data["python"])


def test_bar_series_and_parallel(api: httpx.Client) -> None:
    bar = chart(api, kind="bar", file="per_class.csv", x="class", y="accuracy", filter="class=Train lr=0.1")
    assert [(s["x"], s["y"]) for s in bar["series"]] == [(["cat", "dog"], [0.6, 0.5])]
    series = chart(api, kind="series", file="history.jsonl", x="epoch", y="loss", filter="class=Train lr=0.1")
    assert [(s["x"], s["y"], s["points"]) for s in series["series"]] == [([1.0, 2.0, 3.0], [1.1, 0.6, 0.4333], 3)]
    parallel = chart(api, kind="parallel", file="metrics.json", fields="lr,data", y="accuracy", filter="class=Train data=b")
    assert parallel["axes"] == [
        {"name": "lr", "type": "value", "categories": []}, {"name": "data", "type": "category", "categories": ["b"]},
        {"name": "accuracy", "type": "value", "categories": []},
    ]
    assert [line["values"] for line in parallel["lines"]] == [[0.1, "b", 0.6]]


def test_hashes_select_exactly_those_and_an_escaping_symlink_is_skipped(api: httpx.Client) -> None:
    rows = api.get("/api/experiments", params={"filter": "class=Train lr=0.001"}).json()["items"]
    prefix = rows[0]["hash"][:10]
    data = chart(api, kind="scatter", file="escape.json", x="lr", y="accuracy", hashes=prefix)
    assert data["runs"] == 1 and data["series"] == []
    assert "leads outside the artifact" in data["skipped"][0]["reason"]
    assert api.get("/api/charts/data", params={"file": "metrics.json", "x": "lr", "y": "accuracy", "hashes": "ffffffff"}).status_code == 404
    assert api.get("/api/charts/data", params={"file": "metrics.json", "x": "lr", "y": "accuracy", "hashes": "../etc"}).status_code == 404


@pytest.mark.parametrize(("params", "detail"), [
    ({"kind": "scatter", "file": "metrics.json", "y": "accuracy"}, "needs a config field for x"),
    ({"kind": "scatter", "file": "notes.txt", "x": "lr", "y": "accuracy"}, "not a result file"),
    ({"kind": "parallel", "file": "metrics.json", "y": "accuracy"}, "config fields for its axes"),
    ({"kind": "scatter", "file": "metrics.json", "x": "lr", "y": "accuracy", "filter": "lr>>1"}, ""),
])
def test_an_incomplete_definition_is_a_400_that_says_why(api: httpx.Client, params: dict[str, str], detail: str) -> None:
    answer = api.get("/api/charts/data", params=params)
    assert answer.status_code == 400, answer.text
    assert detail in answer.json()["detail"]


def test_a_path_out_of_the_artifact_is_skipped_with_the_reason(api: httpx.Client) -> None:
    data = chart(api, kind="scatter", file="../../../../secret.json", x="lr", y="accuracy")
    assert data["plotted"] == 0 and all("plain relative path" in s["reason"] for s in data["skipped"])


def test_save_list_and_delete_a_chart_in_the_project_data_root(api: httpx.Client, project: Path) -> None:
    definition = {"kind": "scatter", "file": "metrics.json", "x": "lr", "y": "accuracy", "filter": "class=Train", "title": "Accuracy vs lr"}
    saved = api.post("/api/charts/saved", json={"definition": definition})
    assert saved.status_code == 200, saved.text
    assert saved.json()["id"] == "accuracy-vs-lr"
    listed = api.get("/api/charts/saved").json()
    assert listed["path"] == str(project / "furu-data" / "charts.json")
    assert [(c["id"], c["definition"]["x"]) for c in listed["charts"]] == [("accuracy-vs-lr", "lr")]
    on_disk = json.loads((project / "furu-data" / "charts.json").read_text())
    assert on_disk["schema_version"] == 1 and on_disk["charts"][0]["definition"]["title"] == "Accuracy vs lr"
    untitled = api.post("/api/charts/saved", json={"definition": {**definition, "title": ""}})
    assert untitled.status_code == 400 and "needs a title" in untitled.json()["detail"]
    assert api.delete("/api/charts/saved/accuracy-vs-lr").json()["id"] == "accuracy-vs-lr"
    assert api.get("/api/charts/saved").json()["charts"] == []
    assert api.delete("/api/charts/saved/accuracy-vs-lr").status_code == 404


def test_read_only_serves_charts_but_refuses_saving_and_deleting(project: Path) -> None:
    definition = {"kind": "series", "file": "history.jsonl", "x": "epoch", "y": "loss", "title": "Loss"}
    with dashboard(project) as writable, writable.client() as api:
        assert api.post("/api/charts/saved", json={"definition": definition}).status_code == 200
    before = (project / "furu-data" / "charts.json").read_bytes()
    with dashboard(project, "--read-only") as running, running.client() as api:
        assert api.get("/api/charts/saved").json()["charts"][0]["id"] == "loss"
        assert api.get("/api/charts/data", params={**definition, "filter": "class=Train"}).json()["plotted"] == 3
        refused = api.post("/api/charts/saved", json={"definition": {**definition, "title": "Other"}})
        assert refused.status_code == 403
        assert api.delete("/api/charts/saved/loss").status_code == 403
    assert (project / "furu-data" / "charts.json").read_bytes() == before
    with dashboard(project) as writable, writable.client() as api:
        assert api.delete("/api/charts/saved/loss").status_code == 200
