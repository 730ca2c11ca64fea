"""Compare and the keyboard in a real browser: select experiments (checkboxes or `x`), compare them
(`c`), read their config diff, metrics and code diff; drive the experiments table without a mouse.

Against ``furu dashboard --demo`` (a sweep of Train runs with metrics files) and, for the code
diff, a throwaway project whose code changed in a commit between two runs.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import artifact_dir, create, make_project  # noqa: E402

pytestmark = NEEDS_BROWSER

MNIST_SWEEP = "/experiments?filter=" + quote("class=Train status=success data.name=mnist-small") + "&sort=lr&columns=lr"
"""The demo's five successful mnist-small trainings, lr 0.001, 0.003, 0.01, 0.03, 0.1 (in that order)."""


def loss(lr: float) -> float:
    """The demo's Train: the loss after its 5 epochs (and accuracy is 1 - loss / 2)."""
    return round(1.0 / (5 * (1 + lr * 100)), 4)


def rows_shown(page: Page, count: int) -> None:
    expect(page.get_by_test_id("experiment-row")).to_have_count(count)


def check_lr_comparison(page: Page, lrs: list[float]) -> list[str]:
    """The compare page for Train runs of these learning rates: the lr diff, the metrics, the furu diff command."""
    expect(page).to_have_url(re.compile(r"/compare\?hashes="))
    columns = page.get_by_test_id("compare-fields").get_by_test_id("compare-column")
    expect(columns).to_have_count(len(lrs))
    hashes = [columns.nth(i).get_attribute("data-hash") or "" for i in range(len(lrs))]
    fields = page.get_by_test_id("compare-field")
    expect(fields).to_have_count(1)  # only lr differs: same dataset, epochs and seed
    lr = page.locator('[data-testid="compare-field"][data-path="lr"]')
    expect(lr.get_by_test_id("compare-value")).to_have_text([str(v) for v in lrs])
    loss_row = page.locator('[data-testid="compare-metric"][data-name="metrics.loss"]')
    expect(loss_row.get_by_test_id("compare-metric-value")).to_have_text([str(loss(v)) for v in lrs])
    accuracy = page.locator('[data-testid="compare-metric"][data-name="metrics.accuracy"]')
    expect(accuracy.get_by_test_id("compare-metric-value")).to_have_text([str(round(1 - loss(v) / 2, 4)) for v in lrs])
    expect(page.get_by_test_id("compare-command")).to_have_text([f"furu diff {hashes[0][:8]} {h[:8]}" for h in hashes[1:]])
    expect(page.get_by_test_id("compare-status").get_by_test_id("status-badge")).to_have_count(len(lrs))
    snippet = f"from furu.compare import compare_refs\n\nresult = compare_refs({[h[:8] for h in hashes]!r})"
    expect(page.get_by_test_id("compare-python")).to_have_attribute("title", snippet)
    return hashes


def test_select_with_checkboxes_and_compare(page: Page, screenshots: Path, tmp_path: Path) -> None:
    page.goto(MNIST_SWEEP)
    rows = page.get_by_test_id("experiment-row")
    rows_shown(page, 5)
    for index in (0, 2, 4):  # lr 0.001, 0.01, 0.1
        rows.nth(index).get_by_test_id("row-select").click()
    expect(page.get_by_test_id("selection-count")).to_have_text("3 selected")
    selected = [rows.nth(i).get_attribute("data-hash") for i in (0, 2, 4)]
    expect(page).to_have_url(re.compile("selected=" + "(,|%2C)".join(selected)))  # type: ignore[arg-type]
    page.get_by_test_id("selection-compare").click()
    hashes = check_lr_comparison(page, [0.001, 0.01, 0.1])
    assert hashes == selected
    expect(page.get_by_test_id("compare-runtime")).to_be_visible()
    expect(page.get_by_test_id("compare-memory").locator("td").first).to_have_text(re.compile(r"\d+(\.\d)? MiB"))
    expect(page.get_by_test_id("compare-code-same")).to_have_text("The code snapshots are identical.")  # one process made them all
    page.set_viewport_size({"width": 1400, "height": 1050})  # the whole page: it scrolls inside the shell
    page.screenshot(path=screenshots / "compare.png")
    page.get_by_test_id("compare-back").click()
    expect(page.get_by_test_id("selection-count")).to_have_text("3 selected")  # the selection comes back with it


