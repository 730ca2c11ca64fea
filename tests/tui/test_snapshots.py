"""SVG snapshots of the main screens at 80x24 and 160x48, over the pinned project (same bytes on every machine).

Update them after a deliberate change of the screens with
``pytest tests/tui/test_snapshots.py --snapshot-update``, and look at the
new SVGs (tests/tui/__snapshots__/) before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from furu.tui.app import TYPING_PAUSE_SECS
from tests.tui.driving import app, index_of, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def _steps(*keys: str, at: tuple[str, dict[str, Any]] | None = None) -> Callable[[Pilot[None]], Any]:
    async def before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#filter").cursor_blink = False
        if at is not None:
            pilot.app.experiments.table.cursor = index_of(pilot.app, at[0], **at[1])  # type: ignore[attr-defined]
            await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.pause(TYPING_PAUSE_SECS + 0.1)  # the table follows the filter once typing pauses
        await settle(pilot, extra=0.2)

    return before


def _compare(snap_compare: Any, size: tuple[int, int], before: Callable[[Pilot[None]], Any], **options: Any) -> None:
    assert snap_compare(app(columns=["lr"], **options), terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_experiments(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps(at=("Train", {"lr": 0.01, "data": {"__class__": "tuilab.steps.Data", "name": "mnist", "rows": 100}})))


@pytest.mark.parametrize("size", SIZES)
def test_filter_completing_a_value(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("slash", *"class=Train lr=0.0"))


@pytest.mark.parametrize("size", SIZES)
def test_detail_of_a_failure(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("enter", at=("Train", {"lr": 1.0})))


@pytest.mark.parametrize("size", SIZES)
def test_config_tree(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("enter", "2", at=("Report", {})))


@pytest.mark.parametrize("size", SIZES)
def test_diff(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    async def before(pilot: Pilot[None]) -> None:
        await _steps()(pilot)
        table = pilot.app.experiments.table  # type: ignore[attr-defined]
        for config in ({"lr": 0.001}, {"lr": 0.1}):
            table.cursor = index_of(pilot.app, "Train", **config)  # type: ignore[arg-type]
            await pilot.press("x")
        await pilot.press("d")
        await settle(pilot, extra=0.2)

    _compare(snap_compare, size, before)


@pytest.mark.parametrize("size", SIZES)
def test_class_graph(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("D"))


@pytest.mark.parametrize("size", SIZES)
def test_keys(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("question_mark"))


@pytest.mark.parametrize("size", SIZES)
def test_light_theme(pinned: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    _compare(snap_compare, size, _steps("ctrl+t"))


def test_invalidate_dialog(pinned: Path, snap_compare: Any) -> None:
    _compare(snap_compare, (80, 24), _steps("i", at=("Data", {"name": "mnist"})))
