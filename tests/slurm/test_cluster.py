"""furu on a real SLURM cluster (scripts/local-slurm.sh), through submitit."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import submitit
from typer.testing import CliRunner

import furu
from furu.cli import app

from .support import wait_until

pytestmark = pytest.mark.slurm


def finished(job: Any, timeout: float = 240) -> Any:
    """The job once it is done; a bounded wait, so a stuck cluster fails the test instead of hanging CI."""
    wait_until(lambda: job.done(force_check=True), timeout=timeout, what=f"job {job.job_id} to finish")
    return job


def states(obj: furu.Furu[Any]) -> list[tuple[str, str]]:
    return [(a.status, a.backend) for a in obj.get_state().attempts]


def test_a_three_level_pipeline_submitted_at_once(project: Path, executor: Any) -> None:
    from cluster_steps import Data, Model, Report  # type: ignore[import-not-found]

    [job] = furu.load_or_create_all([Report()], executor=executor)
    assert isinstance(job, submitit.Job)
    # The steps are queued (or already running) as three jobs chained by SLURM dependencies.
    job_ids = [obj.get_state().latest_attempt.job_id for obj in (Data(), Model(), Report())]
    assert len(set(job_ids)) == 3 and job_ids[2] == job.job_id
    # Edit the code right after submitting: the jobs run the submitted snapshot.
    (project / "cluster_steps.py").write_text((project / "cluster_steps.py").read_text().replace('VALUE = "v1"', 'VALUE = "edited"'))
    assert finished(job).result() == "v1:30"
    for obj in (Data(), Model(), Report()):
        assert obj.exists()
        assert states(obj) == [("success", "slurm")]
        metadata = obj.get_metadata()
        assert metadata.host.hostname and metadata.resources.wall_secs > 0
        assert metadata.git is not None and metadata.git.snapshot_id is not None
    report_attempt = Report().get_state().latest_attempt
    assert report_attempt.job_id == job.job_id
    assert [e for e in (Report().furu_dir / ".furu" / "events.jsonl").read_text().splitlines() if "job_submitted" in e]
    # Submitting again is a cache hit: the result, not a job.
    assert Report().load_or_create(executor=executor) == "v1:30"
    assert furu.load_or_create_all([Report(), Model()], executor=executor) == ["v1:30", 30]


RACE = """
import sys, time, os, submitit
sys.path.insert(0, {repo!r})
from cluster_steps import Sleepy
executor = submitit.AutoExecutor(folder={folder!r}, cluster="slurm")
executor.update_parameters(timeout_min=60, slurm_partition="debug")
while not os.path.exists({go!r}):
    time.sleep(0.005)
print(Sleepy(seconds=5).load_or_create(executor=executor).job_id)
"""


def test_two_racing_submitters_share_one_job(project: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    code = RACE.format(repo=str(project), folder=str(tmp_path / "jobs"), go=str(go))
    racers = [subprocess.Popen([sys.executable, "-c", code], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(1.0)
    go.touch()
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [r.returncode for r in racers] == [0, 0], [err for _, err in outputs]
    job_ids = {out.strip() for out, _ in outputs}
    assert len(job_ids) == 1
    from cluster_steps import Sleepy  # type: ignore[import-not-found]

    assert [(a.status, a.job_id) for a in Sleepy(seconds=5).get_state().attempts][0][1] == job_ids.pop()
    assert len(Sleepy(seconds=5).get_state().attempts) == 1
    assert any("join   cluster_steps.Sleepy" in err for _, err in outputs)


def test_a_cancelled_job_is_recorded_and_resubmission_works(project: Path, executor: Any) -> None:
    from cluster_steps import Sleepy  # type: ignore[import-not-found]

    sleepy = Sleepy(seconds=120)
    job = sleepy.load_or_create(executor=executor)
    wait_until(lambda: (sleepy.furu_dir / "started").exists(), what="the job to start")
    # Submitting while it runs joins the running job.
    assert sleepy.load_or_create(executor=executor).job_id == job.job_id
    listed = CliRunner().invoke(app, ["ls", "--json"])
    [record] = [r for r in json.loads(listed.output) if r["hash"] == sleepy.furu_hash]
    assert (record["status"], record["job_id"]) == ("running", job.job_id)
    table = CliRunner().invoke(app, ["ls"], env={"COLUMNS": "200"}).output
    assert f"running (job {job.job_id})" in table
    job.cancel()
    wait_until(lambda: job.get_info(mode="force").get("State", "").startswith("CANCELLED"), what="CANCELLED")
    fast = Sleepy(seconds=120)
    (fast.furu_dir / "started").unlink()
    second = furu.cluster.submit(fast, executor)
    assert second.job_id != job.job_id
    first_attempt = fast.get_state().attempts[0]
    assert first_attempt.status == "failed"
    assert f"job {job.job_id} CANCELLED" in (first_attempt.reason or "")
    second.cancel()


def test_a_preempted_job_is_requeued_and_resumes_from_its_checkpoint(project: Path, executor: Any) -> None:
    from cluster_steps import Resumable  # type: ignore[import-not-found]

    resumable = Resumable(steps=12)
    job = resumable.load_or_create(executor=executor)
    progress = resumable.furu_dir / ".furu" / "checkpoint" / "progress"
    wait_until(lambda: progress.exists() and int(progress.read_text() or 0) >= 3, what="three steps of progress")
    job._interrupt()  # what SLURM does on preemption: SIGTERM, then the USR2 submitit checkpoints on
    result = finished(job).result()
    starts = [int(s) for s in result.removeprefix("starts:").split(",")]
    assert starts[0] == 0 and len(starts) == 2 and starts[1] >= 3
    attempts = resumable.get_state().attempts
    assert [(a.status, a.job_id) for a in attempts] == [("preempted", job.job_id), ("success", job.job_id)]
    assert not (resumable.furu_dir / ".furu" / "checkpoint").exists()


def test_a_failing_job_shows_its_traceback(project: Path, executor: Any) -> None:
    from cluster_steps import Broken  # type: ignore[import-not-found]

    job = Broken().load_or_create(executor=executor)
    with pytest.raises(submitit.core.utils.FailedJobError, match="the experiment diverged"):
        finished(job).result()
    attempt = Broken().get_state().latest_attempt
    assert (attempt.status, attempt.backend, attempt.job_id) == ("failed", "slurm", job.job_id)
    assert 'raise RuntimeError("the experiment diverged")' in attempt.error.traceback
    shown = CliRunner().invoke(app, ["show", Broken().furu_hash], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "the experiment diverged" in shown.output
    assert 'raise RuntimeError("the experiment diverged")' in shown.output  # the whole traceback
    assert f"slurm job {job.job_id}" in shown.output
