"""``furu tui`` for real: the console script in a tmux pane, driven by keys, the screen read back.

Everything else in tests/tui drives the app in process with Pilot; this one
checks what a user over SSH gets: the command starts, draws rows into a real
terminal, takes keys and quits cleanly (and, without a terminal, says so).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.throwaway import FURU, env, furu

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed: bash scripts/install-test-packages.sh")


@pytest.fixture
def pane(lab: Path) -> Iterator[Callable[..., str]]:
    """A detached 100x30 tmux session running ``furu tui`` in the lab; calling it sends keys and returns the screen."""
    session = f"furu-tui-{uuid.uuid4().hex[:8]}"
    shell_env = env(TERM="xterm-256color", COLUMNS="100", LINES="30")
    shell_env.pop("NO_COLOR", None)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", str(lab), FURU, "tui"],
        env=shell_env, check=True,
    )

    def screen(*keys: str) -> str:
        """Send ``keys``; the screen as it is then ("" once the session ended)."""
        if keys:
            subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout

    screen.alive = lambda: subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode == 0  # type: ignore[attr-defined]
    try:
        yield screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def wait_for(screen: Callable[..., str], text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared on the screen:\n{shown}")


@needs_tmux
def test_furu_tui_in_a_real_terminal(pane: Callable[..., str]) -> None:
    shown = wait_for(pane, "10 of 10 experiments")
    assert "Train" in shown and "failed" in shown and "? keys" in shown
    pane("/status=failed", "Enter")  # at once, as a fast typist: the keys after / go into the filter, not to s or t
    shown = wait_for(pane, "1 of 10 experiments")
    assert "failed" in shown and "success" not in shown.split("experiments")[0]
    pane("Enter")
    shown = wait_for(pane, "traceback")
    assert "FloatingPointError: loss diverged" in shown
    pane("Escape")
    wait_for(pane, "1 of 10 experiments")
    pane("?")
    wait_for(pane, "furu tui: keys")
    pane("Escape")
    time.sleep(0.5)  # escape then q at once reads as alt+q in a terminal
    wait_for(pane, "1 of 10 experiments")
    pane("q")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and pane.alive():  # type: ignore[attr-defined]
        time.sleep(0.2)  # q ends the command, and with it the session
    assert not pane.alive()  # type: ignore[attr-defined]


def test_without_a_terminal_it_says_so_instead_of_drawing_into_a_pipe(lab: Path) -> None:
    result = furu(lab, "tui", code=1)  # stdin and stdout are pipes here
    assert result.stdout == "" and "furu tui draws in a terminal" in result.stderr and "ssh -t" in result.stderr
