"""``furu run --executor submitit``: submit each config (dependencies first), say which job makes it, wait if asked.

::

    submissions = submit_configs(configs, configured_executor())
    [s.outcome.job_id for s in submissions]        # "4812", or None when it was cached
    wait_for(submissions, on_done=print_one)       # until every job has ended

Each config goes through :func:`furu.cluster.submit.load_or_create_all`, so a
missing dependency is submitted once, before the configs that need it (and a
later config of the sweep joins that job rather than submitting it again). The
outcome of a config is read from its artifact, never from the job's output:
``created`` when its success marker is there, else what its latest attempt
recorded (reconciled with the scheduler, as the next submission would).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from furu import settings
from furu.cluster.handle import ArtifactHandle
from furu.cluster.submit import load_or_create_all, reconcile
from furu.configs import Config
from furu.state import read_state

ClusterOutcomeName = Literal["cached", "submitted", "joined", "elsewhere", "created", "failed"]
LOG_TAIL_LINES = 20
FORCED_CHECK_SECS = 10.0
"""How often the scheduler is asked afresh (``sacct``) about jobs that ended without a result file.

submitit's own cache may take a minute to notice one (cancelled, killed); every
poll would be a ``sacct`` a second, which cluster admins frown upon.
"""


class ClusterOutcome(BaseModel):
    """One config of ``furu run --executor submitit``: the job that makes it, and once waited for, how it ended."""

    fqn: str
    hash: str
    dir: str
    assignments: list[str] = Field(description="The key=value words this config was built from")
    outcome: ClusterOutcomeName = Field(
        description="cached (had a result), submitted (a new job), joined (a job already queued or running), "
        "elsewhere (a process outside the cluster is creating it); after waiting: created or failed"
    )
    job_id: str | None = Field(default=None, description="The SLURM (or submitit) job that creates it")
    job_folder: str | None = None
    stdout: str | None = Field(default=None, description="The job's stdout file")
    stderr: str | None = Field(default=None, description="The job's stderr file")
    result: str | None = Field(default=None, description="repr() of the result, shortened")
    error: str | None = None
    log_tail: list[str] = Field(default_factory=list, description="After waiting: the last lines of the job's stderr and stdout")


@dataclasses.dataclass
class Submission:
    """A config, what submitting it did, and the handle to wait on (None when there is nothing to wait for)."""

    obj: Config[Any]
    outcome: ClusterOutcome
    handle: Any = None

    @property
    def pending(self) -> bool:
        return self.handle is not None


def submit_configs(configs: Sequence[tuple[list[str], Config[Any]]], executor: Any) -> list[Submission]:
    """Submit every config that has no result (with its missing dependencies); one failed submission spares the rest."""
    submissions = []
    for words, obj in configs:
        base = ClusterOutcome(fqn=obj.furu_fqn(), hash=obj.furu_hash, dir=str(obj.furu_dir), assignments=words, outcome="cached")
        before = _latest_attempt_id(obj)
        try:
            [got] = load_or_create_all([obj], executor=executor)
        except Exception as error:  # noqa: BLE001 - reported per config (sbatch refused it, ...); the others still go
            base.outcome, base.error = "failed", f"{type(error).__name__}: {error}"
            submissions.append(Submission(obj, base))
            continue
        if isinstance(got, ArtifactHandle):
            base.outcome = "elsewhere"
            submissions.append(Submission(obj, base, got))
        elif _is_job(got):
            base.outcome = "submitted" if _latest_attempt_id(obj) != before else "joined"
            base.job_id, base.job_folder = str(got.job_id), str(got.paths.folder)
            base.stdout, base.stderr = str(got.paths.stdout), str(got.paths.stderr)
            submissions.append(Submission(obj, base, got))
        else:
            base.result = _short(got)
            submissions.append(Submission(obj, base))
    return submissions


def wait_for(
    submissions: Sequence[Submission],
    *,
    poll_secs: float | None = None,
    on_done: Callable[[Submission], None] | None = None,
) -> None:
    """Wait until every submitted job has ended; fill in each outcome (``on_done`` as each one ends)."""
    poll = poll_secs if poll_secs is not None else max(settings.current().poll_interval_secs, 1.0)
    waiting = [s for s in submissions if s.pending]
    forced_at = time.monotonic()
    while waiting:
        force = time.monotonic() - forced_at >= FORCED_CHECK_SECS
        if force:
            forced_at = time.monotonic()
        for submission in list(waiting):
            ended = _ended(submission, force=force)
            force = False  # one sacct call refreshes submitit's view of every job it watches
            if ended:
                _finish(submission)
                waiting.remove(submission)
                if on_done is not None:
                    on_done(submission)
        if waiting:
            time.sleep(poll)


def cancel_jobs(dirs: Sequence[str]) -> list[str]:
    """Cancel the queued or running cluster job of each artifact directory (``scancel``); the job ids cancelled."""
    from furu.cluster.scheduler import slurm_job
    from furu.layout import ArtifactPaths

    cancelled = []
    for folder in dirs:
        paths = ArtifactPaths(folder)
        if paths.success.exists():
            continue
        latest = read_state(paths, "", "").latest_attempt
        if latest is None or latest.status not in ("queued", "running") or latest.job_id is None or latest.job_folder is None:
            continue
        try:
            slurm_job(latest.job_folder, latest.job_id).cancel(check=False)
        except Exception:  # noqa: BLE001 - scancel missing or the job already gone: nothing left to stop
            continue
        cancelled.append(latest.job_id)
    return cancelled


def _ended(submission: Submission, *, force: bool = False) -> bool:
    obj, handle = submission.obj, submission.handle
    if obj._paths().success.exists():
        return True
    if isinstance(handle, ArtifactHandle):
        latest = read_state(obj._paths(), obj.furu_fqn(), obj.furu_hash).latest_attempt
        return latest is not None and latest.status not in ("queued", "running")
    try:
        return bool(handle.done(force_check=force))
    except Exception:  # noqa: BLE001 - the scheduler cannot say (sacct down): ask again later
        return False


def _finish(submission: Submission) -> None:
    obj, outcome, handle = submission.obj, submission.outcome, submission.handle
    submission.handle = None
    if _is_job(handle):
        outcome.log_tail = _log_tail(handle)
    if obj._paths().success.exists():
        outcome.outcome = "created"
        try:
            outcome.result = _short(obj._load())
        except Exception as error:  # noqa: BLE001 - the result is there; only this process cannot read it
            outcome.result = f"(cannot load it here: {type(error).__name__}: {error})"
        return
    outcome.outcome = "failed"
    paths = obj._paths()
    state = read_state(paths, obj.furu_fqn(), obj.furu_hash)
    reconcile(paths, state, cancelled_is_preempted=settings.current().cancelled_is_preempted)  # in memory: the next submission records it
    latest = state.latest_attempt
    if latest is None:
        outcome.error = "the job ended without starting an attempt"
    elif latest.error is not None:
        outcome.error = f"{latest.error.type}: {latest.error.message}"
    else:
        outcome.error = f"attempt {latest.status}" + (f": {latest.reason}" if latest.reason else "")


def _log_tail(job: Any) -> list[str]:
    lines: list[str] = []
    for path in (job.paths.stderr, job.paths.stdout):
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        lines.extend(text.splitlines()[-LOG_TAIL_LINES:])
    return lines[-LOG_TAIL_LINES:]


def _latest_attempt_id(obj: Config[Any]) -> str | None:
    latest = read_state(obj._paths(), obj.furu_fqn(), obj.furu_hash).latest_attempt
    return latest.id if latest is not None else None


def _is_job(value: Any) -> bool:
    import submitit

    return isinstance(value, submitit.Job)


def _short(value: Any, width: int = 200) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."
