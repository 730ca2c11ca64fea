"""``furu run --executor submitit`` (alias ``slurm``) with ``[tool.furu.executor]``, on the real SLURM cluster."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from furu.cluster.scheduler import job_state, slurm_job

from .support import wait_until

pytestmark = pytest.mark.slurm

FURU = str(Path(sys.executable).parent / "furu")


def with_executor(project: Path, folder: Path) -> None:
    """``[tool.furu.executor]`` in the project's pyproject.toml, its job folder this test's own."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + f'\n[tool.furu.executor]\ncluster = "slurm"\nfolder = "{folder}"\n'
        + 'parameters = { timeout_min = 60, slurm_partition = "debug", cpus_per_task = 1 }\n'
    )


def furu_run(project: Path, *args: str, code: int = 0, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([FURU, "run", *args], cwd=project, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == code, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def attempts(artifact_dir: str) -> list[tuple[str, str, str | None]]:
    state = json.loads((Path(artifact_dir) / ".furu" / "state.json").read_text())
    return [(a["status"], a["backend"], a["job_id"]) for a in state["attempts"]]


def test_a_sweep_is_submitted_with_its_shared_dependency_once_and_waited_for(project: Path, tmp_path: Path) -> None:
    with_executor(project, tmp_path / "jobs")
    result = furu_run(project, "cluster_steps:Report", "--executor", "slurm", "--sweep", "model.factor=2,3", "--wait", "--json")
    outcomes = json.loads(result.stdout)
    assert [(o["assignments"], o["outcome"], o["result"], o["error"]) for o in outcomes] == [
        (["model.factor=2"], "created", "'v1:6'", None), (["model.factor=3"], "created", "'v1:9'", None),
    ]
    # the log says which job makes what: Data once, then a Model and a Report each. The second config joins
    # Data's job while it is queued or running, or finds Data made already when the cluster was that quick.
    submitted = re.findall(r"furu: submit cluster_steps\.(\w+) \w+ -> job (\d+)", result.stderr)
    assert [name for name, _ in submitted] == ["Data", "Model", "Report", "Model", "Report"]
    joined = re.findall(r"furu: join   cluster_steps\.Data \w+: job (\d+) is already (?:queued|running)", result.stderr)
    assert joined in ([], [submitted[0][1]])
    assert [o["job_id"] for o in outcomes] == [submitted[2][1], submitted[4][1]]
    for outcome in outcomes:
        assert attempts(outcome["dir"]) == [("success", "slurm", outcome["job_id"])]
        assert outcome["job_folder"] == str(tmp_path / "jobs")
        assert outcome["stdout"] == str(tmp_path / "jobs" / f"{outcome['job_id']}_0_log.out")
        assert any("furu: done   cluster_steps.Report" in line for line in outcome["log_tail"])
    data_dir = next((project / "furu-data" / "data" / "cluster_steps" / "Data").iterdir())
    assert attempts(str(data_dir)) == [("success", "slurm", submitted[0][1])]
    # again: every config is cached, nothing is submitted
    again = json.loads(furu_run(project, "cluster_steps:Report", "--executor", "submitit", "--sweep", "model.factor=2,3", "--json").stdout)
    assert [(o["outcome"], o["job_id"], o["result"]) for o in again] == [("cached", None, "'v1:6'"), ("cached", None, "'v1:9'")]


def test_without_wait_it_returns_once_queued_and_a_second_run_joins_the_job(project: Path, tmp_path: Path) -> None:
    with_executor(project, tmp_path / "jobs")
    started = time.monotonic()
    [first] = json.loads(furu_run(project, "cluster_steps:Sleepy", "seconds=6", "--executor", "submitit", "--json").stdout)
    assert time.monotonic() - started < 20  # submitting, not running: the job sleeps 6 s once it starts
    assert first["outcome"] == "submitted" and first["job_id"].isdigit() and first["result"] is None
    assert attempts(first["dir"])[0][0] in ("queued", "running")
    [second] = json.loads(furu_run(project, "cluster_steps:Sleepy", "seconds=6", "--executor", "submitit", "--json").stdout)
    assert (second["outcome"], second["job_id"]) == ("joined", first["job_id"])
    waited = furu_run(project, "cluster_steps:Sleepy", "seconds=6", "--executor", "submitit", "--wait")
    lines = waited.stdout.splitlines()
    assert f"job {first['job_id']} ({first['hash'][:8]} seconds=6): created" in lines
    assert "waiting for 1 job(s); ctrl-c stops waiting, not the jobs." in lines
    assert any(line.startswith("  | ") and "furu: done   cluster_steps.Sleepy" in line for line in lines)
    assert attempts(first["dir"]) == [("success", "slurm", first["job_id"])]


def test_a_failing_job_is_reported_with_its_error_and_log_and_exit_1(project: Path, tmp_path: Path) -> None:
    with_executor(project, tmp_path / "jobs")
    result = furu_run(project, "cluster_steps:Broken", "--executor", "submitit", "--wait", "--json", code=1)
    [outcome] = json.loads(result.stdout)
    assert (outcome["outcome"], outcome["error"]) == ("failed", "builtins.RuntimeError: the experiment diverged")
    assert "RuntimeError: the experiment diverged" in outcome["log_tail"]
    assert result.stderr.splitlines()[-1] == "error: 1 of 1 configs failed."
    assert attempts(outcome["dir"]) == [("failed", "slurm", outcome["job_id"])]


def test_a_parameter_slurm_does_not_know_is_refused_before_anything_is_submitted(project: Path, tmp_path: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'\n[tool.furu.executor]\nfolder = "{tmp_path / "jobs"}"\nparameters = {{ slurm_partitoin = "debug" }}\n')
    result = furu_run(project, "cluster_steps:Data", "--executor", "slurm", code=1)
    assert result.stderr.startswith("error: [tool.furu.executor] parameters.slurm_partitoin = 'debug' is not a parameter")
    assert not (tmp_path / "jobs").exists() and not (project / "furu-data" / "data").exists()


def job_is(folder: str, job_id: str, wanted: str) -> Any:
    return job_state(slurm_job(folder, job_id)) == wanted


def test_cancel_jobs_cancels_the_queued_job_of_an_artifact(project: Path, tmp_path: Path) -> None:
    from furu.cluster.runs import cancel_jobs

    with_executor(project, tmp_path / "jobs")
    [submitted] = json.loads(furu_run(project, "cluster_steps:Sleepy", "seconds=120", "--executor", "submitit", "--json").stdout)
    assert cancel_jobs([submitted["dir"]]) == [submitted["job_id"]]
    wait_until(lambda: job_is(submitted["job_folder"], submitted["job_id"], "CANCELLED"), timeout=60, what="the job to be cancelled")
    assert cancel_jobs([str(tmp_path / "no-such-artifact")]) == []


def test_a_job_cancelled_while_waiting_is_reported_failed_with_the_schedulers_word(project: Path, tmp_path: Path) -> None:
    with_executor(project, tmp_path / "jobs")
    waiting = subprocess.Popen(
        [FURU, "run", "cluster_steps:Sleepy", "seconds=120", "--executor", "submitit", "--wait", "--json"],
        cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    data = project / "furu-data" / "data" / "cluster_steps" / "Sleepy"
    wait_until(lambda: data.is_dir() and any((d / ".furu" / "started").exists() or (d / "started").exists() for d in data.iterdir()),
               timeout=60, what="the job to start")
    [artifact] = list(data.iterdir())
    job_id = json.loads((artifact / ".furu" / "state.json").read_text())["attempts"][-1]["job_id"]
    subprocess.run(["scancel", job_id], check=True)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 1, err
    [outcome] = json.loads(out)
    assert (outcome["outcome"], outcome["job_id"]) == ("failed", job_id)
    assert outcome["error"].startswith(f"attempt failed: the scheduler reports job {job_id} CANCELLED")
