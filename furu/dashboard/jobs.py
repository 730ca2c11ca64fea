"""Runs the dashboard starts: ``furu run ...`` as a subprocess, its output in a log, its record on disk.

A job is one or more ``furu`` commands run one after the other (a sweep is
one ``furu run ... --sweep``; a rerun of a set is one ``furu run`` per
config), by the same interpreter's ``furu``, from the project directory, with
the dashboard's data root pinned in ``FURU_PATH``/``FURU_ARTIFACTS_PATH`` so
the runs land where the dashboard looks. Its record (``job.json``) and its
output (``output.log``) live in ``<data root>/dashboard/jobs/<id>/``, furu's
own area of the data root (git ignores it: ``dashboard/.gitignore``). Progress is how many of the configs it names have
a result (their success markers), so it is right whatever the output says.
When the dashboard stops, the jobs it is running are stopped too (furu
records each artifact being created as preempted) and marked ``interrupted``.

With the ``submitit`` executor the command is ``furu run ... --executor
submitit --wait``: it submits the configs through ``[tool.furu.executor]``,
prints their job ids, and waits for the jobs (printing each one's outcome and
the tail of its log), so the job stays ``running`` until the cluster is done
with them. Cancelling it cancels the cluster jobs it is waiting for; stopping
the dashboard only stops the waiting (the cluster jobs keep running).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal

from pydantic import BaseModel, Field

from furu.atomic import CorruptFileError, read_model, write_model
from furu.errors import FuruError, FuruNotFound
from furu.launch import EXECUTOR_ARGS, Executor
from furu.layout import ArtifactPaths
from furu.locking import process_alive
from furu.settings import Settings

SCHEMA_VERSION = 1
JOBS_DIR = ("dashboard", "jobs")
JOB_FILE = "job.json"
LOG_FILE = "output.log"
MAX_RUNNING = 4
"""More jobs at once than this are refused: the machine runs them all, and the page is not a scheduler."""
MAX_LISTED = 100

JOB_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{6}")
"""The ids :meth:`JobRunner.start` gives: its start time and six random hex digits."""
JobState = Literal["running", "succeeded", "failed", "cancelled", "interrupted"]
JobKind = Literal["launch", "rerun"]


class JobConfig(BaseModel):
    """One config the job runs: its words, hash and directory (where its result appears)."""

    assignments: list[str]
    fqn: str
    hash: str
    dir: str


class JobRecord(BaseModel):
    """``job.json``: what the job runs and how it went."""

    schema_version: int = SCHEMA_VERSION
    id: str
    kind: JobKind
    title: str
    executor: Executor = "local"
    commands: list[list[str]] = Field(description="Each command's arguments after `furu`, run in order")
    shown: str = Field(description="The same, as a shell command line")
    cwd: str
    state: JobState = "running"
    exit_code: int | None = None
    pid: int | None = None
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    configs: list[JobConfig] = Field(default_factory=list)


_runners: weakref.WeakSet[JobRunner] = weakref.WeakSet()


@atexit.register
def stop_every_runner() -> None:
    """Stop the jobs of every runner in this process (the server's shutdown, or its exit)."""
    for runner in list(_runners):
        runner.stop_all()


def furu_executable() -> list[str]:
    """This interpreter's ``furu`` command (its console script, else the same entry point through ``-c``)."""
    script = Path(sys.executable).parent / "furu"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "import sys; from furu.cli import main; sys.exit(main())"]


def shown_commands(commands: Sequence[Sequence[str]]) -> str:
    return " && ".join(shlex.join(["furu", *command]) for command in commands)


