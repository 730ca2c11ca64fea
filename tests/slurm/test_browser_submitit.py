"""The launch page with ``[tool.furu.executor]``: choose submitit, run a sweep on the real cluster, follow the job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import create, make_project  # noqa: E402

from .test_dashboard_submitit import STEPS, executor_table  # noqa: E402

pytestmark = [*NEEDS_BROWSER, pytest.mark.slurm]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dashboard, str, Path]]:
    folder = tmp_path_factory.mktemp("browser-submitit")
    root = make_project(folder / "proj", STEPS)
    base = create(root, "Train(data=Data(name='base'), lr=0.02)")["Train(data=Data(name='base'), lr=0.02)"]
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + executor_table(folder / "jobs"))
    with dashboard(root) as running:
        yield running, base, folder / "jobs"


@pytest.fixture
def page(browser: Browser, served: tuple[Dashboard, str, Path]) -> Iterator[Page]:  # noqa: F811
    with new_page(browser, served[0].url, height=1000) as opened:
        opened.set_default_timeout(30_000)
        yield opened


def test_a_sweep_submitted_from_the_page_runs_on_the_cluster(page: Page, served: tuple[Dashboard, str, Path], screenshots: Path) -> None:  # noqa: F811
    _, base, jobs = served
    page.goto(f"/launch/{base}")
    expect(page.get_by_test_id("launch-page")).to_have_attribute("data-target", "lab.steps:Train")
    executor = page.get_by_test_id("launch-executor")
    expect(executor).to_have_value("local")  # local stays the default
    expect(page.get_by_test_id("launch-executor-description")).to_have_text("runs here: `furu run` as a subprocess")
    page.locator('[data-testid="launch-input"][data-path="data.name"]').fill("page")
    page.get_by_test_id("launch-sweep").fill("lr=0.3,0.4")
    expect(page.get_by_test_id("launch-count")).to_have_text("2 configs")
    executor.select_option("submitit")
    expect(page.get_by_test_id("launch-executor-description")).to_have_text(
        f"submitit slurm executor (folder {jobs}, timeout_min=60, slurm_partition='debug', cpus_per_task=1): "
        "submits each config as a job, follows the jobs"
    )
    expect(page.get_by_test_id("launch-command")).to_have_text(
        "furu run lab.steps:Train data.name=page --sweep lr=0.3,0.4 --executor submitit --wait"
    )
    page.screenshot(path=screenshots / "launch-submitit.png", full_page=True)
    expect(page.get_by_test_id("launch-run")).to_be_enabled()
    page.get_by_test_id("launch-run").click()

    expect(page).to_have_url(re.compile(r"/jobs\?job="))
    detail = page.get_by_test_id("job-detail")
    expect(detail.get_by_test_id("job-command")).to_contain_text("--executor submitit --wait")
    expect(detail.get_by_test_id("job-state")).to_have_attribute("data-state", "succeeded", timeout=120_000)
    expect(detail.get_by_test_id("job-progress")).to_have_attribute("data-done", "2")
    log = page.get_by_test_id("job-log")
    expect(log).to_contain_text("furu: submit lab.steps.Data")
    expect(log).to_contain_text(re.compile(r"job \d+ \(\w{8} data\.name=page lr=0\.3\): created"))
    expect(log).to_contain_text("| training lr=0.4 on page")
    page.screenshot(path=screenshots / "jobs-submitit.png", full_page=True)

    page.goto("/experiments?filter=class%3DTrain%20data.name%3Dpage&columns=lr&sort=lr")
    rows = page.get_by_test_id("experiment-row")
    expect(rows).to_have_count(2)
    assert {rows.nth(i).get_attribute("data-status") for i in range(2)} == {"success"}
