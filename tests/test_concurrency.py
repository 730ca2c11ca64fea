"""Many processes, one artifact: exactly one _create, waiting, takeover and preemption."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import furu
from conftest import python_env
from examples import Slow, calls
from furu.locking import LockInfo
from furu.state import hostname

FAST = {"FURU_POLL_INTERVAL_SECS": "0.05"}


def start_python(code: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], env=python_env(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


CREATE_SLOW = "from examples import Slow; print(Slow().load_or_create())"


def test_eight_racing_processes_create_exactly_once(furu_tmp_root: Path, calls_file: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    code = f"import os, time\nwhile not os.path.exists({str(go)!r}): time.sleep(0.005)\n{CREATE_SLOW}"
    # The lease is shorter than the work: only the heartbeat keeps the others out.
    env = {**FAST, "FURU_TEST_SLOW_SECS": "1.5", "FURU_LEASE_SECS": "0.5"}
    processes = [start_python(code, env) for _ in range(8)]
    time.sleep(0.5)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, [err for _, err in outputs]
    assert sorted(out.strip() for out, _ in outputs) == ["created"] + ["done"] * 7
    assert len(calls(calls_file)) == 1
    state = Slow().get_state()
    assert [a.status for a in state.attempts] == ["success"]
    waiting = [err for _, err in outputs if "wait   examples.Slow" in err]
    assert len(waiting) >= 1


def test_waiters_say_who_holds_the_lock_and_for_how_long(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = start_python(CREATE_SLOW, {**FAST, "FURU_TEST_SLOW_SECS": "1.5"})
    wait_for(Slow().furu_dir / "started")
    monkeypatch.setenv("FURU_POLL_INTERVAL_SECS", "0.05")
    monkeypatch.setenv("FURU_MAX_WAIT_SECS", "60")
    assert Slow().load_or_create() == "done"
    holder.communicate(timeout=60)
    err = capsys.readouterr().err.splitlines()
    label = f"examples.Slow {Slow().furu_hash[:8]}"
    first_wait = re.fullmatch(
        rf"furu: wait   {label}: lock held by host={hostname()} pid={holder.pid}, last heartbeat (\d+\.\d)s ago; "
        r"waited (\d+\.\d)s, will wait up to (\d+\.\d)s more \(FURU_MAX_WAIT_SECS\)",
        err[0],
    )
    assert first_wait is not None, err[0]
    heartbeat_age, waited, remaining = (float(group) for group in first_wait.groups())
    assert heartbeat_age < 5 and waited < 5  # the heartbeat is fresh; this is the first report
    assert waited + remaining == pytest.approx(60, abs=0.15)  # FURU_MAX_WAIT_SECS=60
    assert err[-1] == f"furu: load   {label} (created by {hostname()}:{holder.pid})"
    assert len(calls(calls_file)) == 1


def test_waiting_gives_up_after_max_wait(furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = Slow()
    lock = slow.furu_dir / ".furu" / "lock"
    lock.parent.mkdir(parents=True)
    write_foreign_lock(lock, age_secs=0)
    monkeypatch.setenv("FURU_POLL_INTERVAL_SECS", "0.05")
    monkeypatch.setenv("FURU_MAX_WAIT_SECS", "0.3")
    started = time.monotonic()
    with pytest.raises(furu.FuruLockTimeout) as raised:
        slow.load_or_create()
    assert 0.3 <= time.monotonic() - started < 5
    message = str(raised.value)
    assert "held by host=gpu-node-7 pid=4242" in message
    assert "FURU_MAX_WAIT_SECS" in message and "FURU_LEASE_SECS" in message


def test_expired_lease_from_another_host_is_taken_over(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FURU_TEST_SLOW_SECS", "0")
    slow = Slow()
    lock = slow.furu_dir / ".furu" / "lock"
    lock.parent.mkdir(parents=True)
    write_foreign_lock(lock, age_secs=200)
    assert slow.load_or_create() == "created"
    err = capsys.readouterr().err
    assert "takeover examples.Slow" in err
    assert "held by host=gpu-node-7 pid=4242" in err
    assert "its lease expired: no heartbeat for 200." in err
    assert len(calls(calls_file)) == 1


def test_holder_killed_with_sigkill_is_taken_over(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = start_python(CREATE_SLOW, {**FAST, "FURU_TEST_SLOW_SECS": "60"})
    wait_for(Slow().furu_dir / "started")
    holder.kill()
    holder.wait()
    assert holder.returncode == -signal.SIGKILL
    monkeypatch.setenv("FURU_TEST_SLOW_SECS", "0")
    monkeypatch.setenv("FURU_POLL_INTERVAL_SECS", "0.05")
    started = time.monotonic()
    assert Slow().load_or_create() == "created"
    assert time.monotonic() - started < 10  # the default lease is 120 s: the dead pid was noticed
    err = capsys.readouterr().err
    assert f"pid {holder.pid} on this host) is no longer running" in err
    attempts = Slow().get_state().attempts
    assert [(a.status, a.pid) for a in attempts] == [("crashed", holder.pid), ("success", os.getpid())]
    assert attempts[0].reason == (
        f"taken over: lock held by host={hostname()} pid={holder.pid}, last heartbeat "
        + attempts[0].reason.split("last heartbeat ")[1].split("s ago")[0]  # type: ignore[union-attr]
        + f"s ago, and its holder (pid {holder.pid} on this host) is no longer running"
    )
    assert len(calls(calls_file)) == 2


@pytest.mark.parametrize(("sig", "reason"), [(signal.SIGTERM, "received SIGTERM"), (signal.SIGINT, "interrupted (SIGINT / KeyboardInterrupt)")])
def test_sigterm_and_sigint_mark_the_attempt_preempted(
    furu_tmp_root: Path, sig: signal.Signals, reason: str
) -> None:
    holder = start_python(CREATE_SLOW, {**FAST, "FURU_TEST_SLOW_SECS": "60"})
    wait_for(Slow().furu_dir / "started")
    holder.send_signal(sig)
    _, err = holder.communicate(timeout=30)
    assert holder.returncode == -sig, err  # the process still dies of the signal
    state = Slow().get_state()
    assert state.result == "incomplete"
    assert [(a.status, a.reason) for a in state.attempts] == [("preempted", reason)]
    assert not (Slow().furu_dir / ".furu" / "lock").exists()


@pytest.mark.parametrize(
    ("env", "lease"),
    [({"FURU_LEASE_SECS": "0.3"}, 0.3), ({"FURU_LEASE_SECS": "60", "FURU_HEARTBEAT_SECS": "0.1"}, 60)],
)
def test_heartbeat_refreshes_the_lock(furu_tmp_root: Path, env: dict[str, str], lease: float) -> None:
    holder = start_python(CREATE_SLOW, {"FURU_TEST_SLOW_SECS": "1.5", **env})
    lock = Slow().furu_dir / ".furu" / "lock"
    wait_for(Slow().furu_dir / "started")
    first = lock.stat().st_mtime
    time.sleep(0.5)
    assert lock.stat().st_mtime > first
    info = LockInfo.model_validate_json(lock.read_bytes())
    assert (info.pid, info.host, info.lease_secs) == (holder.pid, hostname(), lease)
    holder.communicate(timeout=60)
    assert not lock.exists()


def write_foreign_lock(lock: Path, age_secs: float) -> None:
    info = LockInfo(
        token="f" * 32, host="gpu-node-7", pid=4242, pid_started=None, user="someone",
        acquired_at=furu.state.utcnow(), lease_secs=120,
    )
    lock.write_text(info.model_dump_json())
    stamp = time.time() - age_secs
    os.utime(lock, (stamp, stamp))


def test_a_holder_whose_lock_was_taken_over_stops_refreshing_it(furu_tmp_root: Path) -> None:
    import threading

    from furu.locking import ArtifactLock

    path = furu_tmp_root / "lock"
    path.parent.mkdir(parents=True)
    ours = ArtifactLock(path, lease_secs=60, heartbeat_secs=0.05)
    assert ours.try_acquire()
    lost = threading.Event()
    ours.start_heartbeat(on_lost=lost.set)
    path.unlink()  # as a waiter breaking it would
    theirs = ArtifactLock(path, lease_secs=60, heartbeat_secs=0.05)
    assert theirs.try_acquire()
    stamp = time.time() - 100
    os.utime(path, (stamp, stamp))
    assert lost.wait(5)
    time.sleep(0.2)
    assert path.stat().st_mtime == pytest.approx(stamp)  # their lock was not touched by our heartbeat
    assert not ours.owned()
    ours.release()
    assert theirs.owned()  # releasing ours does not remove theirs


@pytest.mark.parametrize("field", ["boot_id", "pid_namespace"])
def test_a_dead_looking_pid_from_another_boot_or_pid_namespace_is_judged_by_the_lease(
    furu_tmp_root: Path, field: str
) -> None:
    from furu.locking import ArtifactLock, boot_id, pid_namespace

    if boot_id() is None or pid_namespace() is None:
        pytest.skip("this system has no /proc boot id or pid namespace")
    path = furu_tmp_root / "lock"
    path.parent.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    same_machine = {"boot_id": boot_id(), "pid_namespace": pid_namespace()}
    info = LockInfo(
        token="f" * 32, host=hostname(), pid=int(dead.stdout), pid_started=None, user="someone",
        acquired_at=furu.state.utcnow(), lease_secs=120, **{**same_machine, field: "elsewhere"},
    )
    path.write_text(info.model_dump_json())
    holder = ArtifactLock(path, lease_secs=120, heartbeat_secs=40).holder()
    assert holder is not None and holder.stale_reason is None and not holder.gone
    path.write_text(info.model_copy(update=same_machine).model_dump_json())
    holder = ArtifactLock(path, lease_secs=120, heartbeat_secs=40).holder()
    assert holder is not None and holder.gone
    assert holder.stale_reason == f"its holder (pid {info.pid} on this host) is no longer running"


def test_a_lock_taken_on_a_full_disk_is_empty_and_known_by_its_inode(
    furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from furu.locking import ArtifactLock

    path = furu_tmp_root / "lock"
    path.parent.mkdir(parents=True)
    ours = ArtifactLock(path, lease_secs=60, heartbeat_secs=20)
    real_write = os.write

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    assert ours.try_acquire()
    monkeypatch.setattr(os, "write", real_write)
    assert path.read_bytes() == b"" and ours.owned()
    assert [p.name for p in path.parent.iterdir()] == ["lock"]  # no claim file left behind
    waiter = ArtifactLock(path, lease_secs=60, heartbeat_secs=20)
    assert not waiter.try_acquire()
    seen = waiter.holder()
    assert seen is not None and seen.info is None and seen.stale_reason is None  # judged by its heartbeat
    path.unlink()
    assert waiter.try_acquire()
    assert not ours.owned()
    ours.release()
    assert waiter.owned()
