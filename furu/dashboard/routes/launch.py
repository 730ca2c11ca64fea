"""``/api/launch``: new experiments and sweeps from an existing one, reruns, and the jobs that run them.

Each route is one call into :mod:`furu.launch` (the form, the plan, the
rerun plan) or :mod:`furu.dashboard.jobs` (start, list, stream). Every POST
is refused in ``--read-only`` and needs the token off loopback (the guard
middleware, :mod:`furu.dashboard.security`).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from furu.core import Furu
from furu.dashboard.jobs import JobConfig, JobRecord, JobRunner, progress, stop_every_runner
from furu.dashboard.routes.experiments import ServiceDep, checked_ref
from furu.dashboard.service import Service
from furu.errors import FuruError, FuruNotFound, FuruSpecError
from furu.launch import (
    Executor,
    LaunchForm,
    LaunchPlan,
    RerunPlan,
    invalidate_for_rerun,
    launch_form,
    launch_plan,
    rerun_entries,
    rerun_plan,
    run_argv,
)
from furu.importing import make_project_importable, sources_changed_since_import
from furu.refs import resolve_entry
from furu.report import read_log, tail, tail_after

router = APIRouter(prefix="/launch", tags=["launch"])
STREAM_POLL_SECS = 0.3


def executors(svc: Service) -> list[Executor]:
    """Where a job can run: ``local`` (``furu run`` as a subprocess), and ``submitit`` when ``[tool.furu.executor]`` is set."""
    return ["local", "submitit"] if svc.settings.executor is not None else ["local"]


def _checked_executor(svc: Service, executor: Executor) -> Executor:
    """``executor``, or the error naming the setting to add when it is ``submitit`` and none is configured."""
    if executor == "submitit":
        from furu.cluster.executor import executor_setting

        executor_setting(svc.settings)
    return executor

_runner_lock = threading.Lock()


def runner(request: Request) -> JobRunner:
    """The app's job runner, made on first use (over the dashboard's data root)."""
    with _runner_lock:
        found: JobRunner | None = getattr(request.app.state, "jobs", None)
        if found is None:
            svc: Service = request.app.state.service
            found = request.app.state.jobs = JobRunner(svc.settings)
        return found


RunnerDep = Annotated[JobRunner, Depends(runner)]
router.on_shutdown.append(stop_every_runner)  # uvicorn re-raises SIGTERM after shutdown, so atexit may never run


class LaunchFormView(LaunchForm):
    executors: list[Executor] = Field(
        description="Where a launch can run: local (`furu run` as a subprocess), submitit (the executor of [tool.furu.executor])"
    )
    executor_description: str | None = Field(default=None, description="The submitit executor, for people (None: none configured)")


class LaunchBody(BaseModel):
    ref: str = Field(description="The experiment to start from (hash or prefix)")
    values: dict[str, str] = Field(default_factory=dict, max_length=1000, description="Field values as key=value text, by dotted path")
    sweep: str = Field("", max_length=10_000, description="Sweeps as `furu run --sweep` takes them: lr=1e-3,3e-4 seed=0,1")
    executor: Executor = Field("local", description="local, or submitit: `furu run ... --executor submitit --wait`")


class JobView(BaseModel):
    job: JobRecord
    done: int = Field(description="Configs that have a result now")
    total: int


class Launched(BaseModel):
    plan: LaunchPlan
    job: JobView


class RerunBody(BaseModel):
    hashes: list[str] = Field(default_factory=list, max_length=500, description="Experiments to rerun (hashes or prefixes)")
    filter: str | None = Field(None, max_length=10_000, description="Or: every experiment a `furu ls` filter matches")
    executor: Executor | None = Field(None, description="local (the default), or submitit: `furu run ... --executor submitit --wait`")


class Reran(BaseModel):
    plan: RerunPlan
    warnings: list[str]
    job: JobView


def _base(svc: Service, ref: str) -> Furu[Any]:
    """The experiment ``ref`` names, rebuilt from its recorded config (its class imported)."""
    from furu.serialization import from_dict

    with svc.catalog() as catalog:
        record = catalog.records([resolve_entry(checked_ref(ref), catalog)], details=True)[0]
    if record.config is None:
        raise FuruError(f"{record.label} has no recorded config (its metadata.json is missing or unreadable).")
    make_project_importable(str(svc.settings.project_root) if svc.settings.project_root else None)
    obj = from_dict(record.config)
    if not isinstance(obj, Furu):
        raise FuruError(f"{record.label} is not a furu.Furu config, so it cannot be run again.")
    return obj


def _view(record: JobRecord) -> JobView:
    return JobView(job=record, done=progress(record), total=len(record.configs))


@router.get("/form/{ref}", response_model=LaunchFormView)
def form(svc: ServiceDep, ref: str) -> LaunchFormView:
    """The class's fields, filled with this experiment's values (nested configs as groups)."""
    from furu.cluster.executor import describe

    base = _base(svc, ref)
    setting = svc.settings.executor
    return LaunchFormView(
        **launch_form(type(base), base).model_dump(), executors=executors(svc),
        executor_description=describe(setting) if setting is not None else None,
    )


@router.post("/plan", response_model=LaunchPlan)
def plan(svc: ServiceDep, body: LaunchBody) -> LaunchPlan:
    """Validate the edits and the sweep as the class would; the configs, the command and the snippet (runs nothing)."""
    base = _base(svc, body.ref)
    found = launch_plan(type(base), body.values, body.sweep, base=base, executor=_checked_executor(svc, body.executor))
    changed = sources_changed_since_import()
    if changed:
        found.warnings.append(
            f"{', '.join(changed)} changed since this dashboard imported it: the form and the hashes shown are from the code "
            "as it was, while Run runs today's code. Restart furu dashboard to see today's."
        )
    return found


@router.post("/run", response_model=Launched)
def run(svc: ServiceDep, jobs: RunnerDep, body: LaunchBody) -> Launched:
    """Start the plan's `furu run ... --sweep ...` as a job (with `--executor submitit --wait` for submitit)."""
    executor = _checked_executor(svc, body.executor)
    base = _base(svc, body.ref)
    found = launch_plan(type(base), body.values, body.sweep, base=base)
    if found.errors:
        raise FuruSpecError("Nothing was started: " + " ".join(f"{path}: {message}" for path, message in found.errors.items()))
    configs = [JobConfig(assignments=c.assignments, fqn=c.fqn, hash=c.hash, dir=c.dir) for c in found.configs]
    title = f"{type(base).__qualname__}: {len(configs)} config{'s' if len(configs) != 1 else ''}"
    record = jobs.start("launch", title, [run_argv(found.target, found.assignments, found.sweeps)], configs, executor)
    return Launched(plan=found, job=_view(record))


