"""The state of an artifact: its attempts, their outcome, and the success marker.

``state.json`` is rewritten only by the process that holds the artifact's lock
(or, for a queued cluster job, by its submitter under the same lock), so a
read-modify-write never loses an update. ``success.json`` is written last,
after every result file: its presence is the one fact a cache hit checks.
``events.jsonl`` is an append-only history for humans and the dashboard.
"""

from __future__ import annotations

import getpass
import os
import secrets
import socket
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from furu.atomic import append_line, read_model, write_model
from furu.errors import FuruError
from furu.journal import note_change
from furu.layout import ArtifactPaths
from furu.schema import Record

# "lost": its lock was taken over while its process may still have run (frozen past its lease).
AttemptStatus = Literal["queued", "running", "success", "failed", "preempted", "crashed", "lost"]
ResultStatus = Literal["absent", "success", "failed", "incomplete"]
_UNFINISHED = ("queued", "running")


def utcnow() -> datetime:
    return datetime.now(UTC)


@cache
def hostname() -> str:
    return socket.gethostname()


@cache
def username() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())


class ErrorInfo(BaseModel):
    """An exception as recorded for a failed attempt."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    type: str
    message: str
    traceback: str

    @classmethod
    def from_exception(cls, error: BaseException) -> ErrorInfo:
        return cls(
            type=f"{type(error).__module__}.{type(error).__qualname__}",
            message=str(error),
            traceback="".join(traceback.format_exception(error)),
        )


class Attempt(BaseModel):
    """One try at creating the artifact, by one process (or one cluster job)."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    id: str
    number: int
    status: AttemptStatus
    backend: str = "local"
    job_id: str | None = None
    job_folder: str | None = None
    host: str
    pid: int
    user: str
    started_at: datetime
    ended_at: datetime | None = None
    reason: str | None = None
    error: ErrorInfo | None = None


class ArtifactState(Record):
    """Contents of ``.furu/state.json``."""

    fqn: str
    hash: str
    result: ResultStatus = "absent"
    attempts: list[Attempt] = Field(default_factory=list)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def latest_attempt(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None


class SuccessMarker(Record):
    """Contents of ``.furu/success.json``; stable, so it can be committed."""

    fqn: str
    hash: str
    attempt_id: str
    created_at: datetime


class Event(Record):
    """One line of ``.furu/events.jsonl``."""

    time: datetime = Field(default_factory=utcnow)
    event: str
    host: str = Field(default_factory=hostname)
    pid: int = Field(default_factory=os.getpid)
    attempt_id: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Takeover:
    """How the previous holder's unfinished attempt ended when this process took its lock."""

    status: AttemptStatus  # "crashed" when its process is known dead, else "lost"
    reason: str


def read_state(paths: ArtifactPaths, fqn: str, furu_hash: str) -> ArtifactState:
    """The recorded state; a committed artifact without state.json reads as success."""
    try:
        return read_model(paths.state, ArtifactState)
    except FileNotFoundError:
        result: ResultStatus = "success" if paths.success.exists() else "absent"
        return ArtifactState(fqn=fqn, hash=furu_hash, result=result)


def creator(paths: ArtifactPaths) -> str | None:
    """``host:pid`` of the attempt whose result the success marker holds; None when unrecorded."""
    try:
        marker = read_model(paths.success, SuccessMarker)
        state = read_model(paths.state, ArtifactState)
    except (OSError, FuruError):
        return None
    attempt = next((a for a in state.attempts if a.id == marker.attempt_id), None)
    return f"{attempt.host}:{attempt.pid}" if attempt is not None else None


def this_process() -> str:
    """``host:pid`` of this process, as :func:`creator` names a process."""
    return f"{hostname()}:{os.getpid()}"


def write_state(paths: ArtifactPaths, state: ArtifactState) -> None:
    state.updated_at = utcnow()
    write_model(paths.state, state, fsync=False)
    note_change(paths.root_str)


def record_event(paths: ArtifactPaths, event: str, attempt_id: str | None = None, **detail: Any) -> None:
    append_line(paths.events, Event(event=event, attempt_id=attempt_id, detail=detail).model_dump_json())
    note_change(paths.root_str)


def start_attempt(
    state: ArtifactState,
    attempt_id: str,
    *,
    backend: str = "local",
    status: AttemptStatus = "running",
    job_id: str | None = None,
    job_folder: str | None = None,
    takeover: Takeover | None = None,
) -> Attempt:
    """Start an attempt: the queued one with ``attempt_id`` if there is one, else a new one.

    A cluster job adopts the attempt its submitter queued; every other
    unfinished attempt ended (we hold the lock): as ``takeover`` says when
    this attempt took the lock over, else as crashed.
    """
    adopted = next((a for a in state.attempts if a.id == attempt_id and a.status == "queued"), None)
    for earlier in state.attempts:
        if earlier.status in _UNFINISHED and earlier is not adopted:
            earlier.status = takeover.status if takeover is not None else "crashed"
            earlier.ended_at = earlier.ended_at or utcnow()
            earlier.reason = earlier.reason or (
                takeover.reason if takeover is not None else "its process stopped without recording an outcome"
            )
    if adopted is not None:
        adopted.status, adopted.host, adopted.pid, adopted.started_at = status, hostname(), os.getpid(), utcnow()
        attempt = adopted
    else:
        attempt = Attempt(
            id=attempt_id if not any(a.id == attempt_id for a in state.attempts) else secrets.token_hex(8),
            number=len(state.attempts) + 1,
            status=status,
            backend=backend,
            job_id=job_id,
            job_folder=job_folder,
            host=hostname(),
            pid=os.getpid(),
            user=username(),
            started_at=utcnow(),
        )
        state.attempts.append(attempt)
    state.result = "incomplete"
    return attempt


def finish_attempt(
    state: ArtifactState,
    attempt: Attempt,
    status: AttemptStatus,
    *,
    reason: str | None = None,
    error: BaseException | None = None,
) -> None:
    attempt.status = status
    attempt.ended_at = utcnow()
    attempt.reason = reason
    attempt.error = ErrorInfo.from_exception(error) if error is not None else None
    state.result = {"success": "success", "failed": "failed"}.get(status, "incomplete")  # type: ignore[assignment]
