"""Fixtures every browser test shares: one Chromium for the session, a folder for screenshots.

Each page test file starts its own ``furu dashboard`` (the demo, or a project
it writes) and opens pages with :func:`tests.dashboard.browsing.new_page`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.dashboard.browsing import CHROMIUM, CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api")
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
