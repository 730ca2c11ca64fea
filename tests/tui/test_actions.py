"""The actions, each confirmed in a dialog and done by the library: invalidate, delete, tag, name, and what to copy."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Checkbox, Input

from furu.annotations import read_annotations
from furu.tui.dialogs import ConfirmDialog, CopyDialog, TextDialog
from furu.tui.help import HelpScreen
from tests.tui.driving import app, index_of, notes, records, run, screen_text, settle
from tests.tui.lab import ARTIFACTS


def test_i_invalidates_after_asking_and_cascade_is_a_choice(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            table.cursor = index_of(furu_app, "Train", lr=0.1)
            await pilot.press("i")
            assert isinstance(furu_app.screen, ConfirmDialog)
            assert "will count as absent" in screen_text(furu_app)
            await pilot.press("escape")  # given up: nothing changes
            await settle(pilot)
            assert records(furu_app)[index_of(furu_app, "Train", lr=0.1)].status == "success"
            await pilot.press("i", "enter")
            await settle(pilot)
            assert records(furu_app)[index_of(furu_app, "Train", lr=0.1)].status == "absent"
            assert "Invalidated tuilab.steps.Train" in notes(furu_app)
            table.cursor = index_of(furu_app, "Train", lr=0.001)
            await pilot.press("i")
            furu_app.screen.query_one(Checkbox).value = True
            await pilot.click("#confirm")
            await settle(pilot)
            statuses = {(r.class_name, (r.config or {}).get("lr")): r.status for r in records(furu_app)}
            assert statuses[("Train", 0.001)] == "absent"
            assert [r.status for r in records(furu_app) if r.class_name in ("Evaluate", "Report")
                    and _depends_on_lr(r, 0.001)] == ["absent", "absent"]  # its evaluation and the report over it

    run(scenario)


def _depends_on_lr(record: object, lr: float) -> bool:
    config = record.config or {}  # type: ignore[attr-defined]
    if "model" in config:
        return bool(config["model"]["lr"] == lr)
    return any(e["model"]["lr"] == lr for e in config.get("evaluations", []))


def test_delete_removes_after_asking_and_a_tagged_one_needs_force(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            table.cursor = index_of(furu_app, "Train", lr=1.0)
            failed = table.current
            assert failed is not None
            await pilot.press("delete")
            assert isinstance(furu_app.screen, ConfirmDialog) and "cannot be undone" in " ".join(screen_text(furu_app).split()).replace("│ ", "")
            await pilot.press("enter")
            await settle(pilot)
            assert not os.path.exists(failed.dir) and table.matched == ARTIFACTS - 1
            table.cursor = index_of(furu_app, "Train", lr=0.01, data={"__class__": "tuilab.steps.Data", "name": "mnist", "rows": 100})
            tagged = table.current
            assert tagged is not None and tagged.tags == ["best", "paper"]
            await pilot.press("delete", "enter")
            await settle(pilot)
            assert os.path.isdir(tagged.dir) and "is tagged best, paper; add --force" in notes(furu_app)
            await pilot.press("delete")
            furu_app.screen.query_one(Checkbox).value = True
            await pilot.press("enter")
            await settle(pilot)
            assert not os.path.exists(tagged.dir) and table.matched == ARTIFACTS - 2

    run(scenario)


def test_t_sets_tags_and_n_sets_the_name(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            table.cursor = index_of(furu_app, "Data", name="cifar")
            data = table.current
            assert data is not None
            await pilot.press("t")
            assert isinstance(furu_app.screen, TextDialog)
            await pilot.press(*"small, images", "enter")
            await settle(pilot)
            assert read_annotations(data.dir).tags == ["images", "small"]
            await pilot.press("n")
            await pilot.press(*"cifar-60", "enter")
            await settle(pilot)
            assert read_annotations(data.dir).name == "cifar-60"
            assert "cifar-60 #images #small" in screen_text(furu_app)
            await pilot.press("t")
            furu_app.screen.query_one(Input).value = "-dash-first"  # the library says which tags are valid
            await pilot.press("enter")
            await settle(pilot)
            assert read_annotations(data.dir).tags == ["images", "small"] and "Refused" in notes(furu_app)
            await pilot.press("n")
            furu_app.screen.query_one(Input).value = ""
            await pilot.press("enter")
            await settle(pilot)
            assert read_annotations(data.dir).name is None

    run(scenario)


def test_T_shows_and_copies_the_timetravel_command_and_e_the_python_code(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            table.cursor = index_of(furu_app, "Train", lr=0.1)
            record = table.current
            assert record is not None
            await pilot.press("T")
            assert isinstance(furu_app.screen, CopyDialog)
            assert furu_app.clipboard == f"furu timetravel {record.hash}"
            assert f"furu timetravel {record.hash}" in screen_text(furu_app) and "Copied to the clipboard" in screen_text(furu_app)
            await pilot.press("escape")
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(furu_app.screen, CopyDialog)
            assert furu_app.clipboard.endswith("Train(data=Data(name='mnist', rows=100), lr=0.1, epochs=3)\n")
            assert "from tuilab.steps import Data, Train" in screen_text(furu_app)

    run(scenario)


def test_read_only_hides_the_keys_that_change_artifacts(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app(read_only=True)
        async with furu_app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            for key in ("i", "delete", "t", "n"):
                await pilot.press(key)
                assert furu_app.screen is furu_app.experiments, key
            text = screen_text(furu_app)
            assert "Invalidate" not in text and "read-only" in text
            await pilot.press("T")
            assert isinstance(furu_app.screen, CopyDialog)  # copying changes nothing

    run(scenario)


def test_question_mark_shows_every_key_and_ctrl_t_switches_light_and_dark(lab: Path) -> None:
    async def scenario() -> None:
        from furu.tui.help import KEYS

        furu_app = app()
        async with furu_app.run_test(size=(120, 60)) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(furu_app.screen, HelpScreen)
            text = screen_text(furu_app)
            for _group, keys in KEYS:
                for key, what in keys:
                    assert key in text and what[:30] in text, key
            await pilot.press("escape")
            assert furu_app.screen is furu_app.experiments
            assert furu_app.current_theme.dark
            await pilot.press("ctrl+t")
            assert furu_app.theme == "textual-light" and not furu_app.current_theme.dark
            await pilot.press("ctrl+t")
            assert furu_app.theme == "textual-dark"

    run(scenario)
