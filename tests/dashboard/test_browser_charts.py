"""Charts in a real browser (Debian's Chromium) against ``furu dashboard --demo``: each kind, the URL, saving, 100,000 points.

The demo's Train runs write metrics.json, history.jsonl (5 epochs), history.parquet and
steps.csv (10,000 steps); its Evaluate runs per_class.csv (cat, dog, bird).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import make_project  # noqa: E402

pytestmark = NEEDS_BROWSER
TRAIN_RUNS = 10
"""Train successes in the demo: 2 datasets x 6 learning rates, less the 2 that diverge (lr=0.3)."""
TRAIN_ALL = 14
"""Every Train of the demo: the successes, 2 failed, 1 queued, 1 running."""


def drawn(page: Page, kind: str, series: int, points: int) -> None:
    canvas = page.get_by_test_id("chart-canvas")
    expect(canvas).to_have_attribute("data-kind", kind)
    expect(canvas).to_have_attribute("data-series", str(series))
    expect(canvas).to_have_attribute("data-points", str(points))
    expect(canvas).to_have_attribute("data-rendered", "true", timeout=30_000)
    expect(canvas.locator("canvas").first).to_be_visible()


def pick(page: Page, kind: str, file: str, **choices: str) -> None:
    page.get_by_test_id("chart-filter").fill(choices.pop("filter", "class=Train"))
    page.get_by_test_id("chart-filter").press("Enter")
    page.locator(f'[data-testid="chart-kind"][data-kind="{kind}"]').click()
    page.get_by_test_id("chart-file").select_option(file)
    for name, value in choices.items():
        page.get_by_test_id(f"chart-{name}").select_option(value)


def test_scatter_of_accuracy_against_lr_lives_in_the_url(page: Page, screenshots: Path) -> None:
    page.goto("/charts")
    expect(page.get_by_test_id("chart-empty")).to_have_text("Pick a result file.")
    pick(page, "scatter", "metrics.json", x="lr", y="accuracy", group="data.name")
    drawn(page, "scatter", 2, TRAIN_RUNS)
    summary = f"{TRAIN_RUNS} of {TRAIN_ALL} experiments plotted · {TRAIN_RUNS} points"
    expect(page.get_by_test_id("chart-summary")).to_have_text(summary)
    expect(page.get_by_test_id("chart-python")).to_contain_text(
        "chart(ChartDefinition(file='metrics.json', x='lr', y='accuracy', group='data.name', filter='class=Train'))"
    )
    expect(page).to_have_url(re.compile(r"kind=scatter.*"))
    for part in ("file=metrics.json", "x=lr", "y=accuracy", "group=data.name", "filter=class"):
        assert part in page.url
    page.get_by_test_id("chart-skipped").locator("summary").click()
    expect(page.get_by_test_id("chart-skipped")).to_contain_text("(failed): no metrics.json")
    page.screenshot(path=screenshots / "charts-scatter.png", full_page=True)

    page.reload()  # the definition is the URL: a reload (or a link) draws the same chart
    drawn(page, "scatter", 2, TRAIN_RUNS)
    expect(page.get_by_test_id("chart-summary")).to_have_text(summary)
    expect(page.get_by_test_id("chart-x")).to_have_value("lr")
    expect(page.get_by_test_id("chart-file")).to_have_value("metrics.json")


def test_bar_of_accuracy_per_class(page: Page, screenshots: Path) -> None:
    page.goto("/charts?kind=bar&file=per_class.csv&x=class&y=accuracy&group=model.lr&filter=class%3DEvaluate")
    drawn(page, "bar", TRAIN_RUNS, TRAIN_RUNS * 3)
    expect(page.get_by_test_id("chart-summary")).to_have_text(f"{TRAIN_RUNS} of {TRAIN_RUNS} experiments plotted · 30 points")
    page.screenshot(path=screenshots / "charts-bar.png", full_page=True)


def test_parallel_coordinates_of_the_sweep(page: Page, screenshots: Path) -> None:
    page.goto("/charts")
    pick(page, "parallel", "metrics.json", y="accuracy")
    expect(page.get_by_test_id("chart-empty")).to_have_text("Pick the config fields for the axes.")
    page.locator('[data-testid="chart-field"][data-field="lr"]').check()
    page.locator('[data-testid="chart-field"][data-field="data.name"]').check()
    drawn(page, "parallel", TRAIN_RUNS, TRAIN_RUNS)
    expect(page.get_by_test_id("chart-canvas")).to_have_attribute("data-axes", "3")  # lr, data.name, accuracy
    assert "fields=lr%2Cdata.name" in page.url or "fields=lr,data.name" in page.url
    page.screenshot(path=screenshots / "charts-parallel.png", full_page=True)


def test_loss_curves_from_jsonl_overlaid_across_runs(page: Page, screenshots: Path) -> None:
    page.goto("/charts")
    pick(page, "series", "history.jsonl", x="epoch", y="loss", group="lr")
    drawn(page, "series", TRAIN_RUNS, TRAIN_RUNS * 5)
    page.screenshot(path=screenshots / "charts-series.png", full_page=True)


def test_ten_thousand_steps_per_run_overlaid_stay_responsive(page: Page, screenshots: Path) -> None:
    page.goto("/charts?kind=series&file=steps.csv&x=step&y=loss&filter=class%3DTrain%20data.name%3Dmnist-small%20lr%3D0.01")
    drawn(page, "series", 1, 10_000)  # one run's 10,000 steps, every one of them (the cap is 10,000 per series)
    expect(page.get_by_test_id("chart-summary")).to_have_text("1 of 1 experiments plotted · 10,000 points")

    page.goto("/charts?kind=series&file=steps.csv&x=step&y=loss&group=lr&filter=class%3DTrain%20data.name%3Dmnist-small")
    drawn(page, "series", 5, 50_000)
    canvas = page.get_by_test_id("chart-canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the axis tooltip over 50,000 points
    expect(canvas).to_contain_text(re.compile(r"lr=0\.1 · [0-9a-f]{8}\s*[0-9.]+"))
    # the page still draws frames: two animation frames come back (how fast is scripts/bench.py's job)
    frame = page.evaluate("() => new Promise(r => requestAnimationFrame(a => requestAnimationFrame(b => r(b - a))))")
    assert isinstance(frame, int | float) and frame >= 0
    page.screenshot(path=screenshots / "charts.png", full_page=True)


def test_a_saved_chart_is_listed_after_a_reload_and_opens(page: Page, screenshots: Path) -> None:
    page.goto("/charts?kind=line&file=metrics.json&x=lr&y=accuracy&group=data.name&filter=class%3DTrain")
    drawn(page, "line", 2, TRAIN_RUNS)
    expect(page.get_by_test_id("saved-charts-empty")).to_be_visible()
    page.get_by_test_id("chart-title").fill("Accuracy by lr")
    expect(page.get_by_test_id("chart-save-python")).to_contain_text("save_chart(ChartDefinition(kind='line'")
    page.get_by_test_id("chart-save").click()
    expect(page.get_by_test_id("chart-saved")).to_have_text("Saved as accuracy-by-lr.")
    page.goto("/charts")
    saved = page.get_by_test_id("saved-chart")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Accuracy by lr")
    expect(saved).to_contain_text("line of metrics.json")
    page.screenshot(path=screenshots / "charts-saved.png", full_page=True)
    page.goto("/")  # the overview shows the project's charts too, without a delete button
    on_overview = page.get_by_test_id("saved-chart")
    expect(on_overview).to_have_count(1)
    expect(on_overview).to_contain_text("Accuracy by lr")
    expect(on_overview.get_by_test_id("saved-chart-delete")).to_have_count(0)
    on_overview.get_by_test_id("saved-chart-open").click()
    expect(page).to_have_url(re.compile(r"/charts\?.*kind=line"))
    saved = page.get_by_test_id("saved-chart")
    saved.get_by_test_id("saved-chart-open").click()
    drawn(page, "line", 2, TRAIN_RUNS)
    expect(page.get_by_test_id("chart-title")).to_have_value("Accuracy by lr")
    page.get_by_test_id("saved-chart-delete").click()
    expect(page.get_by_test_id("saved-chart")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("saved-charts-empty")).to_be_visible()


def test_chart_selected_from_the_experiments_page(page: Page, demo: Dashboard) -> None:
    with demo.client() as api:
        rows = api.get("/api/experiments", params={"filter": "class=Train status=success data.name=cifar-tiny", "sort": "lr"}).json()["items"]
    chosen = [rows[0]["hash"], rows[1]["hash"]]
    page.goto(f"/experiments?selected={','.join(chosen)}")
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")
    page.get_by_test_id("selection-chart").click()
    expect(page).to_have_url(re.compile(r"/charts\?hashes="))
    expect(page.get_by_test_id("chart-hashes")).to_have_text("2 selected experiments")
    page.locator('[data-testid="chart-kind"][data-kind="scatter"]').click()
    page.get_by_test_id("chart-file").select_option("metrics.json")
    page.get_by_test_id("chart-x").select_option("lr")
    page.get_by_test_id("chart-y").select_option("accuracy")
    drawn(page, "scatter", 1, 2)
    expect(page.get_by_test_id("chart-summary")).to_have_text("2 of 2 experiments plotted · 2 points")


HOSTILE_STEPS = '''
import json

import furu


class Train(furu.Furu[int]):
    data: str = "a"

    def _create(self) -> int:
        (self.furu_dir / "history.jsonl").write_text("".join(json.dumps({"step": s, "loss": 1 / (s + 1)}) + "\\n" for s in range(50)))
        return 1

    def _load(self) -> int:
        return 1
'''


def test_hostile_config_values_are_shown_as_text_never_run(browser: Browser, tmp_path: Path) -> None:
    from tests.throwaway import create

    project = make_project(tmp_path / "proj", HOSTILE_STEPS)
    create(project, "Train(data='<img src=x onerror=\"window.__pwned=1\">')")
    with dashboard(project) as running, new_page(browser, running.url) as page:
        page.goto("/charts?kind=series&file=history.jsonl&x=step&y=loss&group=data&filter=class%3DTrain")
        drawn(page, "series", 1, 50)
        canvas = page.get_by_test_id("chart-canvas")
        box = canvas.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(canvas).to_contain_text('data=<img src=x onerror="window.__pwned=1">')  # the tooltip shows it as text
        assert page.evaluate("() => window.__pwned") is None
        assert canvas.locator("img").count() == 0
