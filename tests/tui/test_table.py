"""The experiments table over a real project, driven key by key with Textual's Pilot."""

from __future__ import annotations

import os
from pathlib import Path

from furu.annotations import set_tags
from furu.tui import app as app_module
from furu.tui.filter_input import FilterInput
from furu.tui.source import Source
from furu.tui.vocabulary import Vocabulary
from tests.throwaway import python
from tests.tui.driving import app, index_of, records, run, screen_text, settle, until
from tests.tui.lab import ARTIFACTS


def test_it_opens_on_every_experiment_newest_first_with_the_chosen_config_column(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app(columns=["lr"])
        async with furu_app.run_test(size=(150, 30)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            assert (table.matched, table.total) == (ARTIFACTS, ARTIFACTS)
            shown = [r for r in records(furu_app) if r is not None]
            assert [r.created for r in shown] == sorted((r.created for r in shown), reverse=True)
            text = screen_text(furu_app)
            assert "created ▼" in text and text.splitlines()[1].endswith(" lr") and "10 of 10 experiments · sort created" in text
            assert "baseline #best #paper" in text and "FloatingPointError" not in text
            assert "0.001" in text and "failed" in text

    run(scenario)


def test_stale_and_drifted_results_are_marked_in_words_wide_and_by_a_sign_narrow(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(140, 30)) as pilot:
            await settle(pilot)
            report = records(furu_app)[index_of(furu_app, "Report")]
            assert report.stale is True and report.stale_reasons == ["version bumped from '' to '2'"]
            wide = screen_text(furu_app)
            assert "stale" in wide and "changed" in wide
            await pilot.resize_terminal(80, 24)
            await settle(pilot)
            narrow = screen_text(furu_app).splitlines()
            assert any(line.lstrip().startswith("! ") and "Report" in line for line in narrow)
            assert any(line.lstrip().startswith("~ ") and "Evaluate" in line for line in narrow)

    run(scenario)


def test_j_k_arrows_g_and_G_move_the_cursor(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            assert table.cursor == 0
            await pilot.press("j", "j", "down")
            assert table.cursor == 3
            await pilot.press("k", "up")
            assert table.cursor == 1
            await pilot.press("G")
            assert table.cursor == ARTIFACTS - 1
            await pilot.press("g")
            assert table.cursor == 0
            await pilot.press("end", "k", "home")
            assert table.cursor == 0
            await pilot.press("up")
            assert table.cursor == 0  # never above the first row

    run(scenario)


def test_slash_filters_as_it_is_typed_and_enter_returns_to_the_table(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            assert isinstance(furu_app.focused, FilterInput)
            await pilot.press(*"class=Train")
            await pilot.pause(app_module.TYPING_PAUSE_SECS + 0.1)
            await settle(pilot)
            table = furu_app.experiments.table
            assert table.matched == 5 and isinstance(furu_app.focused, FilterInput)  # the table follows the typing
            await pilot.press(*" lr<0.05", "enter")
            await settle(pilot)
            assert table.matched == 3 and furu_app.focused is table
            assert {r.config["lr"] for r in records(furu_app)} == {0.001, 0.01}
            assert furu_app.experiments.applied == "class=Train lr<0.05"
            assert "3 of 10 experiments" in screen_text(furu_app)
            await pilot.press("slash", "slash")  # the first goes to the filter, the second into it
            assert furu_app.experiments.filter_bar.input.value == "class=Train lr<0.05/"
            await pilot.press("escape")
            await settle(pilot)
            assert furu_app.experiments.filter_bar.input.value == "class=Train lr<0.05" and furu_app.focused is table

    run(scenario)


def test_completion_offers_field_names_then_values_and_tab_takes_the_first(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"sta")
            await settle(pilot)
            bar = furu_app.experiments.filter_bar
            assert "fields: status stale" in screen_text(furu_app)
            await pilot.press("tab")
            assert bar.input.value == "status"
            await pilot.press(*"=fa")
            await settle(pilot)
            assert "status values: failed" in screen_text(furu_app)
            await pilot.press("tab")
            assert bar.input.value == "status=failed"
            await pilot.press(*" lr=0.0")
            await settle(pilot)
            hint = screen_text(furu_app)
            assert "lr values: 0.01 0.001" in hint  # most frequent first, from the catalog
            await pilot.press("right")  # → takes the suggestion too
            assert bar.input.value == "status=failed lr=0.01"
            await pilot.press(*" data.na")
            await settle(pilot)
            await pilot.press("tab", "=")
            await settle(pilot)
            assert "data.name values: mnist cifar" in screen_text(furu_app)

    run(scenario)


def test_class_completes_by_its_short_name_and_a_pattern_by_what_it_contains(lab: Path) -> None:
    vocabulary = Vocabulary(Source(None))
    assert vocabulary.complete("class=Tr").candidates == ["Train"]  # class=Train matches by the last part
    assert vocabulary.complete("class=tuilab.steps.Tr").candidates == ["tuilab.steps.Train"]
    contained = vocabulary.complete("class~rai")
    assert contained.containing and contained.candidates == ["Train", "tuilab.steps.Train"]
    assert contained.suggestion("class~rai") is None  # nothing starts with it: no grey suggestion
    assert vocabulary.complete("class~Zebra").candidates == []


def test_a_bad_filter_shows_the_parsers_words_and_keeps_the_input(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"lr>>1", "enter")
            await settle(pilot)
            text = screen_text(furu_app)
            assert "'>>' is not an operator" in text and "Traceback" not in text
            assert isinstance(furu_app.focused, FilterInput) and furu_app.experiments.table.matched == ARTIFACTS
            await pilot.press(*(["backspace"] * 5), *"nmae=d", "enter")
            await settle(pilot)
            assert "Did you mean 'name'?" in screen_text(furu_app)  # the catalog's refusal, from the worker
            await pilot.press("escape")  # gives the edit up: the filter applied before comes back
            await settle(pilot)
            assert furu_app.focused is furu_app.experiments.table
            assert furu_app.experiments.filter_bar.input.value == "" and furu_app.experiments.table.matched == ARTIFACTS

    run(scenario)


def test_s_cycles_the_sort_key_and_S_reverses_it(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            newest = [r.hash for r in records(furu_app)]
            await pilot.press("s")
            await settle(pilot)
            assert table.listing.sort == "-created" and [r.hash for r in records(furu_app)] == newest[::-1]
            assert "created ▲" in screen_text(furu_app)
            for expected in ("updated", "runtime", "size", "class"):
                await pilot.press("s")
                assert table.listing.sort == expected
            await settle(pilot)
            assert [r.class_name for r in records(furu_app)][:3] == ["Evaluate", "Evaluate", "Report"]  # by fqn: tuilab.report first
            await pilot.press("S")
            await settle(pilot)
            assert table.listing.sort == "-class" and records(furu_app)[0].class_name == "Train"

    run(scenario)


def test_r_reads_the_catalog_again(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            created = python(lab, "from tuilab.steps import Data\nData(name='fresh').load_or_create()")
            assert created.returncode == 0, created.stderr
            assert furu_app.experiments.table.matched == ARTIFACTS  # nothing watches: it waits for r
            await pilot.press("r")
            await settle(pilot)
            assert furu_app.experiments.table.matched == ARTIFACTS + 1
            assert records(furu_app)[0].config["name"] == "fresh"

    run(scenario)


def test_it_refreshes_by_itself_when_the_catalog_changes(lab: Path, monkeypatch: object) -> None:
    async def scenario() -> None:
        furu_app = app(watch=True)
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            first = records(furu_app)[-1]
            set_tags(first.dir, ["watched"])  # what `furu tag` does, from anywhere
            await until(pilot, lambda: records(furu_app)[-1].tags == ["watched"], "the tag to show", timeout=15)
            assert "#watched" in screen_text(furu_app)
            removed = records(furu_app)[0]
            os.rename(removed.dir, removed.dir + ".gone")  # a directory taken away by hand
            await until(pilot, lambda: furu_app.experiments.table.matched == ARTIFACTS - 1, "the row to go", timeout=15)

    run(scenario)


def test_mouse_click_moves_the_cursor_double_click_opens_and_a_header_click_sorts(lab: Path) -> None:
    async def scenario() -> None:
        from furu.tui.detail import DetailScreen

        furu_app = app()
        async with furu_app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            table = furu_app.experiments.table
            await pilot.click(table, offset=(20, 4))
            assert table.cursor == 3
            await pilot.click(table, offset=(5, 0))  # the class header
            await settle(pilot)
            assert table.listing.sort == "class"
            await pilot.click(table, offset=(20, 2), times=2)
            await settle(pilot)
            assert isinstance(furu_app.screen, DetailScreen) and furu_app.screen.furu_hash == records(furu_app)[1].hash

    run(scenario)


def test_q_quits(lab: Path) -> None:
    async def scenario() -> None:
        furu_app = app()
        async with furu_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not furu_app.is_running

    run(scenario)
