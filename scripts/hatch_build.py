"""Build the dashboard's page into the package at install time (``pip install`` and ``pip install -e``).

Runs ``npm ci`` (when ``node_modules`` is missing or older than
``package-lock.json``) and ``npm run build`` in ``frontend/``, which writes
``furu/dashboard/static/``; the wheel then carries it. The built assets are
never committed. Without node and npm the install goes on without the page,
and ``furu dashboard`` says how to build it; set ``FURU_SKIP_FRONTEND=1`` to
skip the build on purpose. A build that fails stops the install: a page that
silently went missing would be worse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

STATIC = "furu/dashboard/static"


class FrontendBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        frontend = root / "frontend"
        if not (frontend / "package.json").is_file() or os.environ.get("FURU_SKIP_FRONTEND"):
            return
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            print("furu: node and npm not found: installing without the dashboard's page "
                  "(install Node.js 20+, then reinstall to build it)", file=sys.stderr)
            return
        modules, lock = frontend / "node_modules", frontend / "package-lock.json"
        if not modules.is_dir() or (lock.is_file() and lock.stat().st_mtime > modules.stat().st_mtime):
            self._run([npm, "ci", "--no-audit", "--no-fund"], frontend)
        self._run([npm, "run", "build"], frontend)
        build_data["artifacts"].append(STATIC)

    @staticmethod
    def _run(command: list[str], cwd: Path) -> None:
        done = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if done.returncode != 0:
            raise RuntimeError(
                f"furu: `{' '.join(command[1:])}` failed in {cwd} (exit {done.returncode}); set FURU_SKIP_FRONTEND=1 "
                f"to install without the dashboard's page.\n{done.stdout[-4000:]}"
            )
