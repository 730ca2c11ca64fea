"""The stale view in Chromium: groups by reason, a plan shown, a migration applied from the page; code drift in the table and the detail.

Each test serves its own stale project (tests.dashboard.stale_lab: results made
before ``Data`` gained a field) and saves a screenshot of what it checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Locator, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.dashboard.stale_lab import SCALE_REASON, stale_project  # noqa: E402
from tests.throwaway import furu  # noqa: E402

pytestmark = NEEDS_BROWSER


@pytest.fixture
def lab(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "proj"
    return root, stale_project(root)


@pytest.fixture
def server(lab: tuple[Path, dict[str, str]]) -> Iterator[Dashboard]:
    with dashboard(lab[0]) as running:
        yield running


@pytest.fixture
def page(browser: Browser, server: Dashboard) -> Iterator[Page]:
    with new_page(browser, server.url) as opened:
        yield opened


def as_shown(sentence: str) -> str:
    """A sentence as the page shows it: its `quoted` parts as code, without the backticks."""
    return sentence.replace("`", "")


def group(page: Page, cls: str) -> Locator:
    return page.locator(f'[data-testid="stale-group"][data-fqn="lab.steps.{cls}"]')


def test_the_stale_view_groups_by_reason_and_shows_the_plan_before_anything(page: Page, lab: tuple[Path, dict[str, str]], screenshots: Path) -> None:
    root, hashes = lab
    page.goto("/")
    page.get_by_test_id("nav-stale").click()
    expect(page.get_by_test_id("stale-group")).to_have_count(3)
    data = group(page, "Data")
    expect(data).to_have_attribute("data-count", "2")
    expect(data.get_by_test_id("stale-reason")).to_have_text([as_shown(SCALE_REASON)])
    expect(data.get_by_test_id("stale-record")).to_have_count(2)
    assert sorted(data.get_by_test_id("stale-record").evaluate_all("els => els.map(e => e.dataset.hash)")) == sorted(
        [hashes["Data:d"], hashes["Data:e"]]
    )
    expect(group(page, "Model").get_by_test_id("stale-follows")).to_contain_text("lab.steps.Data")
    expect(group(page, "Report").get_by_test_id("stale-reason")).to_have_text(
        [as_shown(f"its dependency `model` (lab.steps.Model) changed: its dependency `data` (lab.steps.Data) changed: {SCALE_REASON}")]
    )
    expect(page.get_by_test_id("stale-total")).to_have_text("6 to migrate in 3 groups")
    page.screenshot(path=screenshots / "stale.png", full_page=True)

    data.get_by_test_id("migrate-open").click()
    data.locator('[data-testid="migrate-choice"][data-choice="set"]').click()
    data.get_by_test_id("set-field").fill("scale")
    data.get_by_test_id("set-value").fill("3")
    data.get_by_test_id("plan-show").click()
    steps = data.get_by_test_id("plan-step")
    expect(steps).to_have_count(6)
    expect(data.get_by_test_id("plan-command")).to_have_text("furu migrate class=lab.steps.Data --set scale=3")
    expect(data.get_by_test_id("plan-summary")).to_have_text("Plan: 6 artifacts (alias), 4 of them downstream (cascaded).")
    cli = json.loads(furu(root, "migrate", "class=lab.steps.Data", "--set", "scale=3", "--json").stdout)
    shown = steps.evaluate_all("els => els.map(e => [e.dataset.source, e.dataset.target, e.dataset.state])")
    assert shown == [[s["source"]["hash"], s["target_hash"], "planned"] for s in cli["steps"]]
    expect(data.locator('[data-testid="plan-step"][data-cascaded="false"] [data-testid="plan-change"]')).to_have_text(
        ["field scale added with value 3"] * 2
    )
    expect(data.get_by_test_id("plan-state")).to_have_text(["planned"] * 6)
    page.set_viewport_size({"width": 1400, "height": 1300})  # the page scrolls inside its main area: a taller window shows the whole plan
    data.get_by_test_id("plan-apply").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "migrate-plan.png")
    page.set_viewport_size({"width": 1400, "height": 900})

    data.locator('[data-testid="migrate-choice"][data-choice="one"]').click()  # a change drops the plan shown
    expect(data.get_by_test_id("plan")).to_have_count(0)
    data.get_by_test_id("migrate-one").select_option(hashes["Data:e"])
    data.get_by_test_id("migrate-cascade").click()
    data.get_by_test_id("plan-show").click()
    expect(data.get_by_test_id("plan-step")).to_have_count(1)
    expect(data.get_by_test_id("plan-step")).to_have_attribute("data-source", hashes["Data:e"])
    expect(data.get_by_test_id("plan-command")).to_have_text(f"furu migrate {hashes['Data:e']} --set scale=3 --no-cascade")  # the value stays
    data.get_by_test_id("set-field").fill("nosuch")
    data.get_by_test_id("set-value").fill("1")
    data.get_by_test_id("plan-show").click()
    expect(data.get_by_test_id("plan-error")).to_contain_text("--set nosuch: lab.steps.Data has no field `nosuch`")
    assert len(json.loads(furu(root, "ls", "--json").stdout)) == 6  # planning wrote nothing


def test_a_migration_applied_from_the_page_empties_its_group(page: Page, lab: tuple[Path, dict[str, str]], screenshots: Path) -> None:
    root, hashes = lab
    page.goto("/stale")
    data = group(page, "Data")
    data.get_by_test_id("migrate-open").click()
    data.get_by_test_id("plan-show").click()
    expect(data.get_by_test_id("plan-step")).to_have_count(6)
    cli = json.loads(furu(root, "migrate", "class=lab.steps.Data", "--json").stdout)
    planned = [[s["source"]["hash"], s["target_hash"]] for s in cli["steps"]]
    shown = data.get_by_test_id("plan-step").evaluate_all("els => els.map(e => [e.dataset.source, e.dataset.target])")
    assert shown == planned
    data.get_by_test_id("plan-apply").click()
    dialog = page.get_by_test_id("apply-dialog")
    expect(dialog).to_contain_text("Migrate 6 artifacts?")
    expect(dialog.get_by_test_id("apply-command")).to_have_text("furu migrate class=lab.steps.Data --yes")
    dialog.get_by_test_id("apply-confirm").click()
    applied = page.get_by_test_id("applied")
    expect(applied).to_have_attribute("data-count", "6")
    targets = sorted(target for _source, target in planned)
    assert sorted(applied.get_by_test_id("applied-target").evaluate_all("els => els.map(e => e.dataset.hash)")) == targets
    expect(page.get_by_test_id("stale-group")).to_have_count(0)
    expect(page.get_by_test_id("stale-empty")).to_be_visible()
    expect(page.get_by_test_id("stale-migrated")).to_have_attribute("data-count", "6")
    page.screenshot(path=screenshots / "migrate-applied.png", full_page=True)
    made = {r["hash"]: r for r in json.loads(furu(root, "ls", "--json").stdout)}
    assert sorted(set(made) - set(hashes.values())) == targets

    page.goto("/experiments?stale=true")
    expect(page.get_by_test_id("experiment-row")).to_have_count(12)
    for target in targets:  # the new results are current; the old ones stay stale (their class no longer reaches them)
        expect(page.locator(f'[data-testid="experiment-row"][data-hash="{target}"] [data-testid="row-mark-stale"]')).to_have_count(0)
    for source in hashes.values():
        expect(page.locator(f'[data-testid="experiment-row"][data-hash="{source}"] [data-testid="row-mark-stale"]')).to_have_count(1)


def test_code_drift_is_flagged_in_the_table_and_the_detail_shows_its_diff(page: Page, lab: tuple[Path, dict[str, str]], screenshots: Path) -> None:
    _root, hashes = lab
    page.goto("/experiments")
    expect(page.get_by_test_id("experiment-row")).to_have_count(6)
    data_row = page.locator(f'[data-testid="experiment-row"][data-hash="{hashes["Data:d"]}"]')
    expect(data_row.get_by_test_id("row-mark-drift")).to_have_attribute("data-kind", "class")
    expect(data_row.get_by_test_id("row-mark-drift")).to_have_text("code changed")
    model_row = page.locator(f'[data-testid="experiment-row"][data-hash="{hashes["Model:d"]}"]')
    expect(model_row.get_by_test_id("row-mark-drift")).to_have_text("module changed")
    page.screenshot(path=screenshots / "drift-table.png")
    data_row.click()
    banner = page.get_by_test_id("drift-banner")
    expect(banner).to_have_attribute("data-kind", "class")
    expect(banner.get_by_test_id("drift-sentence")).to_have_text(
        "Code drift: its class's code changed since it was made (Data in lab/steps.py)."
    )
    expect(banner.get_by_test_id("drift-stale-link")).to_be_visible()  # its config is stale too (Data gained a field)
    diff = banner.get_by_test_id("drift-diff")
    expect(diff.locator('[data-kind="add"]')).to_have_text(["+    scale: int = 1"])
    expect(diff.locator('[data-kind="del"]')).to_have_count(0)
    expect(diff).to_contain_text("+1 −0 lines of lab/steps.py changed since it was made")
    page.screenshot(path=screenshots / "drift.png", full_page=True)
    banner.get_by_test_id("drift-toggle").click()
    expect(banner.get_by_test_id("drift-diff")).to_have_count(0)


def test_read_only_shows_the_groups_and_their_commands_but_no_migration(browser: Browser, lab: tuple[Path, dict[str, str]]) -> None:
    root, _hashes = lab
    with dashboard(root, "--read-only") as running, new_page(browser, running.url) as page:
        page.goto("/stale")
        expect(page.get_by_test_id("stale-group")).to_have_count(3)
        expect(group(page, "Data").get_by_test_id("stale-group-command")).to_have_text("furu migrate class=lab.steps.Data")
        expect(page.get_by_test_id("read-only-badge")).to_be_visible()
        expect(page.get_by_test_id("migrate-open")).to_have_count(0)
        group(page, "Data").get_by_test_id("stale-group-table").click()
        expect(page.get_by_test_id("filter-text")).to_have_value("stale=true class=lab.steps.Data")
        expect(page.get_by_test_id("experiment-row")).to_have_count(2)
        expect(page.get_by_test_id("row-mark-stale")).to_have_count(2)