def test_compare_needs_two(page: Page) -> None:
    page.goto(MNIST_SWEEP)
    rows_shown(page, 5)
    page.get_by_test_id("experiment-row").first.get_by_test_id("row-select").click()
    expect(page.get_by_test_id("selection-compare")).to_be_disabled()
    page.goto("/compare")
    expect(page.get_by_test_id("compare-empty")).to_contain_text("Select two or more experiments")
    page.goto("/compare?hashes=ffffffff,eeeeeeee")
    expect(page.get_by_test_id("compare-error")).to_contain_text("No artifact hash starts with 'ffffffff'")


def test_select_with_x_and_compare_with_c(page: Page) -> None:
    page.goto(MNIST_SWEEP)
    rows_shown(page, 5)
    page.keyboard.press("j")  # the first row (lr 0.001)
    page.keyboard.press("x")
    page.keyboard.press("c")
    expect(page.get_by_test_id("keyboard-message")).to_contain_text("Compare needs two or more selected experiments (1 selected)")
    expect(page).to_have_url(re.compile(r"/experiments\?"))
    for _ in range(3):
        page.keyboard.press("j")  # the fourth (lr 0.03)
    page.keyboard.press("x")
    expect(page.get_by_test_id("selection-count")).to_have_text("2 selected")
    page.keyboard.press("c")
    check_lr_comparison(page, [0.001, 0.03])


@pytest.fixture(scope="module")
def git_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dashboard, dict[str, str]]]:
    """Two Models from one commit and a third after a commit that changed the code."""
    root = make_project(tmp_path_factory.mktemp("compare-code") / "proj")

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "T")
    (root / ".gitignore").write_text("furu-data/\n__pycache__/\n")
    git("add", ".")
    git("commit", "-q", "-m", "first")
    hashes = create(root, "Model(data=Data(name='d'))", "Model(data=Data(name='e'))")
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace('text = "model of " +', 'text = "a model of " +'))
    git("commit", "-q", "-am", "second: say a model")
    hashes |= create(root, "Model(data=Data(name='f'))")
    for score, expr in enumerate(hashes):
        (artifact_dir(root / "furu-data", "Model", hashes[expr]) / "scores.json").write_text(json.dumps({"f1": score / 4}))
    with dashboard(root) as running:
        yield running, hashes


def test_the_code_diff_between_two_snapshots(browser: Browser, git_project: tuple[Dashboard, dict[str, str]], screenshots: Path) -> None:
    server, hashes = git_project
    d, e, f = hashes["Model(data=Data(name='d'))"], hashes["Model(data=Data(name='e'))"], hashes["Model(data=Data(name='f'))"]
    with new_page(browser, server.url) as page:
        page.goto(f"/compare?hashes={d},{f}")
        code = page.get_by_test_id("compare-code")
        expect(code.locator('[data-kind="del"]')).to_have_text(['-        text = "model of " + self.data.load_or_create()'])
        expect(code.locator('[data-kind="add"]')).to_have_text(['+        text = "a model of " + self.data.load_or_create()'])
        expect(code.get_by_test_id("compare-code-stat")).to_contain_text("+1 −1 lines from A")
        expect(code.get_by_test_id("compare-code-command")).to_have_text(f"furu diff {d[:8]} {f[:8]} --code")
        values = page.locator('[data-testid="compare-field"][data-path="data.name"]').get_by_test_id("compare-value")
        expect(values).to_have_text(["d", "f"])
        expect(page.locator('[data-testid="compare-metric"][data-name="scores.f1"]').get_by_test_id("compare-metric-value")).to_have_text(["0", "0.5"])
        page.set_viewport_size({"width": 1400, "height": 1300})
        page.screenshot(path=screenshots / "compare-code.png")
        # three: pick which two snapshots to diff; d and e were made from the same commit
        page.goto(f"/compare?hashes={d},{f},{e}")
        expect(page.locator('[data-testid="compare-field"][data-path="data.name"]').get_by_test_id("compare-value")).to_have_text(["d", "f", "e"])
        expect(code.locator('[data-kind="add"]')).to_have_count(1)
        code.get_by_test_id("compare-code-b").select_option(e)
        expect(code.get_by_test_id("compare-code-same")).to_have_text("The code snapshots are identical.")
        expect(page).to_have_url(re.compile(f"code={d}(,|%2C){e}"))
        code.get_by_test_id("compare-code-a").select_option(f)
        expect(code.locator('[data-kind="del"]')).to_have_text(['-        text = "a model of " + self.data.load_or_create()'])


