"""``/api/explore`` through a real ``furu dashboard``: collections and classes of the project's package, as the code is now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.throwaway import create, make_project

pytest.importorskip("fastapi")

SWEEPS = '''
import furu
from lab.steps import Data, Model


class Sweep(furu.FuruList[Model]):
    baseline = Model()
    by_data = {"e": Model(data=Data(name="e"))}
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("explore-api") / "proj")
    (root / "lab" / "sweeps.py").write_text(SWEEPS)
    (root / "lab" / "broken.py").write_text("raise RuntimeError('half-written module')\n")
    create(root, "Model()")
    return root


def sweep_of(api: httpx.Client) -> dict[str, Any]:
    answer = api.get("/api/explore")
    assert answer.status_code == 200, answer.text
    return next(c for c in answer.json()["collections"] if c["fqn"] == "lab.sweeps.Sweep")


def test_explore_lists_items_classes_and_problems(api: httpx.Client) -> None:
    found = api.get("/api/explore").json()
    assert found["problems"] == [{"module": "lab.broken", "problem": "RuntimeError: half-written module"}]
    sweep = sweep_of(api)
    items = sweep["items"]
    assert [(i["name"], i["status"], [s["fqn"] for s in i["to_compute"]]) for i in items] == [
        ("baseline", "cached", []), ("by_data.e", "missing", ["lab.steps.Model", "lab.steps.Data"]),
    ]
    assert items[1]["plan"]["dependencies"][0]["fqn"] == "lab.steps.Data"
    assert {c["fqn"]: c["existing"] for c in found["classes"]} == {
        "lab.steps.Broken": 0, "lab.steps.Data": 1, "lab.steps.Model": 1, "lab.steps.Report": 0,
    }


def test_each_visit_sees_the_code_and_the_results_as_they_are_now(api: httpx.Client, project: Path) -> None:
    create(project, "Model(data=Data(name='e'))")
    (project / "lab" / "sweeps.py").write_text(SWEEPS + '    later = Model(data=Data(name="later"))\n')
    try:
        sweep = sweep_of(api)
        assert [(i["name"], i["status"]) for i in sweep["items"]] == [
            ("baseline", "cached"), ("by_data.e", "cached"), ("later", "missing"),
        ]
        assert (sweep["existing"], sweep["missing"], sweep["to_compute"]) == (2, 1, 2)
    finally:
        (project / "lab" / "sweeps.py").write_text(SWEEPS)


def test_a_package_that_is_not_a_name_is_refused_and_an_unknown_one_is_a_problem(api: httpx.Client) -> None:
    assert api.get("/api/explore", params={"package": "-c import os"}).status_code == 422
    unknown = api.get("/api/explore", params={"package": "nolab"}).json()
    assert unknown["modules"] == [] and unknown["problems"][0]["module"] == "nolab"
    assert api.get("/api/explore", params={"package": "lab.sweeps"}).json()["modules"] == ["lab.sweeps"]
