"""A holder frozen past its lease, then resumed, never finishes as a second creator (real processes).

The frozen process is stopped with SIGSTOP while its ``_create`` runs; a
second process takes the lock over once the lease has run out and creates
the artifact; then the first is resumed with SIGCONT. It must stop at once
with FuruLockLost, write none of the artifact's records, and leave both
attempts in the state. The taker starts from a directory without the frozen
attempt's partial files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from throwaway import env, make_project, python

STEPS = '''
import os
import threading
import time
from pathlib import Path

import furu


def _work(obj) -> str:
    me = str(os.getpid())
    (obj.furu_dir / f"partial-{me}.txt").write_text(me)
    progress = obj.checkpoint_dir / "progress.txt"
    previous = progress.read_text() if progress.exists() else "nothing"
    progress.write_text(me)
    ready = os.environ.get("LAB_READY")
    if ready:
        Path(ready).write_text(me)
    time.sleep(float(os.environ.get("LAB_SECS", "0")))  # resumed past its end, it returns at once
    (obj.furu_dir / "result.txt").write_text(me + " resumed from " + previous)
    return me


class Step(furu.Furu[str]):
    def _create(self) -> str:
        return _work(self)

    def _load(self) -> str:
        return (self.furu_dir / "result.txt").read_text()


class Threaded(furu.Furu[str]):
    """Runs its work in a worker thread, where no signal can reach it."""

    def _create(self) -> str:
        out: list[str] = []
        worker = threading.Thread(target=lambda: out.append(_work(self)))
        worker.start()
        worker.join()
        return out[0]

    def _load(self) -> str:
        return (self.furu_dir / "result.txt").read_text()


class BadLoad(furu.Furu[str]):
    def _create(self) -> str:
        (self.furu_dir / "result.txt").write_text("x")
        return "x"

    def _load(self) -> str:
        raise ValueError("cannot parse result.txt")
'''

LEASE = {"FURU_LEASE_SECS": "1", "FURU_HEARTBEAT_SECS": "0.2", "FURU_POLL_INTERVAL_SECS": "0.05"}


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / "lab", STEPS)


def start(lab: Path, code: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=lab, env=env(**LEASE, **extra),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the process exited first:\n{process.communicate()[1]}")
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def only_dir(root: Path, cls: str) -> Path:
    [found] = (root / "data" / "lab" / "steps" / cls).iterdir()
    return found


def events(artifact: Path) -> list[dict]:
    return [json.loads(line) for line in (artifact / ".furu" / "events.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("cls", ["Step", "Threaded"])
def test_a_resumed_holder_stops_and_writes_nothing(lab: Path, tmp_path: Path, cls: str) -> None:
    ready = tmp_path / "ready"
    frozen = start(lab, f"from lab.steps import {cls}\nprint({cls}().load_or_create())", LAB_SECS="2", LAB_READY=str(ready))
    wait_for(ready, frozen)
    os.kill(frozen.pid, signal.SIGSTOP)
    try:
        time.sleep(2.2)  # past the lease, and past the end of the frozen holder's sleep
        taker = python(lab, f"from lab.steps import {cls}\nprint({cls}().load_or_create())", **LEASE)
        assert taker.returncode == 0, taker.stderr
        assert "takeover" in taker.stderr and "its lease expired" in taker.stderr
        artifact = only_dir(lab / "furu-data", cls)
        taker_pid = taker.stdout.strip()
        # The taker started from a directory without the frozen attempt's partial file; its checkpoint stayed.
        assert sorted(p.name for p in artifact.iterdir()) == [".furu", f"partial-{taker_pid}.txt", "result.txt"]
        assert (artifact / "result.txt").read_text() == f"{taker_pid} resumed from {frozen.pid}"
        state = json.loads((artifact / ".furu" / "state.json").read_text())
        frozen_attempt = state["attempts"][0]
        assert (artifact / ".furu" / "leftovers" / frozen_attempt["id"] / f"partial-{frozen.pid}.txt").exists()
        records = {name: (artifact / ".furu" / name).read_bytes() for name in ("state.json", "metadata.json", "success.json", "config.json")}
    finally:
        os.kill(frozen.pid, signal.SIGCONT)
    resumed = time.monotonic()
    _, stderr = frozen.communicate(timeout=30)
    assert time.monotonic() - resumed < 10, "the resumed holder was not interrupted"
    assert frozen.returncode == 1
    assert "furu.errors.FuruLockLost" in stderr
    assert f"lost its lock at {artifact}: host=" in stderr and f"pid={taker_pid}" in stderr
    assert "During handling" not in stderr
    # Nothing the resumed process did reached furu's records; the taker's attempt stands.
    assert {name: (artifact / ".furu" / name).read_bytes() for name in records} == records
    if cls == "Step":
        # The main thread is checked on SIGCONT before it runs another line of _create.
        # (A worker thread may run a few more lines first: its next bytecode gets the error.)
        assert (artifact / "result.txt").read_text().startswith(taker_pid)
    state = json.loads(records["state.json"])
    assert [a["status"] for a in state["attempts"]] == ["lost", "success"]
    assert [a["pid"] for a in state["attempts"]] == [frozen.pid, int(taker_pid)]
    assert state["attempts"][0]["reason"].startswith("taken over: lock held by host=")
    assert json.loads(records["success.json"])["attempt_id"] == state["attempts"][1]["id"]
    assert json.loads(records["metadata.json"])["attempt_id"] == state["attempts"][1]["id"]
    lost = [e for e in events(artifact) if e["event"] == "attempt_lost"]
    assert [(e["pid"], e["attempt_id"]) for e in lost] == [(frozen.pid, state["attempts"][0]["id"])]


def test_a_killed_holders_partial_files_are_moved_aside_and_its_checkpoint_kept(lab: Path, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    killed = start(lab, "from lab.steps import Step\nStep().load_or_create()", LAB_SECS="60", LAB_READY=str(ready))
    wait_for(ready, killed)
    killed.kill()
    killed.wait()
    taker = python(lab, "from lab.steps import Step\nprint(Step().load_or_create())", **LEASE)
    assert taker.returncode == 0, taker.stderr
    assert "is no longer running" in taker.stderr
    artifact = only_dir(lab / "furu-data", "Step")
    state = json.loads((artifact / ".furu" / "state.json").read_text())
    assert [a["status"] for a in state["attempts"]] == ["crashed", "success"]
    assert (artifact / "result.txt").read_text() == f"{taker.stdout.strip()} resumed from {killed.pid}"
    assert not (artifact / f"partial-{killed.pid}.txt").exists()
    assert (artifact / ".furu" / "leftovers" / state["attempts"][0]["id"] / f"partial-{killed.pid}.txt").exists()
    assert not (artifact / ".furu" / "checkpoint").exists()  # removed after the success, as always


def test_a_holder_in_another_pid_namespace_is_judged_by_its_lease(lab: Path, tmp_path: Path) -> None:
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "--pid", "--fork", "--mount-proc", "true"], capture_output=True).returncode:
        pytest.skip("cannot create a PID namespace here (unshare --pid needs root or user namespaces)")
    ready = tmp_path / "ready"
    code = "from lab.steps import Step\nStep().load_or_create()"
    holder = subprocess.Popen(
        [unshare, "--pid", "--fork", "--mount-proc", sys.executable, "-c", code], cwd=lab,
        env=env(FURU_LEASE_SECS="30", FURU_HEARTBEAT_SECS="0.2", LAB_SECS="60", LAB_READY=str(ready)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for(ready, holder)
        assert ready.read_text() == "1"  # pid 1 inside; outside, pid 1 is another process
        waiter = python(lab, code, FURU_LEASE_SECS="30", FURU_MAX_WAIT_SECS="1.5", FURU_POLL_INTERVAL_SECS="0.1")
        assert waiter.returncode == 1
        assert "FuruLockTimeout" in waiter.stderr and "pid=1 (another boot or PID namespace)," in waiter.stderr
        assert "takeover" not in waiter.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_failing_load_names_the_artifact(lab: Path) -> None:
    code = "from lab.steps import BadLoad\nBadLoad().load_or_create()\nBadLoad().load_or_create()"
    result = python(lab, code)
    assert result.returncode == 1
    assert "ValueError: cannot parse result.txt" in result.stderr
    [note] = [line for line in result.stderr.splitlines() if line.startswith("furu: while loading")]
    artifact = only_dir(lab / "furu-data", "BadLoad")
    assert note == (
        f"furu: while loading lab.steps.BadLoad {artifact.name[:8]} from {artifact}; `furu show {artifact.name[:8]}` "
        f"inspects it, `furu invalidate {artifact.name[:8]}` recomputes it on the next run"
    )


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("internal_is_a_file", "a file where a directory belongs. To fix: `furu show"),
        ("state_is_a_directory", "not a regular file (a FIFO, a device or a directory). To fix: `furu show"),
    ],
)
def test_load_or_create_on_a_damaged_artifact_says_which_file_and_what_to_do(lab: Path, damage: str, expected: str) -> None:
    failed = python(lab, "from lab.steps import Step\nStep().load_or_create()", FURU_FORCE_RECOMPUTE="lab.steps.Step")
    assert failed.returncode == 0, failed.stderr
    artifact = only_dir(lab / "furu-data", "Step")
    shutil.rmtree(artifact / ".furu")
    if damage == "internal_is_a_file":
        (artifact / ".furu").write_text("not a directory")
        damaged = artifact / ".furu"
    else:
        (artifact / ".furu").mkdir()
        (artifact / ".furu" / "state.json").mkdir()
        damaged = artifact / ".furu" / "state.json"
    result = python(lab, "from lab.steps import Step\nStep().load_or_create()")
    assert result.returncode == 1
    [last] = result.stderr.strip().splitlines()[-1:]
    assert last.startswith(f"furu.errors.FuruError: Cannot create lab.steps.Step {artifact.name[:8]} in {artifact}: {damaged}: ")
    assert expected in last
    assert "During handling" not in result.stderr