class JobRunner:
    """The jobs of one data root: started here, each watched by a thread; read back from disk."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_root.joinpath(*JOBS_DIR)
        self._lock = threading.Lock()
        self._live: dict[str, subprocess.Popen[bytes]] = {}
        self._cancelled: set[str] = set()
        self._stopping = False
        _runners.add(self)

    def start(
        self, kind: JobKind, title: str, commands: list[list[str]], configs: list[JobConfig], executor: Executor = "local"
    ) -> JobRecord:
        """Run ``commands`` (``furu run ...`` each) one after the other; ``executor`` adds its options to each."""
        commands = [[*command, *EXECUTOR_ARGS[executor]] for command in commands]
        with self._lock:
            running = sum(process.poll() is None for process in self._live.values())
            if running >= MAX_RUNNING:
                raise FuruError(f"{running} jobs are running already; wait for one to finish (or cancel one) first.")
            job_id = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
            folder = self.root / job_id
            folder.mkdir(parents=True)
            ignore = self.root.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Written by furu: the dashboard's jobs and their logs, never committed.\n*\n")
            cwd = str(self.settings.project_root or Path.cwd())
            record = JobRecord(
                id=job_id, kind=kind, title=title, executor=executor, commands=commands, shown=shown_commands(commands), cwd=cwd,
                started_at=dt.datetime.now(dt.UTC), configs=configs,
            )
            self._write(record)
            log = (folder / LOG_FILE).open("ab")
            thread = threading.Thread(target=self._run, args=(record, log), name=f"furu-job-{job_id}", daemon=True)
            first = self._spawn(record, 0, log)
            self._live[job_id] = first
            record.pid = first.pid
            self._write(record)
            thread.start()
            return record

    def _environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        environment.update({
            "FURU_PATH": str(self.settings.data_root), "FURU_ARTIFACTS_PATH": str(self.settings.artifacts_root),
            "PYTHONUNBUFFERED": "1", "COLUMNS": environment.get("COLUMNS", "160"), "NO_COLOR": "1", "TERM": "dumb",
        })
        return environment

    def _spawn(self, record: JobRecord, index: int, log: BinaryIO) -> subprocess.Popen[bytes]:
        command = record.commands[index]
        log.write(f"$ {shlex.join(['furu', *command])}\n".encode())
        log.flush()
        return subprocess.Popen(
            [*furu_executable(), *command], cwd=record.cwd, env=self._environment(), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def _run(self, record: JobRecord, log: BinaryIO) -> None:
        code = 0
        try:
            for index in range(len(record.commands)):
                with self._lock:
                    if self._stopping:
                        break
                    process = self._live[record.id] if index == 0 else self._spawn(record, index, log)
                    self._live[record.id] = process
                    record.pid = process.pid
                returned = process.wait()
                code = code or returned  # the first failure is the job's; the other commands still run
                if record.id in self._cancelled:
                    break
        finally:
            log.close()
            with self._lock:
                if not self._stopping:  # else stop_all recorded it interrupted
                    record.exit_code = code
                    record.ended_at = dt.datetime.now(dt.UTC)
                    record.state = "cancelled" if record.id in self._cancelled else "succeeded" if code == 0 else "failed"
                    self._write(record)

    def cancel(self, job_id: str) -> JobRecord:
        record = self.get(job_id)
        with self._lock:
            process = self._live.get(job_id)
            if process is None or process.poll() is not None:
                raise FuruError(f"Job {job_id} is not running ({record.state}); there is nothing to cancel.")
            self._cancelled.add(job_id)
            if record.executor == "submitit":
                self._cancel_cluster_jobs(record)
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return record

    def _cancel_cluster_jobs(self, record: JobRecord) -> None:
        """``scancel`` the cluster jobs of the job's configs (their dependencies' jobs keep running: others may need them)."""
        from furu.cluster.runs import cancel_jobs

        cancelled = cancel_jobs([config.dir for config in record.configs])
        with (self.root / record.id / LOG_FILE).open("ab") as log:
            log.write(f"cancelled cluster job(s): {', '.join(cancelled) or 'none was queued or running'}\n".encode())

    def stop_all(self) -> None:
        """When the dashboard stops: stop its running jobs (no one would watch them) and record them interrupted."""
        with self._lock:
            self._stopping = True
            for job_id, process in self._live.items():
                if process.poll() is not None:
                    continue
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    record = read_model(self.root / job_id / JOB_FILE, JobRecord)
                except (OSError, CorruptFileError):
                    continue
                record.state, record.ended_at = "interrupted", dt.datetime.now(dt.UTC)
                self._write(record)
            self._live.clear()

    def get(self, job_id: str) -> JobRecord:
        if not JOB_ID.fullmatch(job_id):  # anything else (a path, a name too long for the filesystem) names no job
            raise FuruNotFound(f"No job {job_id[:80]!r}.")
        try:
            record = read_model(self.root / job_id / JOB_FILE, JobRecord)
        except (FileNotFoundError, NotADirectoryError):
            raise FuruNotFound(f"No job {job_id!r} in {self.root}.") from None
        return self._checked(record)

    def list(self) -> list[JobRecord]:
        if not self.root.is_dir():
            return []
        records = []
        for folder in sorted(self.root.iterdir(), reverse=True)[:MAX_LISTED]:
            try:
                records.append(self._checked(read_model(folder / JOB_FILE, JobRecord)))
            except (OSError, CorruptFileError):
                continue  # half-written or foreign: not a job this dashboard can show
        return records

    def log_path(self, job_id: str) -> Path:
        self.get(job_id)
        return self.root / job_id / LOG_FILE

    def _checked(self, record: JobRecord) -> JobRecord:
        """A job an earlier dashboard left ``running`` whose process is gone is ``interrupted``."""
        if record.state == "running" and record.id not in self._live and (record.pid is None or not process_alive(record.pid)):
            record.state = "interrupted"
        return record

    def _write(self, record: JobRecord) -> None:
        write_model(self.root / record.id / JOB_FILE, record, fsync=False)


def progress(record: JobRecord) -> int:
    """How many of the job's configs have a result now."""
    return sum(ArtifactPaths(config.dir).success.exists() for config in record.configs)
