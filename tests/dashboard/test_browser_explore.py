"""Explore code in Chromium: a project's FuruList with existing and missing items, and a missing one's plan."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import create, make_project  # noqa: E402

pytestmark = NEEDS_BROWSER

SWEEPS = '''
import furu
from lab.steps import Data, Model, Report


class Sweep(furu.FuruList[Report]):
    """Reports on models over three datasets."""
    baseline = Report()
    by_data = {name: Report(model=Model(data=Data(name=name))) for name in ("e", "f")}
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dashboard, dict[str, str]]]:
    root = make_project(tmp_path_factory.mktemp("browser-explore") / "proj")
    (root / "lab" / "sweeps.py").write_text(SWEEPS)
    (root / "lab" / "wip.py").write_text("import not_installed_yet\n")
    hashes = create(root, "Report()", "Model(data=Data(name='e'))")
    with dashboard(root) as running:
        yield running, hashes


def test_explore_lists_existing_and_missing_items_and_the_plan(browser: Browser, server: tuple[Dashboard, dict[str, str]], screenshots: Path) -> None:
    running, hashes = server
    with new_page(browser, running.url, height=1300) as page:
        page.goto("/")
        page.get_by_test_id("nav-explore").click()
        collection = page.locator('[data-testid="explore-collection"][data-fqn="lab.sweeps.Sweep"]')
        expect(collection).to_be_visible()
        expect(collection.get_by_test_id("explore-collection-summary")).to_have_text(
            "1 of 3 exist · running the 2 missing would create 4 artifacts"
        )
        items = collection.get_by_test_id("explore-item")
        expect(items).to_have_count(3)
        assert [(items.nth(i).get_attribute("data-name"), items.nth(i).get_attribute("data-status")) for i in range(3)] == [
            ("baseline", "cached"), ("by_data.e", "missing"), ("by_data.f", "missing"),
        ]
        expect(page.locator('[data-testid="explore-problem"][data-module="lab.wip"]')).to_contain_text(
            "ModuleNotFoundError: No module named 'not_installed_yet'"
        )
        expect(collection.get_by_test_id("explore-snippet")).to_have_text(
            "from lab.sweeps import Sweep\n\nfor exp in Sweep.all():\n    exp.load_or_create()\n"
        )
        # by_data.e needs a Report only: its Model and Data exist
        by_e = items.nth(1)
        expect(by_e.get_by_test_id("explore-item-to-compute")).to_have_text("Report")
        by_e.get_by_test_id("explore-item-toggle").click()
        plan = collection.get_by_test_id("explore-plan")
        nodes = plan.get_by_test_id("explore-plan-node")
        expect(nodes).to_have_count(3)
        assert [(nodes.nth(i).get_attribute("data-fqn"), nodes.nth(i).get_attribute("data-status")) for i in range(3)] == [
            ("lab.steps.Report", "missing"), ("lab.steps.Model", "cached"), ("lab.steps.Data", "cached"),
        ]
        items.nth(2).get_by_test_id("explore-item-toggle").click()
        expect(collection.get_by_test_id("explore-plan")).to_have_count(2)
        classes = page.get_by_test_id("explore-class")
        expect(page.locator('[data-testid="explore-class"][data-fqn="lab.steps.Model"] [data-testid="explore-class-existing"]')).to_have_text("2")
        expect(classes).to_have_count(4)
        expect(page.get_by_test_id("explore-command")).to_contain_text("python -m furu.explore")
        page.screenshot(path=screenshots / "explore.png", full_page=True)
        # an existing item opens its detail page
        items.nth(0).get_by_test_id("explore-item-link").click()
        expect(page.get_by_test_id("detail-page")).to_have_attribute("data-hash", hashes["Report()"])
