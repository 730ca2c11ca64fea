"""``furu dashboard`` as a command: what it says when it cannot start."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.dashboard.server import free_port
from tests.throwaway import furu, make_project, python


def test_without_the_extra_it_says_which_one_to_install(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    code = "import sys; sys.modules['fastapi'] = None\nfrom furu.cli import main\nsys.argv = ['furu', 'dashboard', '--no-open']\nmain()"
    done = python(project, code)
    assert done.returncode == 1 and "pip install 'furu[dashboard]'" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_names_another(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        stderr = furu(project, "dashboard", "--no-open", "--port", str(port), code=1).stderr
    assert f"Port {port} on 127.0.0.1 is in use" in stderr and f"--port {port + 1}" in stderr
