"""A sweep launched from the dashboard through the submitit executor of ``[tool.furu.executor]``, on the real cluster."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from furu.cluster.scheduler import job_state, slurm_job
from tests.dashboard.server import dashboard
from tests.throwaway import create, make_project

from .support import wait_until

pytest.importorskip("fastapi")
pytestmark = pytest.mark.slurm

STEPS = '''
import time

import furu


class Data(furu.Furu[str]):
    name: str = "toy"

    def _create(self) -> str:
        (self.furu_dir / "out.txt").write_text(self.name)
        return self.name

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Train(furu.Furu[float]):
    data: Data = Data()
    lr: float = 0.01
    sleep: float = 0.0

    def _create(self) -> float:
        self.data.load_or_create()
        time.sleep(self.sleep)
        print(f"training lr={self.lr} on {self.data.name}", flush=True)
        (self.furu_dir / "loss.txt").write_text(str(self.lr * 10))
        return self.lr * 10

    def _load(self) -> float:
        return float((self.furu_dir / "loss.txt").read_text())
'''


def executor_table(jobs: Path) -> str:
    return (
        f'\n[tool.furu.executor]\ncluster = "slurm"\nfolder = "{jobs}"\n'
        'parameters = { timeout_min = 60, slurm_partition = "debug", cpus_per_task = 1 }\n'
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("submitit-dashboard")
    root = make_project(folder / "proj", STEPS)
    create(root, "Train(data=Data(name='base'), lr=0.02)")  # locally: the experiment the page starts from
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + executor_table(folder / "jobs"))
    return root


@pytest.fixture(scope="module")
def api(project: Path) -> Iterator[httpx.Client]:
    with dashboard(project) as running, running.client() as client:
        yield client


def base_hash(api: httpx.Client) -> str:
    [row] = api.get("/api/experiments", params={"filter": "class=Train data.name=base"}).json()["items"]
    return str(row["hash"])


def ended(api: httpx.Client, job_id: str, secs: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        view = api.get(f"/api/launch/jobs/{job_id}").json()
        if view["job"]["state"] != "running":
            return view  # type: ignore[no-any-return]
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still running after {secs}s")


def test_the_form_offers_the_submitit_executor_and_describes_it(api: httpx.Client, project: Path) -> None:
    form = api.get(f"/api/launch/form/{base_hash(api)}").json()
    assert form["executors"] == ["local", "submitit"]
    jobs = project.parent / "jobs"
    assert form["executor_description"] == (
        f"submitit slurm executor (folder {jobs}, timeout_min=60, slurm_partition='debug', cpus_per_task=1)"
    )


def test_a_sweep_submitted_from_the_dashboard_runs_on_the_cluster_and_its_job_follows_it(api: httpx.Client, project: Path) -> None:
    body = {"ref": base_hash(api), "values": {"data.name": "swept"}, "sweep": "lr=0.1,0.2", "executor": "submitit"}
    launched = api.post("/api/launch/run", json=body)
    assert launched.status_code == 200, launched.text
    view = launched.json()["job"]
    record = view["job"]
    assert (record["executor"], record["state"], view["total"]) == ("submitit", "running", 2)
    assert record["shown"] == "furu run lab.steps:Train data.name=swept --sweep lr=0.1,0.2 --executor submitit --wait"
    done = ended(api, record["id"])
    assert (done["job"]["state"], done["job"]["exit_code"], done["done"]) == ("succeeded", 0, 2)
    rows = api.get("/api/experiments", params={"filter": "class=Train data.name=swept", "columns": "lr"}).json()["items"]
    assert sorted((row["values"]["lr"], row["status"]) for row in rows) == [(0.1, "success"), (0.2, "success")]
    log = api.get(f"/api/launch/jobs/{record['id']}/log").json()["lines"]
    text = "\n".join(log)
    assert log[0] == "$ " + record["shown"]
    # the submission: one Data job shared by both configs, a Train job each, and each one's end with its log's tail
    submitted = re.findall(r"furu: submit lab\.steps\.(\w+) \w+ -> job (\d+)", text)
    assert [name for name, _ in submitted] == ["Data", "Train", "Train"]
    for _, job_id in submitted[1:]:
        assert re.search(rf"^job {job_id} \(\w{{8}} data\.name=swept lr=0\.[12]\): created$", text, re.MULTILINE)
    assert sum(line.startswith("  | training lr=0.") for line in log) == 2
    for config in record["configs"]:
        state = json.loads((Path(config["dir"]) / ".furu" / "state.json").read_text())
        assert [(a["status"], a["backend"]) for a in state["attempts"]] == [("success", "slurm")]


def test_cancelling_a_submitit_job_cancels_its_cluster_jobs(api: httpx.Client) -> None:
    body = {"ref": base_hash(api), "values": {"sleep": "120", "lr": "0.5"}, "executor": "submitit"}
    record = api.post("/api/launch/run", json=body).json()["job"]["job"]
    [config] = record["configs"]
    state_file = Path(config["dir"]) / ".furu" / "state.json"

    def submitted() -> bool:
        return state_file.exists() and json.loads(state_file.read_text())["attempts"][-1]["job_id"] is not None

    wait_until(submitted, timeout=60, what="the job to be submitted")
    attempt = json.loads(state_file.read_text())["attempts"][-1]
    cancelled = api.post(f"/api/launch/jobs/{record['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert ended(api, record["id"], secs=30)["job"]["state"] == "cancelled"
    wait_until(lambda: job_state(slurm_job(attempt["job_folder"], attempt["job_id"])) == "CANCELLED", timeout=60, what="scancel")
    log = api.get(f"/api/launch/jobs/{record['id']}/log").json()["lines"]
    assert f"cancelled cluster job(s): {attempt['job_id']}" in log


def test_submitit_is_refused_where_no_executor_is_configured_and_in_read_only(tmp_path: Path, project: Path) -> None:
    bare = make_project(tmp_path / "bare", STEPS)
    create(bare, "Train(data=Data(name='base'), lr=0.02)")
    with dashboard(bare) as running, running.client() as client:
        ref = base_hash(client)
        assert client.get(f"/api/launch/form/{ref}").json()["executors"] == ["local"]
        refused = client.post("/api/launch/run", json={"ref": ref, "executor": "submitit"})
        assert refused.status_code == 400
        assert refused.json()["detail"].startswith("No submitit executor is configured. Add a [tool.furu.executor] table to ")
        assert client.get("/api/launch/jobs").json() == []
    with dashboard(project, "--read-only") as running, running.client() as client:
        refused = client.post("/api/launch/run", json={"ref": base_hash(client), "executor": "submitit"})
        assert refused.status_code == 403