def _rerun_plan(svc: Service, hashes: list[str], filter_text: str | None) -> RerunPlan:
    make_project_importable(str(svc.settings.project_root) if svc.settings.project_root else None)
    with svc.catalog() as catalog:
        if filter_text is not None:
            entries = rerun_entries(filter_text, catalog)
        else:
            entries = [resolve_entry(checked_ref(ref), catalog) for ref in hashes]
        return rerun_plan(entries, catalog)


@router.get("/rerun", response_model=RerunPlan)
def rerun_preview(
    svc: ServiceDep,
    hash: Annotated[list[str] | None, Query(description="Experiments to rerun (hashes or prefixes)")] = None,
    filter: Annotated[str | None, Query(max_length=10_000, description="Or: a `furu ls` filter")] = None,
) -> RerunPlan:
    """What a rerun would invalidate and run again (changes nothing)."""
    return _rerun_plan(svc, hash or [], filter)


@router.post("/rerun", response_model=Reran)
def rerun(svc: ServiceDep, jobs: RunnerDep, body: RerunBody) -> Reran:
    """Invalidate the experiments (never one being created) and start a job that runs each again."""
    executor = _checked_executor(svc, body.executor or "local")
    found = _rerun_plan(svc, body.hashes, body.filter)
    runnable = found.runnable
    if not runnable:
        reasons = "; ".join(f"{item.hash[:8]}: {item.problem}" for item in found.items) or "nothing matched"
        raise FuruError(f"Nothing to rerun ({reasons}).")
    with svc.catalog() as catalog:
        warnings = invalidate_for_rerun(found, catalog)
    configs = [JobConfig(assignments=item.assignments, fqn=item.fqn, hash=item.hash, dir=item.dir) for item in runnable]
    commands = [run_argv(item.target, item.assignments) for item in runnable]
    title = f"rerun of {len(configs)} experiment{'s' if len(configs) != 1 else ''}"
    record = jobs.start("rerun", title, commands, configs, executor)
    return Reran(plan=found, warnings=warnings, job=_view(record))


@router.get("/jobs", response_model=list[JobView])
def job_list(jobs: RunnerDep) -> list[JobView]:
    return [_view(record) for record in jobs.list()]


@router.get("/jobs/{job_id}", response_model=JobView)
def job(jobs: RunnerDep, job_id: str) -> JobView:
    return _view(jobs.get(job_id))


@router.post("/jobs/{job_id}/cancel", response_model=JobView)
def cancel(jobs: RunnerDep, job_id: str) -> JobView:
    return _view(jobs.cancel(job_id))


class JobLog(BaseModel):
    lines: list[str]
    size: int


@router.get("/jobs/{job_id}/log", response_model=JobLog)
def job_log(jobs: RunnerDep, job_id: str, lines: Annotated[int, Query(ge=1, le=100_000)] = 500) -> JobLog:
    path = jobs.log_path(job_id)
    return JobLog(lines=tail(path, lines), size=path.stat().st_size if path.is_file() else 0)


def readable_log(jobs: RunnerDep, job_id: str) -> Path:
    """The job's log, checked readable (a dependency: an unknown job or a log planted as a symlink is an error before any streaming)."""
    path = jobs.log_path(job_id)
    try:
        read_log(path, offset=0)
    except OSError as error:
        raise FuruNotFound(f"Job {job_id} has no readable log at {path} ({error.strerror}).") from None
    return path


@router.get("/jobs/{job_id}/log/stream", response_class=EventSourceResponse)
async def job_log_stream(
    jobs: RunnerDep, job_id: str, path: Annotated[Path, Depends(readable_log)], request: Request
) -> AsyncIterator[ServerSentEvent]:
    """The job's output as it is written: event ``line`` per line; ``end`` (data: the state) once it finished.

    Read as every live tail is (:func:`furu.report.read_log`): whole lines after an offset, never a
    symlink planted at the log's name; after the end, a last line the job left unfinished comes too.
    """
    offset = 0
    while not await request.is_disconnected():
        state = jobs.get(job_id).state  # before reading: a job that has ended has written everything
        chunk = await asyncio.to_thread(read_log, path, offset=offset)
        for line in chunk.lines:
            yield ServerSentEvent(raw_data=line, event="line")
        offset = chunk.offset
        if chunk.lines:
            continue  # a burst comes in chunks: read on before waiting
        if state != "running":
            unfinished = await asyncio.to_thread(tail_after, path, offset)
            if unfinished:
                yield ServerSentEvent(raw_data=unfinished, event="line")
            yield ServerSentEvent(raw_data=state, event="end")
            return
        await asyncio.sleep(STREAM_POLL_SECS)