def test_the_keyboard_drives_the_table(browser: Browser, demo: Dashboard, screenshots: Path) -> None:
    with new_page(browser, demo.url, height=560) as page:  # short: the last rows start out of view
        page.goto("/experiments?sort=created")
        rows = page.get_by_test_id("experiment-row")
        expect(rows.first).to_be_visible()
        total = int((page.get_by_test_id("experiments-count").text_content() or "").split()[0])
        assert total >= 20
        cursor = page.locator('[data-testid="experiment-row"][data-cursor="true"]')
        expect(cursor).to_have_count(0)
        page.keyboard.press("j")
        expect(cursor).to_have_attribute("data-index", "0")
        page.keyboard.press("j")
        page.keyboard.press("j")
        expect(cursor).to_have_attribute("data-index", "2")
        page.keyboard.press("k")
        expect(cursor).to_have_attribute("data-index", "1")
        # x selects the focused row, and again unselects it
        page.keyboard.press("x")
        focused_hash = cursor.get_attribute("data-hash")
        expect(cursor).to_have_attribute("data-selected", "true")
        expect(page).to_have_url(re.compile(f"selected={focused_hash}"))
        page.keyboard.press("x")
        expect(page.get_by_test_id("selection-count")).to_have_count(0)
        page.keyboard.press("x")
        # G: the last row, scrolled into view; g: back to the first
        last = page.locator(f'[data-testid="experiment-row"][data-index="{total - 1}"]')
        expect(last).not_to_be_in_viewport()
        page.keyboard.press("G")
        expect(cursor).to_have_attribute("data-index", str(total - 1))
        expect(last).to_be_in_viewport()
        page.keyboard.press("k")
        expect(cursor).to_have_attribute("data-index", str(total - 2))
        page.keyboard.press("g")
        expect(cursor).to_have_attribute("data-index", "0")
        expect(rows.first).to_be_in_viewport()
        # /: the filter; keys typed there are text, Escape leaves it and the keys work again
        page.keyboard.press("/")
        text = page.get_by_test_id("filter-text")
        expect(text).to_be_focused()
        page.keyboard.type("jk")
        expect(text).to_have_value("jk")
        expect(cursor).to_have_attribute("data-index", "0")
        page.keyboard.press("Backspace")
        page.keyboard.press("Backspace")  # left empty: leaving it applies no filter
        page.keyboard.press("Escape")
        expect(text).not_to_be_focused()
        page.keyboard.press("j")
        expect(cursor).to_have_attribute("data-index", "1")
        # ?: every key, listed
        page.keyboard.press("?")
        dialog = page.get_by_test_id("shortcuts-dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_test_id("shortcut")).to_have_count(9)
        expect(dialog.locator('[data-testid="shortcut"][data-action="compare"]')).to_contain_text("c")
        page.keyboard.press("j")  # the dialog has the keys now: the cursor stays
        expect(cursor).to_have_attribute("data-index", "1")
        page.screenshot(path=screenshots / "keyboard.png")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        # enter: the focused row's detail page
        page.keyboard.press("j")
        opened = cursor.get_attribute("data-hash")
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(f"/experiments/{opened}"))
        expect(page.get_by_test_id("detail-page")).to_have_attribute("data-hash", opened or "")


def test_the_shortcuts_are_reachable_without_the_keyboard_too(page: Page) -> None:
    page.goto("/experiments")
    expect(page.get_by_test_id("experiment-row").first).to_be_visible()
    page.get_by_test_id("shortcuts-button").click()
    expect(page.get_by_test_id("shortcuts-dialog")).to_be_visible()
