"""New experiments, sweeps and reruns through a real ``furu dashboard`` over a throwaway project."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.server import dashboard
from tests.throwaway import create, furu_json, make_project

pytest.importorskip("fastapi")

STEPS = '''
import time

import furu


class Data(furu.Furu[str]):
    name: str = "toy"
    rows: int = 10

    def _create(self) -> str:
        (self.furu_dir / "out.txt").write_text(self.name * self.rows)
        return self.name

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Train(furu.Furu[float]):
    data: Data = Data()
    lr: float = 0.01
    seed: int = 0
    optimizer: str = "adam"
    sleep: float = 0.0

    def _create(self) -> float:
        self.data.load_or_create()
        time.sleep(self.sleep)
        print(f"training lr={self.lr} seed={self.seed}", flush=True)
        (self.furu_dir / "loss.txt").write_text(str(self.lr * 10 + self.seed))
        return self.lr * 10 + self.seed

    def _load(self) -> float:
        return float((self.furu_dir / "loss.txt").read_text())
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("launch") / "proj", STEPS)
    create(root, "Train(data=Data(name='base'), lr=0.02)")
    return root


def base_hash(api: httpx.Client) -> str:
    rows = api.get("/api/experiments", params={"filter": "class=Train data.name=base lr=0.02 optimizer=adam seed=0"}).json()["items"]
    assert len(rows) == 1
    return str(rows[0]["hash"])


def wait_for(api: httpx.Client, job_id: str, secs: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        view = api.get(f"/api/launch/jobs/{job_id}").json()
        if view["job"]["state"] != "running":
            return view  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {secs}s")


def test_the_form_holds_every_field_with_the_experiments_values_and_nested_groups(api: httpx.Client) -> None:
    form = api.get(f"/api/launch/form/{base_hash(api)[:10]}").json()
    assert form["target"] == "lab.steps:Train" and form["executors"] == ["local"]
    fields = {field["path"]: field for field in form["fields"]}
    assert list(fields) == ["data", "lr", "seed", "optimizer", "sleep"]
    assert (fields["lr"]["kind"], fields["lr"]["value"], fields["lr"]["default"]) == ("number", "0.02", "0.01")
    assert (fields["seed"]["kind"], fields["seed"]["value"]) == ("integer", "0")
    assert fields["data"]["kind"] == "config" and fields["data"]["target"] == "lab.steps:Data"
    nested = {field["path"]: (field["kind"], field["value"], field["default"]) for field in fields["data"]["fields"]}
    assert nested == {"data.name": ("string", "base", "toy"), "data.rows": ("integer", "10", "10")}


def test_bad_values_come_back_as_field_errors_by_dotted_path(api: httpx.Client) -> None:
    body = {"ref": base_hash(api), "values": {"lr": "fast", "data.rows": "1.5", "sedd": "1"}, "sweep": "seed=0,x"}
    plan = api.post("/api/launch/plan", json=body).json()
    assert set(plan["errors"]) == {"lr", "data.rows", "sedd", "sweep"}
    assert "cannot read it as float" in plan["errors"]["lr"] and "Train.lr='fast'" in plan["errors"]["lr"]
    assert "cannot read it as int" in plan["errors"]["data.rows"]
    assert "Did you mean 'seed'?" in plan["errors"]["sedd"]
    assert plan["errors"]["sweep"].startswith("seed: ") and "'x'" in plan["errors"]["sweep"]
    assert plan["configs"] == [] and plan["python"] is None
    refused = api.post("/api/launch/run", json=body)
    assert refused.status_code == 400 and refused.json()["detail"].startswith("Nothing was started: ")
    assert api.get("/api/launch/jobs").json() == []  # nothing was started


def test_a_sweep_launched_from_the_api_creates_its_artifacts_like_furu_run(api: httpx.Client, project: Path) -> None:
    body = {"ref": base_hash(api), "values": {"optimizer": "sgd"}, "sweep": "lr=1e-3,3e-4 seed=0,1"}
    plan = api.post("/api/launch/plan", json=body).json()
    assert plan["errors"] == {}
    assert plan["command"] == "furu run lab.steps:Train data.name=base optimizer=sgd --sweep lr=1e-3,3e-4 --sweep seed=0,1"
    assert [c["assignments"][-2:] for c in plan["configs"]] == [
        ["lr=1e-3", "seed=0"], ["lr=1e-3", "seed=1"], ["lr=3e-4", "seed=0"], ["lr=3e-4", "seed=1"],
    ]
    # the same configs as `furu run ... --sweep` builds (a dry run creates nothing)
    dry = furu_json(project, "run", "lab.steps:Train", "data.name=base", "optimizer=sgd", "--sweep", "lr=1e-3,3e-4",
                    "--sweep", "seed=0,1", "--dry-run")
    assert [c["hash"] for c in plan["configs"]] == [item["hash"] for item in dry]
    assert "configs = [" in plan["python"] and "optimizer='sgd'" in plan["python"] and "lr=0.0003" in plan["python"]
    launched = api.post("/api/launch/run", json=body)
    assert launched.status_code == 200, launched.text
    job = launched.json()["job"]
    assert job["total"] == 4 and job["job"]["state"] == "running"
    assert job["job"]["shown"] == plan["command"]
    done = wait_for(api, job["job"]["id"])
    assert (done["job"]["state"], done["job"]["exit_code"], done["done"]) == ("succeeded", 0, 4)
    rows = api.get("/api/experiments", params={"filter": "class=Train optimizer=sgd", "columns": "lr,seed,data.name"}).json()["items"]
    assert sorted((row["values"]["lr"], row["values"]["seed"]) for row in rows) == [(0.0003, 0), (0.0003, 1), (0.001, 0), (0.001, 1)]
    assert {row["values"]["data.name"] for row in rows} == {"base"} and {row["status"] for row in rows} == {"success"}
    log = api.get(f"/api/launch/jobs/{job['job']['id']}/log").json()["lines"]
    assert log[0] == "$ " + plan["command"]
    assert sum("training lr=" in line for line in log) == 4
    listed = [view["job"]["id"] for view in api.get("/api/launch/jobs").json()]
    assert job["job"]["id"] in listed
    record = json.loads((project / "furu-data" / "dashboard" / "jobs" / job["job"]["id"] / "job.json").read_text())
    assert record["schema_version"] == 1 and record["state"] == "succeeded" and len(record["configs"]) == 4
    assert (project / "furu-data" / "dashboard" / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed


def test_the_log_stream_sends_every_line_then_the_end(api: httpx.Client) -> None:
    body = {"ref": base_hash(api), "values": {"optimizer": "stream", "sleep": "0.3"}, "sweep": "seed=0,1,2"}
    job_id = api.post("/api/launch/run", json=body).json()["job"]["job"]["id"]
    events: list[tuple[str, str]] = []
    with api.stream("GET", f"/api/launch/jobs/{job_id}/log/stream", timeout=60) as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                events.append((event, line[6:]))
                if event == "end":
                    break
    assert events[-1] == ("end", "succeeded")
    lines = [data for kind, data in events if kind == "line"]
    assert lines[0].startswith("$ furu run lab.steps:Train ") and sum("training lr=" in line for line in lines) == 3


def test_an_unknown_job_is_a_404_everywhere(api: httpx.Client) -> None:
    for path in ("/api/launch/jobs/nope", "/api/launch/jobs/nope/log", "/api/launch/jobs/nope/log/stream", "/api/launch/jobs/..%2F..%2Fetc"):
        answer = api.get(path)
        assert answer.status_code == 404, path
    assert "No job 'nope'" in api.get("/api/launch/jobs/nope").json()["detail"]
    assert api.post("/api/launch/jobs/nope/cancel").status_code == 404
    too_long = "x" * 300  # longer than a file name may be: still no such job, never a 500
    for path in (f"/api/launch/jobs/{too_long}", f"/api/launch/jobs/{too_long}/log", f"/api/launch/jobs/{too_long}/log/stream"):
        assert api.get(path).status_code == 404, path
    assert api.post(f"/api/launch/jobs/{too_long}/cancel").status_code == 404


def test_rerun_invalidates_and_runs_again_with_a_plan_first(api: httpx.Client, project: Path) -> None:
    target = base_hash(api)
    loss = project / "furu-data" / "data" / "lab" / "steps" / "Train" / target / "loss.txt"
    loss.write_text("999")  # a rerun recomputes it
    plan = api.get("/api/launch/rerun", params={"hash": target[:8]}).json()
    assert [item["hash"] for item in plan["items"]] == [target]
    assert plan["items"][0]["assignments"] == ["data.name=base", "lr=0.02"] and plan["items"][0]["problem"] is None
    assert plan["command"] == f"furu invalidate {target[:8]} && furu run lab.steps:Train data.name=base lr=0.02"
    reran = api.post("/api/launch/rerun", json={"hashes": [target]})
    assert reran.status_code == 200, reran.text
    done = wait_for(api, reran.json()["job"]["job"]["id"])
    assert (done["job"]["state"], done["done"], done["total"]) == ("succeeded", 1, 1)
    assert loss.read_text() == "0.2"


def test_rerun_of_a_filtered_set(api: httpx.Client, project: Path) -> None:
    plan = api.get("/api/launch/rerun", params={"filter": "class=Train optimizer=sgd seed=1"}).json()
    assert sorted(item["assignments"] for item in plan["items"]) == [
        ["data.name=base", "lr=0.0003", "seed=1", "optimizer=sgd"], ["data.name=base", "lr=0.001", "seed=1", "optimizer=sgd"],
    ] and plan["command"].count("furu invalidate") == 2 and plan["command"].count("furu run") == 2
    reran = api.post("/api/launch/rerun", json={"filter": "class=Train optimizer=sgd seed=1"}).json()
    done = wait_for(api, reran["job"]["job"]["id"])
    assert (done["job"]["state"], done["done"], done["total"]) == ("succeeded", 2, 2)
    assert len(done["job"]["commands"]) == 2
    for item in plan["items"]:
        events = (Path(item["dir"]) / ".furu" / "events.jsonl").read_text()
        assert '"event":"invalidated"' in events.replace(" ", "")


def test_a_running_experiment_is_not_rerun(api: httpx.Client) -> None:
    body = {"ref": base_hash(api), "values": {"optimizer": "slow", "sleep": "5"}}
    job = api.post("/api/launch/run", json=body).json()["job"]
    slow = job["job"]["configs"][0]["hash"]
    deadline = time.monotonic() + 20
    while api.get(f"/api/experiments/{slow}").status_code != 200 or api.get(f"/api/experiments/{slow}").json()["row"]["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    plan = api.get("/api/launch/rerun", params={"hash": slow}).json()
    assert "running right now" in plan["items"][0]["problem"] and plan["command"] == ""
    refused = api.post("/api/launch/rerun", json={"hashes": [slow]})
    assert refused.status_code == 400 and "Nothing to rerun" in refused.json()["detail"]
    cancelled = api.post(f"/api/launch/jobs/{job['job']['id']}/cancel")
    assert cancelled.status_code == 200
    assert wait_for(api, job["job"]["id"])["job"]["state"] == "cancelled"


def test_read_only_refuses_every_launch_and_rerun(project: Path) -> None:
    with dashboard(project, "--read-only") as running, running.client() as api:
        ref = base_hash(api)
        assert api.get(f"/api/launch/form/{ref}").status_code == 200  # looking is fine
        assert api.get("/api/launch/rerun", params={"hash": ref}).status_code == 200
        for path, body in (
            ("/api/launch/plan", {"ref": ref}), ("/api/launch/run", {"ref": ref, "sweep": "seed=5,6"}),
            ("/api/launch/rerun", {"hashes": [ref]}), ("/api/launch/jobs/x/cancel", {}),
        ):
            refused = api.post(path, json=body)
            assert refused.status_code == 403 and "read-only" in refused.json()["detail"], path
        rows = api.get("/api/experiments", params={"filter": "class=Train seed=5"}).json()["items"]
        assert rows == []


def test_off_loopback_a_launch_needs_the_token(project: Path) -> None:
    with dashboard(project, "--host", "0.0.0.0") as running:
        assert running.token is not None
        with running.client() as api:
            refused = api.post("/api/launch/run", json={"ref": "00", "sweep": "seed=7"})
            assert refused.status_code == 401 and "token" in refused.json()["detail"]
            wrong = api.post("/api/launch/rerun", json={"hashes": ["00"]}, headers={"X-Furu-Token": "nope"})
            assert wrong.status_code == 401
            allowed = api.post("/api/launch/plan", json={"ref": "ffffffff"}, headers={"X-Furu-Token": running.token})
            assert allowed.status_code == 404  # past the guard: the reference matches nothing


def test_a_job_still_running_when_the_dashboard_stops_is_stopped_and_marked_interrupted(project: Path) -> None:
    from furu.locking import process_alive

    with dashboard(project) as running, running.client() as api:
        ref = base_hash(api)
        job = api.post("/api/launch/run", json={"ref": ref, "values": {"optimizer": "orphan", "sleep": "60"}}).json()["job"]["job"]
        folder = project / "furu-data" / "dashboard" / "jobs" / job["id"]
        deadline = time.monotonic() + 20
        while "training" not in (folder / "output.log").read_text() and api.get(f"/api/launch/jobs/{job['id']}").json()["job"]["state"] == "running":
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert process_alive(job["pid"])
    deadline = time.monotonic() + 10
    while process_alive(job["pid"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process_alive(job["pid"])
    assert json.loads((folder / "job.json").read_text())["state"] == "interrupted"
    with dashboard(project) as again, again.client() as api:
        assert api.get(f"/api/launch/jobs/{job['id']}").json()["job"]["state"] == "interrupted"
        slow = job["configs"][0]["hash"]
        assert api.get(f"/api/experiments/{slow}").json()["row"]["status"] != "success"


def test_code_edited_after_the_form_was_read_is_a_warning_on_the_plan(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj", STEPS)
    create(root, "Train(data=Data(name='base'), lr=0.02)")
    with dashboard(root) as running, running.client() as client:
        ref = base_hash(client)
        assert client.post("/api/launch/plan", json={"ref": ref, "values": {"lr": "0.5"}}).json()["warnings"] == []
        steps = root / "lab" / "steps.py"
        steps.write_text(steps.read_text().replace("    sleep: float = 0.0\n", "    sleep: float = 0.0\n    decay: float = 0.1\n"))
        warnings = client.post("/api/launch/plan", json={"ref": ref, "values": {"lr": "0.5"}}).json()["warnings"]
    assert warnings == [
        f"{steps} changed since this dashboard imported it: the form and the hashes shown are from the code as it was, "
        "while Run runs today's code. Restart furu dashboard to see today's."
    ]
