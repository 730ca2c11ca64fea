"""An attempt that lost its lock stops writing, and stops running.

A holder frozen past its lease (Ctrl-Z, SIGSTOP, a hung NFS client, a paused
VM) has been replaced by the time it resumes: a waiter broke the lock and
started its own attempt. Two things keep the resumed process from finishing
as a second creator:

- the fencing check: before each commit (config, metadata, success marker,
  state) the attempt checks the lock on disk is still the one it took, and
  raises :class:`~furu.errors.FuruLockLost` if not, so it never overwrites
  the attempt that took over;
- the interruption: after SIGSTOP or Ctrl-Z the kernel sends SIGCONT on
  resume, and its handler checks the lock in the main thread before any
  more of ``_create`` runs there. For stalls without SIGCONT (a hung NFS
  client, a paused VM) the heartbeat thread finds the lock gone at its next
  beat. Either way the thread running ``_create`` is interrupted: the main
  thread by a real-time signal whose handler raises, so even a sleep or a
  blocking read returns at once; any other thread at its next Python
  bytecode (``PyThreadState_SetAsyncExc``), and so is every thread started
  while ``_create`` ran (its workers). Processes it started are beyond
  reach: they run on until they end.

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
from furu.locking import ArtifactLock, Heartbeat
from furu.logs import logger
from furu.state import ArtifactState, record_event

# A real-time signal: nothing else in a research process is likely to use it,
# and unlike SIGUSR1/SIGUSR2 (SLURM --signal, submitit) no scheduler sends it.
LOCK_LOST_SIGNAL: int | None = getattr(signal, "SIGRTMIN", None)
if LOCK_LOST_SIGNAL is not None:
    LOCK_LOST_SIGNAL += 6

_armed: list[Fence] = []  # fences whose _create runs now, in any thread
_armed_guard = threading.Lock()
_lost_handler_installed = False
_resume_handler_installed = False


class Fence:
    """Guards one attempt's commits, and interrupts its ``_create`` once its lock is lost."""

    def __init__(self, lock: ArtifactLock, paths: ArtifactPaths, attempt_id: str, label: str) -> None:
        self.lock = lock
        self.paths = paths
        self.attempt_id = attempt_id
        self.label = label
        self.lost_to: str | None = None
        self._thread = threading.get_ident()
        self._threads_before: set[int | None] = set()
        self._guard = threading.RLock()  # a signal handler may take it again in the same thread
        self._armed = False
        self._reported = False

    def holds(self) -> bool:
        """Whether the lock is still this attempt's; reports the loss the first time it is seen."""
        if not self._still_owned():
            self._report_lost()
        return self.lost_to is None

    def _still_owned(self) -> bool:
        """Whether the lock is ours, noting who took it if not. No logging: signal handlers call it."""
        with self._guard:
            if self.lost_to is None and not self.lock.owned():
                holder = self.lock.holder()
                self.lost_to = holder.who() if holder is not None else self._last_taker()
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
        """Called by the heartbeat thread at every beat once the lock is taken, until the attempt ends.

        Repeated because an interruption can be swallowed (a handler raising
        inside code that catches every exception, such as a logging handler).
        """
        self.holds()
        self._interrupt_threads()

    def _interrupt_threads(self) -> None:
        """Interrupt the thread running ``_create`` and every thread started since it began."""
        with self._guard:
            if not self._armed:
                return
            started = [
                thread.ident for thread in threading.enumerate()
                if thread.ident not in self._threads_before and not isinstance(thread, Heartbeat)
            ]
        for ident in {self._thread, *started} - {threading.get_ident(), None}:  # the caller raises itself
            _interrupt(ident)  # type: ignore[arg-type]

    @contextmanager
    def interrupting(self) -> Iterator[None]:
        """While inside, a lost lock interrupts the current thread with :class:`FuruLockLost`."""
        if threading.current_thread() is threading.main_thread():
            _install_handlers()
        with self._guard:
            self._threads_before = {thread.ident for thread in threading.enumerate()}
            self._armed = True
        with _armed_guard:
            _armed.append(self)
        try:
            yield
        finally:
            with self._guard:
                self._armed = False
            with _armed_guard:
                _armed.remove(self)
            if self.lost_to is not None:
                _clear_pending(self._thread)

    def _report_lost(self) -> None:
        with self._guard:
            if self._reported:
                return
            self._reported = True
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
    if thread_id == threading.main_thread().ident and _lost_handler_installed and LOCK_LOST_SIGNAL is not None:
        signal.pthread_kill(thread_id, LOCK_LOST_SIGNAL)
    else:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(FuruLockLost))


def _clear_pending(thread_id: int) -> None:
    """Drop an interruption that had not fired yet when the attempt ended."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)


def _install_handlers() -> None:
    """Install both handlers once (main thread only); they stay, no-ops while no armed fence lost its lock.

    A signal the application handles itself is left to it: the heartbeat and
    the bytecode-level interruption still stop the attempt, a little later.
    """
    global _lost_handler_installed, _resume_handler_installed
    if not _lost_handler_installed and LOCK_LOST_SIGNAL is not None and _unclaimed(LOCK_LOST_SIGNAL):
        signal.signal(LOCK_LOST_SIGNAL, _on_lock_lost_signal)
        _lost_handler_installed = True
    if not _resume_handler_installed and _unclaimed(signal.SIGCONT):
        signal.signal(signal.SIGCONT, _on_resume)
        _resume_handler_installed = True


def _unclaimed(signum: int) -> bool:
    return signal.getsignal(signum) in (signal.SIG_DFL, None)


def _on_lock_lost_signal(signum: int, frame: FrameType | None) -> None:
    """Raise in the main thread for its innermost armed attempt whose lock is lost."""
    main = threading.main_thread().ident
    with _armed_guard:
        fences = [fence for fence in _armed if fence._thread == main]
    lost = next((fence for fence in reversed(fences) if fence.lost_to is not None), None)
    if lost is not None:
        raise lost.error()


def _on_resume(signum: int, frame: FrameType | None) -> None:
    """SIGCONT: the process was stopped, maybe past a lease. Check every running attempt's lock now."""
    with _armed_guard:
        fences = list(_armed)
    for fence in fences:
        if not fence._still_owned():
            fence._interrupt_threads()
    _on_lock_lost_signal(signum, frame)
