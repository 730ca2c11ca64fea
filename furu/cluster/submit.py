"""Submitting artifacts to a cluster: one job per missing artifact, never two.

``obj.load_or_create(executor=...)`` comes here. Under the artifact's lock
the submitter checks the recorded attempts against the scheduler, and either
returns the cached result, joins the job that is already queued or running,
or submits a new job and records it as a ``queued`` attempt. Racing
submitters serialise on the lock, so the second one finds the first one's
job and returns a handle on it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

import submitit

from furu import settings
from furu.cluster.code import prepare_job_code
from furu.cluster.handle import ArtifactHandle
from furu.cluster.job import FuruJob
from furu.cluster.scheduler import job_error, job_state, outcome, slurm_job
from furu.configs import Config
from furu.dependencies import declared_dependencies, note_loaded
from furu.execution import Waiter, capture_provenance, label, log_loaded_from_elsewhere, prepare_artifact_dir
from furu.layout import ArtifactPaths
from furu.locking import ArtifactLock
from furu.logs import configure, logger
from furu.state import ArtifactState, finish_attempt, read_state, record_event, start_attempt, write_state

_UNFINISHED = ("queued", "running")
_RECONCILED = (*_UNFINISHED, "preempted")  # a job that recorded SIGTERM may have been cancelled


def submit(obj: Config[Any], executor: submitit.Executor, *, after: Sequence[submitit.Job[Any]] = ()) -> Any:
    """The cached result, or a handle on the (new or existing) job that creates ``obj``."""
    current = settings.current()
    configure(current.log_level)
    paths = obj._paths(current)
    note_loaded(obj)
    if obj.exists():
        logger.debug("load   %s", label(obj))
        return obj._load()
    prepare_artifact_dir(obj, paths, current)
    lock = ArtifactLock(paths.lock, lease_secs=current.lease_secs, heartbeat_secs=current.effective_heartbeat_secs)
    waiter = Waiter(obj, current)
    while not lock.try_acquire():
        holder = lock.holder()
        if holder is None:
            continue
        if holder.stale_reason is not None:
            lock.break_stale(holder)
            continue
        existing = _running_elsewhere(obj, paths)
        if existing is not None:
            return existing
        waiter.wait(holder)  # another submitter, for a moment
    try:
        if obj.exists():
            log_loaded_from_elsewhere(obj, paths)
            return obj._load()
        state = read_state(paths, obj.furu_fqn(), obj.furu_hash)
        if reconcile(paths, state, cancelled_is_preempted=current.cancelled_is_preempted):
            write_state(paths, state)
        live = _live_job(state)
        if live is not None:
            logger.info("join   %s: job %s is already %s", label(obj), live.job_id, state.latest_attempt.status)  # type: ignore[union-attr]
            return live
        return _submit_new(obj, executor, paths, state, current, after)
    finally:
        lock.release()


def load_or_create_all(objs: Iterable[Config[Any]], executor: submitit.Executor | None = None) -> list[Any]:
    """Results (cached) or job handles for ``objs``; dependencies are submitted first, once each."""
    objs = list(objs)
    if executor is None:
        return [obj.load_or_create() for obj in objs]
    requested = {obj.furu_hash for obj in objs}
    outcomes: dict[str, Any] = {}
    for obj in _dependencies_first(objs):
        if obj.furu_hash not in requested and obj.exists():
            continue
        after = [outcomes[d.furu_hash] for d in declared_dependencies(obj) if isinstance(outcomes.get(d.furu_hash), submitit.Job)]
        outcomes[obj.furu_hash] = submit(obj, executor, after=after)
    return [outcomes[obj.furu_hash] for obj in objs]


def reconcile(paths: ArtifactPaths, state: ArtifactState, *, cancelled_is_preempted: bool) -> bool:
    """Record what the scheduler says about unfinished cluster attempts; True if anything changed.

    Attempts the job itself left preempted (it got SIGTERM) are checked too: the
    scheduler knows whether that SIGTERM was a preemption or a cancellation.
    """
    changed = False
    for attempt in state.attempts:
        if attempt.status not in _RECONCILED or attempt.job_id is None or attempt.job_folder is None:
            continue
        if attempt.status == "preempted" and attempt is not state.latest_attempt:
            continue  # a later attempt followed it: settled
        job = slurm_job(attempt.job_folder, attempt.job_id)
        scheduler_state = job_state(job)
        result = outcome(scheduler_state, cancelled_is_preempted=cancelled_is_preempted)
        if attempt.status == "preempted":
            if scheduler_state != "CANCELLED" or result != "failed":
                continue  # a real preemption (maybe requeued since): the job's own record stands
        elif result == "alive":
            continue
        reason = f"the scheduler reports job {attempt.job_id} {scheduler_state}"
        if result == "crashed":
            reason += " but it left no result"
        error = job_error(job) if result == "failed" else None
        finish_attempt(state, attempt, result, reason=reason + (f": {error}" if error else ""))
        record_event(paths, f"attempt_{result}", attempt.id, job_id=attempt.job_id, scheduler_state=scheduler_state)
        changed = True
    return changed


def _live_job(state: ArtifactState) -> submitit.Job[Any] | None:
    latest = state.latest_attempt
    if latest is None or latest.status not in _UNFINISHED or latest.job_id is None or latest.job_folder is None:
        return None
    return slurm_job(latest.job_folder, latest.job_id)


def _running_elsewhere(obj: Config[Any], paths: ArtifactPaths) -> Any:
    """A handle on the job or process creating ``obj`` while someone holds its lock, if any."""
    state = read_state(paths, obj.furu_fqn(), obj.furu_hash)
    latest = state.latest_attempt
    if latest is None or latest.status != "running":
        return None
    if latest.job_id is not None and latest.job_folder is not None:
        return slurm_job(latest.job_folder, latest.job_id)
    logger.info("join   %s: being created by pid %d on %s", label(obj), latest.pid, latest.host)
    return ArtifactHandle(obj)


def _submit_new(
    obj: Config[Any],
    executor: submitit.Executor,
    paths: ArtifactPaths,
    state: ArtifactState,
    current: settings.Settings,
    after: Sequence[submitit.Job[Any]],
) -> submitit.Job[Any]:
    provenance = capture_provenance(current, type(obj))
    attempt_id = secrets.token_hex(8)
    backend = "slurm" if isinstance(_inner(executor), submitit.SlurmExecutor) else type(_inner(executor)).__name__.lower()
    job_fn = FuruJob(
        config=obj.to_dict(),
        furu_hash=obj.furu_hash,
        attempt_id=attempt_id,
        backend=backend,
        environment=_job_environment(current),
        cwd=os.getcwd(),
        provenance=provenance,
        code=prepare_job_code(provenance, current),
        preempt_max=current.preempt_max,
    )
    job = _submit_after(executor, job_fn, after)
    start_attempt(state, attempt_id, backend=backend, status="queued", job_id=str(job.job_id), job_folder=str(executor.folder))
    write_state(paths, state)
    record_event(paths, "job_submitted", attempt_id, job_id=str(job.job_id), after=[j.job_id for j in after])
    logger.info("submit %s -> job %s", label(obj), job.job_id)
    return job


def _submit_after(executor: submitit.Executor, job_fn: FuruJob, after: Sequence[submitit.Job[Any]]) -> submitit.Job[Any]:
    """Submit, making a SLURM job wait for its dependencies' jobs (others wait on the artifacts)."""
    inner = _inner(executor)
    if not after or not isinstance(inner, submitit.SlurmExecutor):
        return executor.submit(job_fn)
    saved = inner.parameters.get("additional_parameters")
    inner.parameters["additional_parameters"] = {
        **(saved or {}),
        "dependency": "afterok:" + ":".join(str(job.job_id) for job in after),
        "kill-on-invalid-dep": "yes",
    }
    try:
        return executor.submit(job_fn)
    finally:
        inner.parameters["additional_parameters"] = saved


def _inner(executor: submitit.Executor) -> submitit.Executor:
    return getattr(executor, "_executor", executor)  # AutoExecutor wraps the real one


def _job_environment(current: settings.Settings) -> dict[str, str]:
    """The submitter's furu settings, with the data locations pinned (jobs may start elsewhere)."""
    environment = {name: value for name, value in os.environ.items() if name.startswith("FURU_")}
    environment["FURU_PATH"] = str(current.data_root)
    environment["FURU_ARTIFACTS_PATH"] = str(current.artifacts_root)
    return environment


def _dependencies_first(objs: list[Config[Any]]) -> list[Config[Any]]:
    ordered: dict[str, Config[Any]] = {}

    def visit(obj: Config[Any]) -> None:
        if obj.furu_hash in ordered:
            return
        for dependency in declared_dependencies(obj):
            visit(dependency)
        ordered[obj.furu_hash] = obj

    for obj in objs:
        visit(obj)
    return list(ordered.values())
