"""Shared pieces of the SLURM tests: the pipeline module and small helpers."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable

STEPS = '''
import os, time
import furu

VALUE = "v1"


class Data(furu.Furu[int]):
    n: int = 3

    def _create(self) -> int:
        (self.furu_dir / "n").write_text(str(self.n))
        return self.n

    def _load(self) -> int:
        return int((self.furu_dir / "n").read_text())


class Model(furu.Furu[int]):
    data: Data = Data()
    factor: int = 10

    def _create(self) -> int:
        value = self.data.load_or_create() * self.factor
        (self.furu_dir / "v").write_text(str(value))
        return value

    def _load(self) -> int:
        return int((self.furu_dir / "v").read_text())


class Report(furu.Furu[str]):
    model: Model = Model()

    def _create(self) -> str:
        text = f"{VALUE}:{self.model.load_or_create()}"
        (self.furu_dir / "report").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "report").read_text()


class Sleepy(furu.Furu[str]):
    seconds: float = 60

    def _create(self) -> str:
        (self.furu_dir / "started").write_text(str(os.getpid()))
        time.sleep(self.seconds)
        (self.furu_dir / "out").write_text("slept")
        return "slept"

    def _load(self) -> str:
        return (self.furu_dir / "out").read_text()


class Resumable(furu.Furu[str]):
    steps: int = 12

    def _create(self) -> str:
        progress = self.checkpoint_dir / "progress"
        start = int(progress.read_text()) if progress.exists() else 0
        history = self.checkpoint_dir / "starts"
        history.write_text(history.read_text() + f"{start}\\n" if history.exists() else f"{start}\\n")
        for step in range(start, self.steps):
            time.sleep(1)
            progress.write_text(str(step + 1))
        text = "starts:" + ",".join(history.read_text().split())
        (self.furu_dir / "out").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "out").read_text()


class Broken(furu.Furu[int]):
    def _create(self) -> int:
        raise RuntimeError("the experiment diverged")

    def _load(self) -> int:
        return 0
'''


def cluster_is_up() -> bool:
    if shutil.which("sinfo") is None:
        return False
    result = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True)
    return result.returncode == 0 and any(s.strip(" *~#") in {"idle", "mixed", "allocated"} for s in result.stdout.split())


def wait_until(condition: Callable[[], bool], timeout: float = 90, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
