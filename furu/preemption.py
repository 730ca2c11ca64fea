"""SIGTERM while creating: record the attempt as preempted, then die as the process would have.

Schedulers (SLURM, Kubernetes, a laptop's shutdown) stop work with SIGTERM.
While any attempt runs in this process, furu's handler marks every running
attempt preempted, then hands the signal to the previous handler: with the
default action the process still terminates (after releasing its locks, so
others take over at once); a handler the application or submitit installed
is called as before (locks stay until the process really exits, so no second
process starts while this one may still be writing).

SIGINT needs no handler: Python raises KeyboardInterrupt, and the attempt
records it as preempted on the way out.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

from furu.fencing import Fence
from furu.layout import ArtifactPaths
from furu.state import ArtifactState, Attempt, finish_attempt, record_event, write_state


@dataclass
class _Running:
    paths: ArtifactPaths
    state: ArtifactState
    attempt: Attempt
    fence: Fence


_running: list[_Running] = []
_previous_handler: Any = None
_installed = False


@contextmanager
def running_attempt(paths: ArtifactPaths, state: ArtifactState, attempt: Attempt, fence: Fence) -> Iterator[None]:
    entry = _Running(paths, state, attempt, fence)
    _running.append(entry)
    _install()
    try:
        yield
    finally:
        _running.remove(entry)
        if not _running:
            _uninstall()


def _install() -> None:
    global _installed, _previous_handler
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if previous is signal.SIG_IGN:
        return  # the process ignores SIGTERM, so it is never preempted by one
    _previous_handler = previous
    signal.signal(signal.SIGTERM, _on_sigterm)
    _installed = True


def _uninstall() -> None:
    global _installed
    if _installed and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _previous_handler)
        _installed = False


def mark_running_preempted(reason: str, *, release_locks: bool) -> int:
    """Record every attempt running in this process as preempted; returns how many.

    An attempt whose lock was taken over records nothing: the state is the new holder's now.
    """
    entries = [entry for entry in _running if entry.attempt.status == "running" and entry.fence.holds()]
    for entry in entries:
        finish_attempt(entry.state, entry.attempt, "preempted", reason=reason)
        write_state(entry.paths, entry.state)
        record_event(entry.paths, "attempt_preempted", entry.attempt.id, reason=reason)
        if release_locks:
            entry.fence.lock.release()
    return len(entries)


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    previous = _previous_handler
    terminating = previous in (signal.SIG_DFL, None)
    mark_running_preempted("received SIGTERM", release_locks=terminating)
    _uninstall()
    if terminating:
        os.kill(os.getpid(), signum)
    elif callable(previous):
        previous(signum, frame)
