"""The detail page's config as a graph in Chromium: one node per config with its own fields, a click opens a dependency."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, Locator, expect  # noqa: E402

from tests.dashboard.browsing import NEEDS_BROWSER, new_page  # noqa: E402
from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import make_project, python  # noqa: E402

pytestmark = NEEDS_BROWSER

STEPS = '''
import furu


class Data(furu.Furu[str]):
    name: str = "mnist"
    rows: int = 1000

    def _create(self) -> str:
        return self.name

    def _load(self) -> str:
        return self.name


class Features(furu.Furu[int]):
    data: Data = Data()
    dims: int = 64

    def _create(self) -> int:
        self.data.load_or_create()
        return self.dims

    def _load(self) -> int:
        return self.dims


class Train(furu.Furu[float]):
    features: Features = Features()
    lr: float = 0.001
    optimizer: dict[str, float] = {"beta1": 0.9, "beta2": 0.999}

    def _create(self) -> float:
        self.features.load_or_create()
        return self.lr

    def _load(self) -> float:
        return self.lr


class Evaluate(furu.Furu[float]):
    model: Train = Train()
    holdout: Data = Data(name="mnist-test", rows=200)
    split: str = "test"

    def _create(self) -> float:
        self.holdout.load_or_create()
        return self.model.load_or_create()

    def _load(self) -> float:
        return 0.0
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Dashboard, dict[str, str]]]:
    root = make_project(tmp_path_factory.mktemp("browser-graph") / "proj", STEPS)
    made = python(root, """
import json
from lab.steps import *
e = Evaluate(model=Train(lr=0.01))
e.load_or_create()
print(json.dumps({"evaluate": e.furu_hash, "data": Data().furu_hash, "holdout": e.holdout.furu_hash}))
""")
    assert made.returncode == 0, made.stderr
    hashes = json.loads(made.stdout.splitlines()[-1])
    with dashboard(root) as running:
        yield running, hashes


def fields(node: Locator) -> list[str]:
    found = node.get_by_test_id("config-graph-field")
    return [found.nth(i).inner_text() for i in range(found.count())]


def test_the_config_graph_shows_each_config_with_its_own_fields(browser: Browser, server: tuple[Dashboard, dict[str, str]], screenshots: Path) -> None:
    running, hashes = server
    with new_page(browser, running.url) as page:
        page.goto(f"/experiments/{hashes['evaluate']}")
        expect(page.get_by_test_id("config-tree")).to_be_visible()
        page.get_by_test_id("config-view-graph").click()
        expect(page.get_by_test_id("config-graph")).to_be_visible()
        nodes = page.get_by_test_id("config-graph-node")
        expect(nodes).to_have_count(5)
        by_path = {nodes.nth(i).get_attribute("data-path") or "": nodes.nth(i) for i in range(5)}
        assert sorted(by_path) == ["", "holdout", "model", "model.features", "model.features.data"]
        assert fields(by_path[""]) == ['split: "test"']
        assert fields(by_path["model"]) == ["lr: 0.01", "optimizer.beta1: 0.9", "optimizer.beta2: 0.999"]
        assert fields(by_path["model.features"]) == ["dims: 64"]
        assert fields(by_path["model.features.data"]) == ['name: "mnist"', "rows: 1000"]
        assert fields(by_path["holdout"]) == ['name: "mnist-test"', "rows: 200"]
        # the deepest dependency's hash is found through the details of the configs above it
        expect(by_path["model.features.data"]).to_have_attribute("data-hash", hashes["data"])
        expect(by_path["holdout"]).to_have_attribute("data-hash", hashes["holdout"])
        expect(page.locator(".react-flow__edge")).to_have_count(4)
        page.screenshot(path=screenshots / "config-graph.png")
        by_path["model.features.data"].click()
        expect(page.get_by_test_id("detail-page")).to_have_attribute("data-hash", hashes["data"])
