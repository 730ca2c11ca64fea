"""``/api/compare`` and ``/api/compare/code`` through a real ``furu dashboard`` over a project with real git history."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.dashboard.server import Dashboard, dashboard
from tests.throwaway import artifact_dir, create, furu_json, make_project

pytest.importorskip("fastapi")


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Data made before git (no snapshot), two Models from one commit, a third after the code changed."""
    root = make_project(tmp_path_factory.mktemp("compare") / "proj")
    hashes = create(root, "Data(name='nogit')")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    (root / ".gitignore").write_text("furu-data/\n__pycache__/\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    hashes |= create(root, "Model(data=Data(name='d'))", "Model(data=Data(name='e'), extra=3)")
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace('text = "model of " +', 'text = "a model of " +'))
    git(root, "commit", "-q", "-am", "second")
    hashes |= create(root, "Model(data=Data(name='d'), weights={(1, 2): 0.5})")
    data_root = root / "furu-data"
    metrics = {
        "Model(data=Data(name='d'))": {"loss": 0.5, "eval": {"acc": 0.75, "split": "test"}},
        "Model(data=Data(name='e'), extra=3)": {"loss": 0.25, "eval": {"acc": 0.875}},
    }
    for expr, values in metrics.items():
        (artifact_dir(data_root, "Model", hashes[expr]) / "metrics.json").write_text(json.dumps(values))
    (artifact_dir(data_root, "Model", hashes["Model(data=Data(name='d'))"]) / "more.json").write_text('{"epochs": 3, "ok": true}')
    return root, hashes


@pytest.fixture(scope="module")
def server(project: tuple[Path, dict[str, str]]) -> Iterator[Dashboard]:
    with dashboard(project[0], "--read-only") as running:  # comparing changes nothing: a read-only server answers it
        yield running


def test_three_experiments_side_by_side(api: httpx.Client, project: tuple[Path, dict[str, str]]) -> None:
    root, hashes = project
    d, e, w = hashes["Model(data=Data(name='d'))"], hashes["Model(data=Data(name='e'), extra=3)"], hashes["Model(data=Data(name='d'), weights={(1, 2): 0.5})"]
    answer = api.get("/api/compare", params={"hashes": f"{d[:8]},{e},{w[:10]}"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert [x["row"]["hash"] for x in view["experiments"]] == [d, e, w]
    fields = {f["path"]: (f["values"], f["absent"], f["affects_hash"]) for f in view["fields"]}
    assert list(fields) == ["data.name", "extra", "weights.(1, 2)"]
    assert fields["data.name"] == (["d", "e", "d"], [False] * 3, True)
    assert fields["extra"] == ([None, 3, None], [False] * 3, True)
    assert fields["weights.(1, 2)"] == ([None, None, 0.5], [True, True, False], True)  # a tuple key, by its text
    assert view["metrics"] == ["metrics.loss", "metrics.eval.acc", "more.epochs"]
    assert [x["metrics"] for x in view["experiments"]] == [
        {"metrics.loss": 0.5, "metrics.eval.acc": 0.75, "more.epochs": 3.0},
        {"metrics.loss": 0.25, "metrics.eval.acc": 0.875},
        {},
    ]
    assert view["commands"] == [f"furu diff {d[:8]} {e[:8]}", f"furu diff {d[:8]} {w[:8]}"]
    assert view["python"] == f"from furu.compare import compare_refs\n\nresult = compare_refs({[d[:8], e[:8], w[:8]]!r})"
    for experiment in view["experiments"]:
        assert experiment["row"]["status"] == "success" and experiment["backend"] == "local"
        assert experiment["resources"]["peak_rss_bytes"] > 0 and experiment["row"]["runtime_secs"] > 0
    # the same engine as `furu diff`: the two-way answer is its changes, value for value
    pair = api.get("/api/compare", params={"hashes": f"{d},{w}"}).json()["fields"]
    cli = furu_json(root, "diff", d, w)["changes"]
    assert [(f["path"], f["values"], f["affects_hash"]) for f in pair] == [(c["path"], [c["a"], c["b"]], c["affects_hash"]) for c in cli]


def test_the_code_diff_between_two_snapshots(api: httpx.Client, project: tuple[Path, dict[str, str]]) -> None:
    root, hashes = project
    d, e, w = hashes["Model(data=Data(name='d'))"], hashes["Model(data=Data(name='e'), extra=3)"], hashes["Model(data=Data(name='d'), weights={(1, 2): 0.5})"]
    changed = api.get("/api/compare/code", params={"a": d[:8], "b": w[:8]}).json()
    assert changed["a"] == d and changed["b"] == w and changed["note"] is None
    assert changed["command"] == f"furu diff {d[:8]} {w[:8]} --code"
    assert "diff --git a/lab/steps.py b/lab/steps.py" in changed["patch"]
    assert '-        text = "model of " + self.data.load_or_create()\n' in changed["patch"]
    assert '+        text = "a model of " + self.data.load_or_create()\n' in changed["patch"]
    assert changed["patch"] == furu_json(root, "diff", d, w, "--code")["code_patch"]
    same = api.get("/api/compare/code", params={"a": d, "b": e}).json()
    assert same["patch"] == "" and same["note"] is None
    nogit = hashes["Data(name='nogit')"]
    none = api.get("/api/compare/code", params={"a": nogit, "b": d}).json()
    assert none["patch"] is None and none["note"].startswith(f"lab.steps.Data {nogit[:8]} has no code snapshot")


def test_what_cannot_be_compared_says_why(api: httpx.Client, project: tuple[Path, dict[str, str]]) -> None:
    d = project[1]["Model(data=Data(name='d'))"]
    one = api.get("/api/compare", params={"hashes": d})
    assert one.status_code == 400 and one.json()["detail"] == "Comparing needs two or more artifacts; got 1. Select another one to compare with."
    twice = api.get("/api/compare", params={"hashes": f"{d},{d[:8]}"})
    assert twice.status_code == 400 and "name the same artifact" in twice.json()["detail"]
    missing = api.get("/api/compare", params={"hashes": f"{d},ffffffff"})
    assert missing.status_code == 404 and "No artifact hash starts with 'ffffffff'" in missing.json()["detail"]
    path = api.get("/api/compare", params={"hashes": f"{d},../../etc"})
    assert path.status_code == 404 and "is not a hash or hash prefix" in path.json()["detail"]
    assert api.get("/api/compare/code", params={"a": d, "b": "/etc/passwd"}).status_code == 404
    assert api.get("/api/compare").status_code == 422
    assert api.post("/api/compare", params={"hashes": f"{d},{d}"}).status_code in (403, 405)
