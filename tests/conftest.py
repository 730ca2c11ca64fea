from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from furu.project import clear_project_cache
from furu.settings import clear_settings_cache

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TESTS_DIR = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test another checkout's furu: a failed ``pip install -e .`` here leaves the old install in place."""
    import furu

    here = (TESTS_DIR.parent / "furu").resolve()
    imported = Path(furu.__file__).resolve().parent
    if imported != here:
        raise pytest.UsageError(f"furu is imported from {imported}, not from this checkout ({here}): run pip install -e '.[dev]' here.")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test runs in a fresh project (not this repository), with no FURU_* from the shell."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "scratch"\n')
    monkeypatch.chdir(project)
    for name in list(os.environ):
        if name.startswith("FURU_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FURU_ALLOW_LOCAL_CLASSES", "1")
    clear_settings_cache()
    clear_project_cache()


@pytest.fixture
def calls_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "calls.txt"
    monkeypatch.setenv("FURU_TEST_CALLS", str(path))
    return path


def run_python(code: str, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that can import tests/examples.py."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env=python_env(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def python_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")])
    env.update(extra or {})
    return env


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module, not per session: Playwright's sync API runs an event loop in this thread while it is open,
    and the TUI's tests (``asyncio.run``) cannot start one beside it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.dashboard.browsing import CHROMIUM, CHROMIUM_ARGS

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$FURU_SCREENSHOT_DIR``, else ``screenshots/`` under pytest's temporary directory."""
    folder = Path(os.environ.get("FURU_SCREENSHOT_DIR") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
