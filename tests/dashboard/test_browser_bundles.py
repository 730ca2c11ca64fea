"""Bundles in Chromium: "Export selected" downloads a bundle; the Import page of a second dashboard uploads it,
shows the dry run, applies it, and the artifact is there; a tampered bundle is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.share.test_share_bad_input import index_of, read_members, write_members  # noqa: E402
from tests.throwaway import create, make_project  # noqa: E402

pytestmark = NEEDS_BROWSER


@pytest.fixture(scope="module")
def sender(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dashboard, dict[str, str]]]:
    root = make_project(tmp_path_factory.mktemp("browser-sender") / "proj")
    hashes = create(root, "Model(data=Data(name='shared'))", "Data(name='other')")
    with dashboard(root) as running:
        yield running, hashes


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with dashboard(make_project(tmp_path_factory.mktemp("browser-receiver") / "proj")) as running:
        yield running


def test_export_selected_then_import_into_another_dashboard(
    browser: Browser, sender: tuple[Dashboard, dict[str, str]], receiver: Dashboard, screenshots: Path, tmp_path: Path
) -> None:
    running, hashes = sender
    model = hashes["Model(data=Data(name='shared'))"]
    with new_page(browser, running.url) as page:
        page.goto(f"/experiments?selected={model}")
        expect(page.get_by_test_id("selection-count")).to_have_text("1 selected")
        page.get_by_test_id("export-selected").click()
        dialog = page.get_by_test_id("export-dialog")
        expect(dialog.get_by_test_id("export-command")).to_have_text(f"furu export {model} -o furu-1-artifact.furu.tar")
        with page.expect_download() as download_info:
            dialog.get_by_test_id("export-download").click()
        download = download_info.value
        assert download.suggested_filename == "furu-1-artifact.furu.tar"
        bundle = tmp_path / download.suggested_filename
        download.save_as(bundle)
        expect(dialog.get_by_test_id("export-result")).to_have_text(
            "Downloaded furu-1-artifact.furu.tar (2 artifacts with dependencies)."
        )
    assert bundle.stat().st_size > 0 and read_members(bundle)[0][0].name == "furu-bundle.json"

    with new_page(browser, receiver.url) as page:
        page.goto("/experiments")
        expect(page.get_by_test_id("experiments-empty")).to_be_visible()
        page.get_by_test_id("nav-import").click()
        page.get_by_test_id("import-file").set_input_files(str(bundle))
        report = page.get_by_test_id("import-report")
        expect(report).to_have_attribute("data-dry-run", "true")
        expect(report.get_by_test_id("import-counts")).to_have_text("2 would import, 0 would replace, 0 would skip, 0 would refuse")
        rows = report.get_by_test_id("import-row")
        expect(rows).to_have_count(2)
        assert [rows.nth(i).get_attribute("data-hash") for i in range(2)][1] == model
        expect(page.get_by_test_id("import-copy-dry-run")).to_contain_text("furu import --dry-run furu-1-artifact.furu.tar")
        page.screenshot(path=screenshots / "bundles.png")
        page.get_by_test_id("import-apply").click()
        done = page.get_by_test_id("import-done")
        expect(done.get_by_test_id("import-counts")).to_have_text("2 imported, 0 replaced, 0 skipped, 0 refused")
        done.locator(f'[data-testid="import-row"][data-hash="{model}"] [data-testid="import-row-link"]').click()
        expect(page.get_by_test_id("detail-page")).to_have_attribute("data-hash", model)
        page.get_by_test_id("nav-experiments").click()
        expect(page.get_by_test_id("experiment-row")).to_have_count(2)

        # the same bundle with one file changed is refused whole, with the CLI's sentence
        members = read_members(bundle)
        i = index_of(members, "/model.txt")
        members[i] = (members[i][0], b"something else entirely")
        tampered = write_members(tmp_path / "tampered.furu.tar", members)
        page.get_by_test_id("nav-import").click()
        page.get_by_test_id("import-file").set_input_files(str(tampered))
        expect(page.get_by_test_id("import-error")).to_contain_text("Refused bundle tampered.furu.tar:")
        expect(page.get_by_test_id("import-error")).to_contain_text("Nothing was written.")
        expect(page.get_by_test_id("import-apply")).to_have_count(0)


def test_read_only_dashboards_offer_neither(browser: Browser, tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    hashes = create(root, "Data()")
    with dashboard(root, "--read-only") as running, new_page(browser, running.url) as page:
        page.goto(f"/experiments?selected={hashes['Data()']}")
        expect(page.get_by_test_id("selection-count")).to_have_text("1 selected")
        expect(page.get_by_test_id("export-selected")).to_have_count(0)
        page.goto("/import")
        expect(page.get_by_test_id("import-read-only")).to_be_visible()
        expect(page.get_by_test_id("import-choose")).to_be_disabled()
