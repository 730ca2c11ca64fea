"""New from this, sweeps, jobs and reruns in a real browser, against ``furu dashboard --demo``.

A sweep launched from the page creates its artifacts (checked in /experiments by
count and by their lr values), its log streams live on /jobs, and a rerun of one
experiment and of a filtered set invalidate and create them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import make_project  # noqa: E402

pytestmark = NEEDS_BROWSER

FILTERED = "class=Train data.name=cifar-tiny lr<0.005"
"""Two of the demo's trainings: lr 0.001 and 0.003 on cifar-tiny."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with dashboard(make_project(tmp_path_factory.mktemp("browser-launch") / "proj"), "--demo") as running:
        yield running


@pytest.fixture
def page(browser: Browser, demo: Dashboard) -> Iterator[Page]:
    with new_page(browser, demo.url, height=1000) as opened:
        opened.set_default_timeout(30_000)
        yield opened


def open_baseline(page: Page) -> str:
    """The demo's Train named "baseline" (lr=0.003 on mnist-small); its hash."""
    page.goto("/experiments?filter=" + "class%3DTrain%20name%3Dbaseline")
    rows = page.get_by_test_id("experiment-row")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.get_by_test_id("detail-page")).to_be_visible()
    return str(page.get_by_test_id("detail-page").get_attribute("data-hash"))


def field(page: Page, path: str):  # type: ignore[no-untyped-def]
    return page.locator(f'[data-testid="launch-input"][data-path="{path}"]')


def test_a_sweep_launched_from_the_page_creates_its_artifacts(page: Page, screenshots: Path) -> None:
    open_baseline(page)
    page.get_by_test_id("new-from-this").click()
    expect(page.get_by_test_id("launch-page")).to_have_attribute("data-target", "furu.dashboard.demo:Train")
    expect(field(page, "lr")).to_have_value("0.003")  # the base experiment's values fill the form
    expect(field(page, "data.name")).to_have_value("mnist-small")
    expect(page.locator('[data-testid="launch-group"][data-path="data"]')).to_be_visible()
    # a value the class cannot read is an error at its field, from the server, and Run stays off
    field(page, "epochs").fill("two")
    error = page.locator('[data-testid="launch-field-error"][data-path="epochs"]')
    expect(error).to_contain_text("cannot read it as int")
    expect(page.get_by_test_id("launch-run")).to_be_disabled()
    field(page, "epochs").fill("2")
    expect(error).to_have_count(0)
    page.get_by_test_id("launch-sweep").fill("lr=1e-3,3e-4 seed=0,1")
    expect(page.get_by_test_id("launch-count")).to_have_text("4 configs")
    expect(page.locator('[data-testid="launch-field"][data-swept="true"]')).to_have_count(2)  # lr and seed
    expect(page.get_by_test_id("launch-config-row")).to_have_count(4)
    expect(page.get_by_test_id("launch-command")).to_have_text(
        "furu run furu.dashboard.demo:Train epochs=2 --sweep lr=1e-3,3e-4 --sweep seed=0,1"
    )
    expect(page.get_by_test_id("launch-python")).to_contain_text("configs = [")
    expect(page.get_by_test_id("launch-python")).to_contain_text("lr=0.0003")
    page.screenshot(path=screenshots / "launch.png", full_page=True)
    page.get_by_test_id("launch-run").click()

    expect(page).to_have_url(re.compile(r"/jobs\?job="))
    detail = page.get_by_test_id("job-detail")
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(detail.get_by_test_id("job-progress")).to_have_attribute("data-done", "4")
    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("$ furu run furu.dashboard.demo:Train epochs=2 --sweep lr=1e-3,3e-4 --sweep seed=0,1")
    expect(log).to_contain_text("epoch 2/2 loss")
    expect(page.get_by_test_id("job-log-status")).to_have_text("finished: succeeded")
    page.screenshot(path=screenshots / "jobs.png", full_page=True)

    page.goto("/experiments?filter=class%3DTrain%20epochs%3D2&columns=lr,seed&sort=lr,seed")
    rows = page.get_by_test_id("experiment-row")
    expect(rows).to_have_count(4)
    expect(page.get_by_test_id("experiments-count")).to_contain_text("4 of")
    texts = [rows.nth(i).inner_text() for i in range(4)]
    assert [("0.0003" in t, "0.001" in t) for t in texts] == [(True, False), (True, False), (False, True), (False, True)]
    assert {rows.nth(i).get_attribute("data-status") for i in range(4)} == {"success"}


