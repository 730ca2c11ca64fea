"""The per-artifact lock: NFS-safe, leased, kept alive by a heartbeat thread.

Acquiring uses the link(2) recipe from the open(2) man page, which stays
atomic on NFS where ``O_EXCL`` historically was not: write a private claim
file holding :class:`LockInfo`, hard-link it to ``.furu/lock``, and count the
claim's links when the server's reply is lost. The holder refreshes the lock's
mtime every heartbeat; a waiter takes the lock over when the holder is gone
for sure (a dead pid on the same host) or its lease has run out (no heartbeat
for ``lease_secs``, any host). Breaking a stale lock is serialised by a
second ``lock.break`` claim, so two waiters can never both break and both
acquire.

"This host" means the same host name, boot and PID namespace: a pid seen
from another container or ``unshare --pid`` names a different process, so a
holder there is judged by its lease alone.

On a full disk the claim cannot hold its :class:`LockInfo`; it is then left
empty (creating it needs an inode, not a free block), and the holder knows
its lock by the inode. Waiters see "an unreadable lock" and judge it by its
heartbeat, so removing and invalidating still work with zero free bytes.

flufl.lock implements the same recipe, but it keeps whole-second lease
times, has no dead-pid takeover, and cannot tell waiters who holds the lock
and how old its heartbeat is, all of which furu needs.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from furu.atomic import DISK_FULL
from furu.errors import FuruError, FuruLockTimeout
from furu.layout import ArtifactPaths, shown_path
from furu.schema import Record
from furu.settings import Settings, current
from furu.state import hostname, username, utcnow

BREAK_SUFFIX = ".break"

logger = logging.getLogger("furu")


class LockInfo(Record):
    """Who holds a lock; the content of ``.furu/lock``."""

    token: str
    host: str
    pid: int
    pid_started: str | None
    user: str
    acquired_at: datetime
    lease_secs: float
    boot_id: str | None = None
    pid_namespace: str | None = None

    def on_this_machine(self) -> bool:
        """Whether :attr:`pid` names a process this process can see and check."""
        return (
            self.host == hostname() and self.boot_id == boot_id() and self.pid_namespace == pid_namespace()
        )


@dataclass(frozen=True)
class Holder:
    """What a waiter sees of the current holder."""

    info: LockInfo | None
    heartbeat_age_secs: float
    inode: int
    stale_reason: str | None
    gone: bool = False  # its process is known to have stopped (not only silent)

    def who(self) -> str:
        if self.info is None:
            return "an unreadable lock"
        elsewhere = self.info.host == hostname() and not self.info.on_this_machine()
        return f"host={self.info.host} pid={self.info.pid}" + (" (another boot or PID namespace)" if elsewhere else "")

    def describe(self) -> str:
        return f"held by {self.who()}, last heartbeat {self.heartbeat_age_secs:.1f}s ago"


class ArtifactLock:
    """One artifact's lock, as seen from this process."""

    def __init__(self, path: Path, *, lease_secs: float, heartbeat_secs: float) -> None:
        self.path = path
        self.lease_secs = lease_secs
        self.heartbeat_secs = heartbeat_secs
        self.token = secrets.token_hex(16)
        self._held: _Claim | None = None
        self._heartbeat: Heartbeat | None = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""
        info = LockInfo(
            token=self.token,
            host=hostname(),
            pid=os.getpid(),
            pid_started=process_start_marker(os.getpid()),
            user=username(),
            acquired_at=utcnow(),
            lease_secs=self.lease_secs,
            boot_id=boot_id(),
            pid_namespace=pid_namespace(),
        )
        self._held = _link_claim(self.path, info.model_dump_json().encode("utf-8"))
        return self._held is not None

    def holder(self) -> Holder | None:
        """The current holder, or None when the lock is free."""
        try:
            stat = os.stat(self.path)
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        age = max(0.0, time.time() - stat.st_mtime)
        try:
            info: LockInfo | None = LockInfo.model_validate_json(data)
        except ValidationError:
            info = None
        gone = info is not None and info.on_this_machine() and not process_alive(info.pid, info.pid_started)
        return Holder(info, age, stat.st_ino, _stale_reason(info, gone, age, self.lease_secs), gone)

    def owned(self) -> bool:
        """Whether the lock on disk is still the one this object took (not broken and retaken)."""
        held = self._held
        if held is None:
            return False
        try:
            with open(self.path, "rb") as handle:
                if os.fstat(handle.fileno()).st_ino != held.inode:
                    return False
                data = handle.read()
        except FileNotFoundError:
            return False
        if held.empty:
            return data == b""
        try:
            return LockInfo.model_validate_json(data).token == self.token
        except ValidationError:
            return False

    def break_stale(self, seen: Holder) -> bool:
        """Remove the lock ``seen`` as stale, unless another waiter is doing so or it changed."""
        break_path = self.path.with_name(self.path.name + BREAK_SUFFIX)
        if _link_claim(break_path, self.token.encode("ascii")) is None:
            _clear_abandoned_break(break_path, self.lease_secs)
            return False
        try:
            current = self.holder()
            if current is None or current.inode != seen.inode or current.stale_reason is None:
                return False
            self.path.unlink(missing_ok=True)
            return True
        finally:
            break_path.unlink(missing_ok=True)

    def acquire_unless_busy(self, *, attempts: int = 10) -> Holder | None:
        """Take the lock now, taking over a stale holder; return the live holder instead if busy.

        For short operations on an artifact (invalidate, replace on import) that
        must not wait for a creation in progress. Raises FuruLockTimeout if the
        lock keeps changing hands for ``attempts`` tries.
        """
        for _ in range(attempts):
            if self.try_acquire():
                return None
            holder = self.holder()
            if holder is None:
                continue
            if holder.stale_reason is None:
                return holder
            self.break_stale(holder)
        raise FuruLockTimeout(f"Could not take the lock {self.path}: it kept changing hands; try again.")

    def start_heartbeat(self, on_lost: Callable[[], None] | None = None) -> None:
        """Keep the lock alive; call ``on_lost`` (from the heartbeat thread) if it is taken away."""
        self._heartbeat = Heartbeat(self, on_lost)
        self._heartbeat.start()

    def release(self) -> None:
        """Stop the heartbeat and remove the lock if it is still ours."""
        if self._heartbeat is not None:
            self._heartbeat.stop()
            self._heartbeat = None
        if self.owned():
            self.path.unlink(missing_ok=True)
        self._held = None


