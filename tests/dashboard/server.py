"""A real ``furu dashboard`` process over a throwaway project, and an httpx client for it."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.throwaway import FURU, env


@dataclass
class Dashboard:
    url: str
    output: list[str]
    token: str | None

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, **{"timeout": 30, **kwargs})  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def dashboard(project: Path, *args: str) -> Iterator[Dashboard]:
    port = free_port()
    process = subprocess.Popen(
        [FURU, "dashboard", "--no-open", "--port", str(port), *args], cwd=project, env=env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise AssertionError("furu dashboard exited:\n" + "".join(lines))
            lines.append(line)
            if "furu dashboard: http" in line:
                break
        found = re.search(r"token=([\w-]+)", lines[-1])
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):  # uvicorn binds just after the line is printed
            try:
                httpx.get(url + "/api/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield Dashboard(url=url, output=lines, token=found.group(1) if found else None)
    finally:
        process.terminate()
        process.wait(timeout=10)
