"""Fixtures the dashboard's tests share: per test module, a real ``furu dashboard`` process
(``browser`` and ``screenshots`` are in tests/conftest.py, for tests/slurm's page test too).

``demo`` and ``page`` serve ``furu dashboard --demo`` (a fresh demo per module,
so one module's launches never change another's counts); ``server`` and ``api``
serve the module's own ``project`` fixture. A module overrides any of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.dashboard.browsing import new_page
from tests.dashboard.server import Dashboard, dashboard
from tests.throwaway import make_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with dashboard(make_project(tmp_path_factory.mktemp("demo") / "proj"), "--demo") as running:
        yield running


@pytest.fixture
def page(browser: Browser, demo: Dashboard) -> Iterator[Page]:
    with new_page(browser, demo.url) as opened:
        yield opened


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Dashboard]:
    with dashboard(project) as running:
        yield running


@pytest.fixture
def api(server: Dashboard) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client
