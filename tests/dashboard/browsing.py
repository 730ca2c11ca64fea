"""What a browser test needs besides fixtures: Debian's Chromium, the skip marks, a fresh page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from furu.dashboard.app import STATIC_DIR

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

NEEDS_BROWSER = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed: bash scripts/install-test-packages.sh"),
    pytest.mark.skipif(not (STATIC_DIR / "index.html").is_file(), reason="the page is not built (npm ci && npm run build in frontend/)"),
]


@contextmanager
def new_page(browser: Browser, url: str, width: int = 1400, height: int = 900) -> Iterator[Page]:
    """A page in its own context (no shared storage), 15 s default timeout, closed afterwards."""
    context = browser.new_context(base_url=url, viewport={"width": width, "height": height})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()