def test_the_log_of_a_running_job_streams_live(page: Page) -> None:
    open_baseline(page)
    page.get_by_test_id("new-from-this").click()
    field(page, "epochs").fill("6")
    field(page, "seconds_per_epoch").fill("0.5")
    expect(page.get_by_test_id("launch-count")).to_have_text("1 config")
    expect(page.get_by_test_id("launch-run")).to_be_enabled()
    page.get_by_test_id("launch-run").click()
    detail = page.get_by_test_id("job-detail")
    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("epoch 1/6", timeout=30_000)
    # seen while it still runs: the lines arrive as they are written
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "running", timeout=5_000)
    expect(log).not_to_contain_text("epoch 6/6")
    expect(log).to_contain_text("epoch 6/6", timeout=30_000)
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "succeeded", timeout=30_000)


def test_rerun_one_experiment_and_a_filtered_set(page: Page, screenshots: Path) -> None:
    open_baseline(page)
    page.get_by_test_id("rerun-button").click()
    dialog = page.get_by_test_id("rerun-dialog")
    expect(dialog.get_by_test_id("rerun-count")).to_have_text("1 of 1 would rerun.")
    expect(dialog.get_by_test_id("rerun-command")).to_contain_text("furu invalidate ")
    expect(dialog.get_by_test_id("rerun-command")).to_contain_text("&& furu run furu.dashboard.demo:Train lr=0.003")
    dialog.get_by_test_id("rerun-confirm").click()
    expect(page).to_have_url(re.compile(r"/jobs\?job="))
    detail = page.get_by_test_id("job-detail")
    expect(detail).to_contain_text("rerun of 1 experiment")
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(detail.get_by_test_id("job-progress")).to_have_attribute("data-done", "1")
    expect(page.get_by_test_id("job-log")).to_contain_text("create furu.dashboard.demo.Train")

    # a filtered set
    page.goto("/experiments?filter=" + FILTERED.replace("=", "%3D").replace(" ", "%20").replace("<", "%3C"))
    rows = page.get_by_test_id("experiment-row")
    expect(rows).to_have_count(2)
    page.get_by_test_id("rerun-filtered-button").click()
    dialog = page.get_by_test_id("rerun-dialog")
    expect(dialog.get_by_test_id("rerun-count")).to_contain_text("2 of 2 would rerun")
    expect(dialog.get_by_test_id("rerun-item")).to_have_count(2)
    expect(dialog.get_by_test_id("rerun-command")).to_contain_text("data.name=cifar-tiny data.rows=120 lr=0.001")
    expect(dialog.get_by_test_id("rerun-command")).to_contain_text("data.name=cifar-tiny data.rows=120 lr=0.003")
    page.screenshot(path=screenshots / "rerun.png", full_page=True)
    dialog.get_by_test_id("rerun-confirm").click()
    detail = page.get_by_test_id("job-detail")
    expect(detail).to_contain_text("rerun of 2 experiments")
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(detail.get_by_test_id("job-progress")).to_have_attribute("data-done", "2")
    expect(page.get_by_test_id("job-row").first).to_contain_text("rerun of 2 experiments")  # the newest first
    page.goto("/experiments?filter=" + FILTERED.replace("=", "%3D").replace(" ", "%20").replace("<", "%3C"))
    expect(page.locator('[data-testid="experiment-row"][data-status="success"]')).to_have_count(2)


def test_read_only_shows_no_launch_or_rerun(browser: Browser, tmp_path: Path) -> None:
    with dashboard(make_project(tmp_path / "proj"), "--demo", "--read-only") as running, new_page(browser, running.url) as page:
        open_baseline(page)
        expect(page.get_by_test_id("read-only-badge")).to_be_visible()
        expect(page.get_by_test_id("new-from-this")).to_have_count(0)
        expect(page.get_by_test_id("rerun-button")).to_have_count(0)
        page.goto("/experiments")
        expect(page.get_by_test_id("experiment-row").first).to_be_visible()
        expect(page.get_by_test_id("rerun-filtered-button")).to_have_count(0)