@dataclass(frozen=True)
class _Claim:
    """The lock file this process linked into place: its inode, and whether it is empty."""

    inode: int
    empty: bool


def _link_claim(path: Path, content: bytes) -> _Claim | None:
    """Link a new claim holding ``content`` to ``path``; the claim taken, or None if ``path`` exists."""
    claim = path.with_name(f"{path.name}.claim.{hostname()}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        empty = _write_claim(claim, content)
        inode = os.stat(claim).st_ino
        try:
            os.link(claim, path)
        except FileExistsError:
            # On NFS the link may have succeeded even though the reply was lost.
            if os.stat(claim).st_nlink != 2:
                return None
        return _Claim(inode, empty)
    finally:
        claim.unlink(missing_ok=True)


def _write_claim(claim: Path, content: bytes) -> bool:
    """Create the claim file; on a full disk leave it empty. Returns whether it is empty."""
    fd = os.open(claim, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, content)
        return False
    except OSError as error:
        if error.errno not in DISK_FULL:
            raise
        os.ftruncate(fd, 0)
        return True
    finally:
        os.close(fd)


def _stale_reason(info: LockInfo | None, gone: bool, age: float, default_lease: float) -> str | None:
    lease = info.lease_secs if info is not None else default_lease
    if gone and info is not None:
        return f"its holder (pid {info.pid} on this host) is no longer running"
    if age > lease:
        return f"its lease expired: no heartbeat for {age:.1f}s (lease {lease:g}s)"
    return None


def _clear_abandoned_break(break_path: Path, lease_secs: float) -> None:
    """A waiter that died while breaking leaves ``lock.break``; clear it after a lease."""
    try:
        if time.time() - os.stat(break_path).st_mtime > lease_secs:
            break_path.unlink(missing_ok=True)
    except FileNotFoundError:
        pass


@cache
def boot_id() -> str | None:
    """This boot's id: a pid from before a reboot names no process now."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


@cache
def pid_namespace() -> str | None:
    """This process's PID namespace (``pid:[4026531836]``): pids mean something only inside it."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def process_start_marker(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, to tell pid reuse apart."""
    fields = _proc_stat_fields(pid)
    return fields[19] if fields else None


def process_alive(pid: int, start_marker: str | None = None) -> bool:
    """Whether ``pid`` (started at ``start_marker``) still runs on this host; zombies count as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _proc_stat_fields(pid)
    if fields is None:
        return True  # no /proc (macOS): kill(0) is all we know
    if fields[0] in {"Z", "X"}:
        return False
    return start_marker is None or fields[19] == start_marker


def _proc_stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state is [0], starttime [19])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


class Heartbeat(threading.Thread):
    """Refreshes the lock's mtime so waiters on any host see the holder is alive.

    Each beat first checks the lock is still ours: after a stall longer than
    the lease a waiter may have broken it and taken it, and refreshing that
    other process's lock would hide that two processes now create the artifact.
    """

    def __init__(self, lock: ArtifactLock, on_lost: Callable[[], None] | None) -> None:
        super().__init__(name=f"furu-heartbeat-{lock.path.parent.parent.name[:8]}", daemon=True)
        self.lock = lock
        self.on_lost = on_lost
        self._stop_event = threading.Event()

    def run(self) -> None:
        # SIGCONT must reach the main thread, whose handler checks the lock before _create goes on
        # there (furu.fencing); a process-wide signal goes to some thread that does not block it.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCONT})
        while not self._stop_event.wait(self.lock.heartbeat_secs):
            if self.lock.owned():
                os.utime(self.lock.path)
            elif self.on_lost is None:
                return
            else:
                self.on_lost()  # at every beat until the attempt ends and stops this thread

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class FuruArtifactBusy(FuruError):
    """The artifact is being created by a live process, so it cannot be changed now."""


@contextmanager
def idle_artifact(paths: ArtifactPaths, settings: Settings | None = None, *, label: str | None = None) -> Iterator[ArtifactLock]:
    """Hold the artifact's lock, taking over a dead holder; FuruArtifactBusy if a live one has it.

    When not even an empty lock claim fits (no free inode), nobody can take
    any lock on this filesystem, so nobody is creating the artifact unless
    its lock is already there: then the block runs without the lock.
    """
    settings = settings or current()
    label = label or shown_path(paths.root_str)
    lock = ArtifactLock(paths.lock, lease_secs=settings.lease_secs, heartbeat_secs=settings.effective_heartbeat_secs)
    try:
        busy = lock.acquire_unless_busy()
    except OSError as error:
        if error.errno in DISK_FULL and not os.path.lexists(paths.lock):
            yield lock
            return
        hint = (
            "Free some space on that filesystem (e.g. delete files outside furu-data/) and try again."
            if error.errno in DISK_FULL
            else f"Check that {paths.internal} is a directory you can write to, not on a read-only mount."
        )
        raise FuruError(f"Cannot take the lock of {label} ({paths.lock}): {error.strerror or error}. {hint}") from None
    if busy is not None:
        raise FuruArtifactBusy(
            f"{label} is being created right now (lock {busy.describe()}); "
            "wait for it to finish or stop that process first."
        )
    try:
        yield lock
    finally:
        lock.release()
