"""Marks and the diff of two experiments, and the class-level graph."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Tree

from furu.tui.dag_view import DagScreen
from furu.tui.diff_view import DiffScreen
from tests.tui.driving import app, index_of, notes, records, run, screen_text, settle


def test_x_marks_and_d_diffs_two_marked_with_c_for_the_code(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            await pilot.press("d")
            assert furu_app.screen is furu_app.experiments and "Mark two experiments with x to diff them (0 marked)" in notes(furu_app)
            table.cursor = index_of(furu_app, "Train", lr=0.001)
            await pilot.press("x")
            assert list(table.marked) == [records(furu_app)[index_of(furu_app, "Train", lr=0.001)].hash]
            assert table.cursor == min(index_of(furu_app, "Train", lr=0.001) + 1, table.matched - 1)  # x moves on
            table.cursor = index_of(furu_app, "Train", lr=0.1)
            await pilot.press("x")
            assert "2 marked" in screen_text(furu_app) and screen_text(furu_app).count("●") == 2
            await pilot.press("d")
            await settle(pilot)
            assert isinstance(furu_app.screen, DiffScreen)
            text = screen_text(furu_app)
            assert "lr" in text and "0.001" in text and "0.1" in text and "data.name" not in text
            await pilot.press("c")
            await settle(pilot)
            assert "The code snapshots are identical." in screen_text(furu_app)  # made from the same tree
            await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments
            table.cursor = index_of(furu_app, "Train", lr=0.1)
            await pilot.press("x")  # unmarks
            assert len(table.marked) == 1

    run(scenario)


def test_a_diff_across_classes_and_datasets_goes_through_nested_configs(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            cifar = {"__class__": "tuilab.steps.Data", "name": "cifar", "rows": 60}
            table.cursor = index_of(furu_app, "Train", data=cifar)
            await pilot.press("x")
            table.cursor = index_of(furu_app, "Train", lr=0.001)
            await pilot.press("x", "d")
            await settle(pilot)
            lines = screen_text(furu_app).splitlines()
            assert any("data.name" in line and "cifar" in line and "mnist" in line for line in lines)
            assert any("data.rows" in line and "60" in line and "100" in line for line in lines)

    run(scenario)


def test_D_shows_the_class_graph_and_enter_filters_the_table_to_a_class(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("D")
            await settle(pilot)
            assert isinstance(furu_app.screen, DagScreen)
            tree = furu_app.screen.query_one(Tree)
            labels = [str(node.label) for node in _walk(tree.root)]
            assert labels[0] == "4 classes, 10 experiments"
            assert labels[1].startswith("Report  tuilab.report  1 experiment")
            assert labels[2].startswith("Evaluate  tuilab.report  2 experiments  (1 result of the one above records it)")
            assert labels[3].startswith("Train  tuilab.steps  5 experiments  (2 results of the one above record it)")
            assert labels[4].startswith("Data  tuilab.steps  2 experiments  (5 results of the one above record it)")
            train = next(node for node in _walk(tree.root) if node.data == "tuilab.steps.Train")
            tree.move_cursor(train)
            await pilot.press("enter")
            await settle(pilot)
            assert furu_app.screen is furu_app.experiments
            assert furu_app.experiments.table.matched == 5 and furu_app.experiments.filter_bar.input.value == "class=tuilab.steps.Train"
            await pilot.press("D")
            await settle(pilot)
            await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments and furu_app.experiments.table.matched == 5

    run(scenario)


def _walk(node: object) -> list:  # type: ignore[type-arg]
    found = [node]
    for child in node.children:  # type: ignore[attr-defined]
        found.extend(_walk(child))
    return found
