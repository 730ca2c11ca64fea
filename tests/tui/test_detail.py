"""The detail of one experiment, its config tree, lineage, files and log, and the live tail."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Log, TabbedContent, Tree

from furu.tui.detail import DetailScreen
from furu.tui.log_view import LogScreen
from tests.tui.driving import app, index_of, records, run, screen_text, settle, until


async def _open(pilot: object, furu_app: object, cls: str, **config: object) -> DetailScreen:
    table = furu_app.experiments.table  # type: ignore[attr-defined]
    table.cursor = index_of(furu_app, cls, **config)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = furu_app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, DetailScreen)
    return screen


def test_enter_opens_the_detail_of_a_failure_with_its_traceback_and_escape_goes_back(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 60)) as pilot:
            await settle(pilot)
            failed = records(furu_app)[index_of(furu_app, "Train", lr=1.0)]
            screen = await _open(pilot, furu_app, "Train", lr=1.0)
            assert screen.furu_hash == failed.hash
            text = screen_text(furu_app)
            assert f"tuilab.steps.Train {failed.hash}  failed" in text
            assert "attempts" in text and "FloatingPointError: loss diverged at epoch 2 (lr=1.0 is too high)" in text
            assert "traceback (attempt 1)" in text and 'raise FloatingPointError(f"loss diverged' in text
            await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments

    run(scenario)


def test_the_summary_shows_provenance_with_the_uncommitted_changes_and_the_python_code(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 80)) as pilot:
            await settle(pilot)
            await _open(pilot, furu_app, "Train", lr=0.1)
            text = screen_text(furu_app)
            assert "branch    main" in text and "(dirty: uncommitted changes)" in text
            assert "uncommitted changes it was made with" in text and "+    epochs: int = 3  # tried 5" in text
            assert "Train(data=Data(name='mnist', rows=100), lr=0.1, epochs=3)" in text and "furu timetravel" in text

    run(scenario)


def test_stale_and_drift_are_said_in_words_in_the_detail(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(140, 40)) as pilot:
            await settle(pilot)
            await _open(pilot, furu_app, "Report")
            text = screen_text(furu_app)
            assert "stale  code changed" in text.splitlines()[0]
            assert "stale: version bumped from '' to '2'" in text
            assert f"code changed since it was made (Report in tuilab/report.py) (furu show {report_hash(furu_app)} --code-diff)" in text

    run(scenario)


def test_number_keys_switch_tabs_and_the_config_tree_opens_a_nested_dependency(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            report = records(furu_app)[index_of(furu_app, "Report")]
            evaluation = report.config["evaluations"][1]
            await _open(pilot, furu_app, "Report")
            await pilot.press("2")
            assert furu_app.screen.query_one(TabbedContent).active == "config"
            tree = furu_app.screen.query_one("#config-tree", Tree)
            labels = [str(node.label) for node in _walk(tree.root)]
            assert "evaluations = [2]" in labels and any(label.startswith("model = tuilab.steps.Train") for label in labels)
            assert "lr = 0.01" in labels and "name = mnist" in labels
            second = next(node for node in _walk(tree.root) if node.data == ("evaluations", "1"))
            tree.focus()
            tree.move_cursor(second)
            await pilot.press("enter")  # two evaluations share a class: the one whose stored config this is
            await settle(pilot)
            opened = furu_app.screen
            assert isinstance(opened, DetailScreen) and opened.report is not None
            assert opened.report.record.config == evaluation
            await pilot.press("2")
            tree = opened.query_one("#config-tree", Tree)
            model = next(node for node in _walk(tree.root) if node.data == ("model",))
            tree.focus()
            tree.move_cursor(model)
            await pilot.press("space")  # folds it
            assert not model.is_expanded
            await pilot.press("enter")
            await settle(pilot)
            assert furu_app.screen.report.record.fqn == "tuilab.steps.Train"  # type: ignore[attr-defined]
            assert furu_app.screen.report.record.config["lr"] == evaluation["model"]["lr"]  # type: ignore[attr-defined]
            for _ in range(3):
                await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments

    run(scenario)


def test_the_lineage_lists_dependencies_and_dependents_and_enter_opens_one(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            train = records(furu_app)[index_of(furu_app, "Train", lr=0.001)]
            await _open(pilot, furu_app, "Train", lr=0.001)
            await pilot.press("3")
            text = screen_text(furu_app)
            assert "depends on" in text and "tuilab.steps.Data" in text and "(declared+loaded)" in text
            assert "depended on by" in text and "tuilab.report.Evaluate" in text
            tree = furu_app.screen.query_one("#lineage-tree", Tree)
            dependent = next(node for node in _walk(tree.root) if isinstance(node.data, str) and "Evaluate" in str(node.label))
            tree.focus()
            tree.move_cursor(dependent)
            await pilot.press("enter")
            await settle(pilot)
            assert furu_app.screen.report.record.config["model"]["lr"] == train.config["lr"]  # type: ignore[attr-defined]

    run(scenario)


def test_files_and_log_tabs(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await _open(pilot, furu_app, "Train", lr=0.01, epochs=3)
            await pilot.press("4")
            assert "metrics.json" in screen_text(furu_app)
            await pilot.press("5")
            assert furu_app.screen.query_one(TabbedContent).active == "log"
            log = furu_app.screen.query_one("#log-lines", Log)
            assert any("epoch 3/3 loss" in line for line in log.lines)

    run(scenario)


def test_l_follows_the_log_live(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            table.cursor = index_of(furu_app, "Train", lr=0.1)
            record = table.current
            assert record is not None
            await pilot.press("l")
            screen = furu_app.screen
            assert isinstance(screen, LogScreen)
            log = screen.query_one(Log)
            await until(pilot, lambda: any("epoch 1/3" in line for line in log.lines), "the log's lines")
            with open(record.paths.log, "a") as out:
                out.write("a line written while it is followed\nand one more")
            await until(pilot, lambda: "a line written while it is followed" in log.lines, "the new line")
            assert "and one more" not in log.lines  # not finished yet
            with open(record.paths.log, "a") as out:
                out.write(" now finished\n")
            await until(pilot, lambda: "and one more now finished" in log.lines, "the finished line")
            await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("l")
            assert isinstance(furu_app.screen, LogScreen)  # from the detail too

    run(scenario)


def report_hash(furu_app: object) -> str:
    return str(furu_app.screen.report.record.short_hash)  # type: ignore[attr-defined]


def _walk(node: object) -> list:  # type: ignore[type-arg]
    found = [node]
    for child in node.children:  # type: ignore[attr-defined]
        found.extend(_walk(child))
    return found
