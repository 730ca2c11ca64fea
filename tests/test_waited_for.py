"""A process that waited for another process's result says it loaded it, and who created it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from throwaway import env, furu, make_project

STEPS = '''
import os
import time
from pathlib import Path

import furu


class Slow(furu.Furu[str]):
    def _create(self) -> str:
        Path(os.environ["LAB_READY"]).write_text("")
        time.sleep(2)
        (self.furu_dir / "out.txt").write_text("done")
        return "done"

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()
'''


def test_run_reports_loaded_created_by_the_process_it_waited_for(tmp_path: Path) -> None:
    lab = make_project(tmp_path / "lab", STEPS)
    ready = tmp_path / "ready"
    creator = subprocess.Popen(
        [sys.executable, "-c", "from lab.steps import Slow\nSlow().load_or_create()"], cwd=lab,
        env=env(LAB_READY=str(ready)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline and creator.poll() is None, creator.communicate()
        time.sleep(0.02)
    waited = furu(lab, "run", "lab.steps:Slow", "--json", LAB_READY=str(ready), FURU_POLL_INTERVAL_SECS="0.05")
    creator.communicate(timeout=30)
    [outcome] = json.loads(waited.stdout)
    who = f"{socket.gethostname()}:{creator.pid}"
    assert (outcome["outcome"], outcome["created_by"]) == ("loaded", who)
    assert f"load   lab.steps.Slow {outcome['hash'][:8]} (created by {who})" in waited.stderr
    again = json.loads(furu(lab, "run", "lab.steps:Slow", "--json").stdout)[0]
    assert (again["outcome"], again["created_by"]) == ("loaded", None)  # a plain cache hit
