"""An attempt that lost its lock stops writing, and stops running.

A holder frozen past its lease (Ctrl-Z, SIGSTOP, a hung NFS client, a paused
VM) has been replaced by the time it resumes: a waiter broke the lock and
started its own attempt. Two things keep the resumed process from finishing
as a second creator:

- the fencing check: before each commit (config, metadata, success marker,
  state) the attempt checks the lock on disk is still the one it took, and
  raises :class:`~furu.errors.FuruLockLost` if not, so it never overwrites
  the attempt that took over;
- the interruption: the heartbeat thread, the first to run again after a
  stall, finds the lock gone and interrupts ``_create`` in the thread that
  runs it. The main thread gets a real-time signal whose handler raises, so
  even a sleep or a blocking read returns at once; any other thread gets the
  error at its next Python bytecode (``PyThreadState_SetAsyncExc``).

The lost attempt leaves one ``attempt_lost`` line in ``events.jsonl`` (an
append that cannot overwrite anything); the attempt that took over records
it as lost in ``state.json``.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from furu.atomic import read_model
from furu.errors import FuruError, FuruLockLost
from furu.layout import ArtifactPaths
from furu.locking import ArtifactLock
from furu.logs import logger
from furu.state import ArtifactState, record_event

# A real-time signal: nothing else in a research process is likely to use it,
# and unlike SIGUSR1/SIGUSR2 (SLURM --signal, submitit) no scheduler sends it.
LOCK_LOST_SIGNAL: int | None = getattr(signal, "SIGRTMIN", None)
if LOCK_LOST_SIGNAL is not None:
    LOCK_LOST_SIGNAL += 6

_main_thread_fences: list[Fence] = []
_handler_installed = False


class Fence:
    """Guards one attempt's commits, and interrupts its ``_create`` once its lock is lost."""

    def __init__(self, lock: ArtifactLock, paths: ArtifactPaths, attempt_id: str, label: str) -> None:
        self.lock = lock
        self.paths = paths
        self.attempt_id = attempt_id
        self.label = label
        self.lost_to: str | None = None
        self._thread = threading.get_ident()
        self._guard = threading.Lock()
        self._armed = False

    def holds(self) -> bool:
        """Whether the lock is still this attempt's; notes the loss the first time it is not."""
        if self.lost_to is None and not self.lock.owned():
            self._note_lost()
        return self.lost_to is None

    def check(self) -> None:
        """The fencing check: call right before every commit."""
        if not self.holds():
            raise self.error()

    def error(self) -> FuruLockLost:
        return FuruLockLost(
            f"{self.label} lost its lock at {self.paths.root_str}: {self.lost_to} took it over after this "
            "process sent no heartbeat within the lease (it was suspended, stopped or stalled). This attempt "
            "stopped without writing state, metadata or a success marker; the other attempt stands. Raise "
            "FURU_LEASE_SECS if this host stalls for longer than the lease."
        )

    def on_heartbeat_lost(self) -> None:
        """Called by the heartbeat thread when it finds the lock taken."""
        self._note_lost()
        with self._guard:
            if self._armed:
                _interrupt(self._thread)

    @contextmanager
    def interrupting(self) -> Iterator[None]:
        """While inside, a lost lock interrupts the current thread with :class:`FuruLockLost`."""
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:
            _install_handler()
            _main_thread_fences.append(self)
        with self._guard:
            self._armed = True
        try:
            yield
        finally:
            with self._guard:
                self._armed = False
            if in_main:
                _main_thread_fences.remove(self)
            if self.lost_to is not None:
                _clear_pending(self._thread)

    def _note_lost(self) -> None:
        with self._guard:
            if self.lost_to is not None:
                return
            holder = self.lock.holder()
            self.lost_to = holder.who() if holder is not None else self._last_taker()
        logger.warning("lost   %s: its lock was taken over by %s; stopping this attempt", self.label, self.lost_to)
        try:
            record_event(self.paths, "attempt_lost", self.attempt_id, taken_over_by=self.lost_to)
        except OSError as error:  # the history line must not keep the attempt from stopping
            logger.warning("could not record the lost attempt in %s: %s", self.paths.events, error)


    def _last_taker(self) -> str:
        """Who took over, from the state it wrote, when it has released the lock already."""
        try:
            state = read_model(self.paths.state, ArtifactState)
        except (OSError, FuruError):
            state = None
        latest = state.latest_attempt if state is not None else None
        if latest is None or latest.id == self.attempt_id:
            return "another process (which has released it since)"
        return f"host={latest.host} pid={latest.pid} (attempt {latest.number}, {latest.status} since)"


def _interrupt(thread_id: int) -> None:
    if thread_id == threading.main_thread().ident and _handler_installed and LOCK_LOST_SIGNAL is not None:
        signal.pthread_kill(thread_id, LOCK_LOST_SIGNAL)
    else:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(FuruLockLost))


def _clear_pending(thread_id: int) -> None:
    """Drop an interruption that had not fired yet when the attempt ended."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


def _install_handler() -> None:
    """Install the signal handler once; it stays, a no-op whenever no armed fence lost its lock."""
    global _handler_installed
    if _handler_installed or LOCK_LOST_SIGNAL is None:
        return
    if signal.getsignal(LOCK_LOST_SIGNAL) not in (signal.SIG_DFL, None):
        return  # the application uses this signal: fall back to the bytecode-level interruption
    signal.signal(LOCK_LOST_SIGNAL, _on_lock_lost_signal)
    _handler_installed = True


def _on_lock_lost_signal(signum: int, frame: FrameType | None) -> None:
    for fence in reversed(_main_thread_fences):
        if fence.lost_to is not None and fence._armed:
            raise fence.error()
