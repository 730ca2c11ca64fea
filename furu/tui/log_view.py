"""An experiment's log (``.furu/furu.log``), followed live as ``furu logs -f`` does.

The last lines first, then what is written after them, read by
:func:`furu.report.read_log` from the offset the previous read ended at, in a
worker thread every half second while the screen is open.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Log, Static
from textual.worker import get_current_worker

from furu.catalog import ArtifactRecord
from furu.report import read_log
from furu.tui.cells import shown_path

POLL_SECS = 0.5
FIRST_LINES = 500


class LogScreen(Screen[None]):
    """The log of ``record``, with new lines as they come."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back"),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Bottom (follow)"),
    ]
    DEFAULT_CSS = """
    LogScreen #log-heading { height: 1; padding: 0 1; background: $boost; }
    LogScreen Log { background: $surface; }
    """

    def __init__(self, record: ArtifactRecord) -> None:
        super().__init__()
        self.record = record
        self.lines_read = 0

    def compose(self) -> ComposeResult:
        yield Static(self._heading("reading"), id="log-heading")
        yield Log(id="log", highlight=False, auto_scroll=True)
        yield Footer()

    def _heading(self, state: str) -> Text:
        return Text.assemble(("log ", "bold"), self.record.label, "  ", (shown_path(str(self.record.paths.log)), "dim"), f"  {state}")

    def on_mount(self) -> None:
        self.run_worker(self._follow, thread=True, group="log", exclusive=True)

    def _follow(self) -> None:
        """In a worker thread until the screen goes: the end of the log, then each new whole line."""
        worker = get_current_worker()
        path = self.record.paths.log
        try:
            chunk = read_log(path, lines=FIRST_LINES)
        except OSError as error:
            self.app.call_from_thread(self._say, f"cannot be read: {error.strerror or error}")
            return
        self.app.call_from_thread(self._add, chunk.lines, False, "following" if path.exists() else "no log yet; waiting")
        offset = chunk.offset
        while not worker.is_cancelled:
            time.sleep(POLL_SECS)
            try:
                chunk = read_log(path, offset=offset)
            except OSError as error:
                self.app.call_from_thread(self._say, f"cannot be read: {error.strerror or error}")
                return
            if chunk.lines or chunk.restarted:
                self.app.call_from_thread(self._add, chunk.lines, chunk.restarted, "following")
            offset = chunk.offset

    def _add(self, lines: list[str], restarted: bool, state: str) -> None:
        if not self.is_mounted:
            return  # left while the lines were on their way
        log = self.query_one(Log)
        if restarted:
            log.clear()
            self.lines_read = 0
        if lines:
            log.write_lines(lines)
            self.lines_read += len(lines)
        self._say(state)

    def _say(self, state: str) -> None:
        if not self.is_mounted:
            return
        self.query_one("#log-heading", Static).update(self._heading(f"{state} · {self.lines_read} lines"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_top(self) -> None:
        log = self.query_one(Log)
        log.auto_scroll = False
        log.scroll_home(animate=False)

    def action_bottom(self) -> None:
        log = self.query_one(Log)
        log.auto_scroll = True
        log.scroll_end(animate=False)
