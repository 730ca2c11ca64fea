"""The dashboard's page in a real browser: Debian's Chromium driven by Playwright, against ``furu dashboard --demo``.

Each test saves a screenshot of the page it checked, into ``$FURU_SCREENSHOT_DIR``
(default: ``screenshots/`` under pytest's temporary directory), so a run leaves
a picture of every page.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard, free_port  # noqa: E402
from tests.throwaway import make_project  # noqa: E402

pytestmark = NEEDS_BROWSER


def test_overview_counts_every_status(page: Page, screenshots: Path) -> None:
    page.goto("/")
    for status in ("success", "failed", "running", "queued", "preempted"):
        expect(page.locator(f'[data-testid="overview-status"][data-status="{status}"]')).to_be_visible()
    expect(page.get_by_test_id("overview-running").first).to_be_visible()
    expect(page.get_by_test_id("demo-badge")).to_be_visible()
    page.screenshot(path=screenshots / "overview.png", full_page=True)


def test_the_filter_builder_writes_the_furu_ls_text_and_the_url(page: Page, screenshots: Path) -> None:
    page.goto("/experiments")
    expect(page.get_by_test_id("experiment-row").first).to_be_visible()
    page.get_by_test_id("filter-add").click()
    term = page.get_by_test_id("filter-term").last
    term.get_by_test_id("filter-key").fill("status")
    term.get_by_test_id("filter-key").press("Enter")
    term.get_by_test_id("filter-value").select_option("failed")
    expect(page.get_by_test_id("filter-text")).to_have_value("status=failed")
    expect(page).to_have_url(re.compile(r"filter=status(%3D|=)failed"))
    rows = page.get_by_test_id("experiment-row")
    expect(rows).to_have_count(2)
    assert {rows.nth(i).get_attribute("data-status") for i in range(2)} == {"failed"}
    page.screenshot(path=screenshots / "experiments-filtered.png", full_page=True)
    page.get_by_test_id("filter-text").fill("class=Train lr>0.01")
    page.get_by_test_id("filter-text").press("Enter")
    expect(page.get_by_test_id("filter-term")).to_have_count(2)
    bad = page.get_by_test_id("filter-text")
    bad.fill("lr>>1")
    bad.press("Enter")
    expect(page.get_by_test_id("filter-error")).to_contain_text("'>>' is not an operator")


def test_sorting_by_a_header_goes_into_the_url(page: Page) -> None:
    page.goto("/experiments")
    page.locator('[data-testid="sort-header"][data-sort-key="runtime"]').click()
    expect(page).to_have_url(re.compile(r"sort=-?runtime"))
    expect(page.get_by_test_id("sort-text")).to_contain_text("runtime")
    page.locator('[data-testid="sort-header"][data-sort-key="class"]').click(modifiers=["Shift"])
    expect(page.get_by_test_id("sort-text")).to_contain_text("class")
    expect(page.get_by_test_id("sort-text")).to_contain_text("runtime")


def test_a_link_reproduces_the_view(page: Page) -> None:
    page.goto("/experiments?filter=class%3DEvaluate&columns=split")
    expect(page.get_by_test_id("filter-text")).to_have_value("class=Evaluate")
    expect(page.get_by_test_id("experiment-row")).to_have_count(10)


def test_detail_config_tree_files_and_viewers(page: Page, screenshots: Path) -> None:
    page.goto("/experiments?filter=class%3DDataset")
    page.get_by_test_id("experiment-row").first.click()
    expect(page.get_by_test_id("detail-page")).to_be_visible()
    expect(page.get_by_test_id("config-tree")).to_contain_text("rows")
    page.screenshot(path=screenshots / "detail.png", full_page=True)
    page.get_by_test_id("tab-files").click()
    page.locator('[data-testid="file-item"][data-path="README.md"]').click()
    expect(page.get_by_test_id("file-markdown")).to_contain_text("3 classes")
    page.locator('[data-testid="file-item"][data-path="data.csv"]').click()
    expect(page.get_by_test_id("file-table")).to_contain_text("label")
    page.screenshot(path=screenshots / "detail-files.png", full_page=True)
    page.locator('[data-testid="file-item"][data-path="sample.png"]').click()
    expect(page.locator('[data-testid="file-viewer"][data-viewer="image"]')).to_be_visible()


def test_a_failure_shows_its_traceback(page: Page) -> None:
    page.goto("/experiments?filter=status%3Dfailed")
    page.get_by_test_id("experiment-row").first.click()
    page.get_by_test_id("tab-attempts").click()
    expect(page.get_by_test_id("traceback").first).to_contain_text("FloatingPointError")


def test_the_log_tails_live(page: Page, screenshots: Path) -> None:
    page.goto("/experiments?filter=status%3Drunning")
    page.get_by_test_id("experiment-row").first.click()
    page.get_by_test_id("tab-log").click()
    lines = page.get_by_test_id("log-lines")
    expect(lines).to_contain_text("epoch")
    before = lines.inner_text().count("epoch")
    page.wait_for_function(
        "n => document.querySelector('[data-testid=\"log-lines\"]').innerText.split('epoch').length - 1 > n", arg=before, timeout=10_000
    )
    page.screenshot(path=screenshots / "detail-log.png", full_page=True)


def test_dag_click_highlights_and_lists(page: Page, screenshots: Path) -> None:
    page.goto("/dag")
    node = page.locator('[data-testid="dag-node"][data-fqn="furu.dashboard.demo.Train"]')
    expect(node).to_be_visible()
    node.click()
    expect(page).to_have_url(re.compile(r"focus=furu\.dashboard\.demo\.Train"))
    page.screenshot(path=screenshots / "dag.png", full_page=True)
    node.get_by_test_id("dag-node-list").click()
    expect(page).to_have_url(re.compile(r"/experiments\?.*filter=class"))
    expect(page.get_by_test_id("experiment-row").first).to_be_visible()


def test_actions_tag_name_invalidate_and_delete(page: Page, screenshots: Path) -> None:
    page.goto("/experiments?filter=class%3DEvaluate")
    page.get_by_test_id("experiment-row").first.click()
    detail = page.get_by_test_id("detail-page")
    furu_hash = detail.get_attribute("data-hash")
    page.get_by_test_id("tag-input").fill("checked")
    page.get_by_test_id("tag-add").click()
    expect(page.get_by_test_id("detail-tags")).to_contain_text("checked")
    page.get_by_test_id("name-edit").click()
    page.get_by_test_id("name-input").fill("look here")
    page.get_by_test_id("name-save").click()
    expect(page.get_by_test_id("detail-name")).to_contain_text("look here")
    page.get_by_test_id("invalidate-button").click()
    page.get_by_test_id("invalidate-confirm").click()
    expect(page.get_by_test_id("invalidate-result")).to_be_visible()
    expect(page.get_by_test_id("status-badge").first).to_have_attribute("data-status", "absent")
    page.screenshot(path=screenshots / "detail-actions.png", full_page=True)
    page.keyboard.press("Escape")  # the dialog stays open to show what was invalidated
    page.get_by_test_id("delete-button").click()
    page.get_by_test_id("delete-confirm").click()
    page.get_by_test_id("delete-force").click()  # it is tagged: the server asked for force
    expect(page).to_have_url(re.compile(r"/experiments"))
    assert page.request.get(f"/api/experiments/{furu_hash}").status == 404


def test_invalidate_with_cascade_reaches_everything_downstream(page: Page) -> None:
    rows = page.request.get("/api/experiments", params={"filter": "class=Dataset config.name=cifar-tiny"}).json()["items"]
    page.goto(f"/experiments/{rows[0]['hash']}")
    page.get_by_test_id("invalidate-button").click()
    page.get_by_test_id("invalidate-cascade").click()
    page.get_by_test_id("invalidate-confirm").click()
    expect(page.get_by_test_id("invalidate-result")).to_be_visible()
    downstream = page.request.get("/api/experiments", params={"filter": "data.name=cifar-tiny or model.data.name=cifar-tiny"}).json()
    assert downstream["total"] > 0 and {row["status"] for row in downstream["items"]} <= {"absent"}


def test_dark_mode(page: Page, screenshots: Path) -> None:
    page.goto("/experiments")
    expect(page.get_by_test_id("experiment-row").first).to_be_visible()
    page.get_by_test_id("theme-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    page.screenshot(path=screenshots / "experiments-dark.png", full_page=True)


def test_off_loopback_the_page_needs_the_printed_url(browser: Browser, tmp_path: Path) -> None:
    with dashboard(make_project(tmp_path / "proj"), "--demo", "--host", "0.0.0.0") as running:
        assert running.token is not None
        context = browser.new_context(base_url=running.url)
        page = context.new_page()
        refused = page.goto("/experiments")
        assert refused is not None and refused.status == 401
        page.goto(f"/experiments?token={running.token}")  # kept in a cookie, then the page as usual
        expect(page.get_by_test_id("experiment-row").first).to_be_visible()
        assert "token" not in page.url
        context.close()


def test_read_only_pages_have_no_actions(browser: Browser, tmp_path: Path) -> None:
    with dashboard(make_project(tmp_path / "proj"), "--demo", "--read-only") as running:
        context = browser.new_context(base_url=running.url)
        page = context.new_page()
        page.goto("/experiments?filter=class%3DTrain%20status%3Dsuccess")
        page.get_by_test_id("experiment-row").first.click()
        expect(page.get_by_test_id("detail-page")).to_be_visible()
        expect(page.get_by_test_id("read-only-badge")).to_be_visible()
        for action in ("invalidate-button", "delete-button", "tag-add", "name-edit"):
            expect(page.get_by_test_id(action)).to_have_count(0)
        context.close()


def test_another_site_cannot_change_anything(page: Page, demo: Dashboard, tmp_path: Path) -> None:
    """A page served from another origin fires a same-machine request at the dashboard: refused."""
    (tmp_path / "evil.html").write_text("<html><body>evil</body></html>")
    port = free_port()
    other = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        target = page.request.get("/api/experiments", params={"filter": "class=Dataset"}).json()["items"][0]["hash"]
        page.wait_for_timeout(500)
        page.goto(f"http://127.0.0.1:{port}/evil.html")
        status = page.evaluate(
            """async ([url]) => {
                try { const r = await fetch(url, {method: 'PUT', headers: {'Content-Type': 'application/json'},
                                                  body: JSON.stringify({name: 'pwned'})}); return r.status; }
                catch (e) { return 'blocked'; }
            }""",
            [f"{demo.url}/api/experiments/{target}/name"],
        )
        assert status in ("blocked", 403)
        assert page.request.get(f"{demo.url}/api/experiments/{target}").json()["row"]["name"] != "pwned"
    finally:
        other.terminate()
        other.wait()
