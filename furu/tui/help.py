"""Every key of ``furu tui``, in one table: the help screen (``?``) shows it and docs/tui.md lists the same.

The keys are fixed (users and tests rely on them); a screen's bindings say
where each one works, this table says what it does in words.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from furu.tui.cells import WIDE

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Experiments table", (
        ("/", "filter in the furu ls language (tab or → completes; enter applies; escape puts the last one back)"),
        ("s / S", "next sort key / reverse the sort (or click a column's header)"),
        ("r", "read the catalog and the code again (artifacts that change show by themselves; code edits on r)"),
        ("j k ↑ ↓", "move; pageup pagedown a screen"),
        ("g G", "top, bottom (home, end)"),
        ("enter", "open the experiment's detail (or double-click)"),
        ("l", "its log, followed live"),
        ("x", "mark or unmark the experiment (then d diffs two marked)"),
        ("d", "diff the two marked experiments' configs (the furu diff engine)"),
        ("D", "the class-level graph: which classes' results depend on which"),
    )),
    ("Actions (on the row under the cursor, or the experiment shown)", (
        ("i", "invalidate it (asks; cascade to everything downstream is a choice)"),
        ("delete", "remove it from disk (asks; tagged or version-controlled ones need force)"),
        ("t", "set its tags"),
        ("n", "set its name"),
        ("T", "show (and copy) the furu timetravel command for it"),
        ("e", "show (and copy) the Python code that rebuilds its config"),
    )),
    ("Detail", (
        ("1 … 5", "summary, config, lineage, files, log (or click a tab)"),
        ("enter", "in the config or lineage tree: open that dependency's detail"),
        ("space", "in the config tree: fold or unfold a node"),
        ("l", "the log, followed live"),
        ("escape", "back"),
    )),
    ("Diff and graph", (
        ("c", "in a diff: also the diff between the two code snapshots"),
        ("enter", "in the class graph: show that class's experiments"),
        ("escape", "back"),
    )),
    ("Anywhere", (
        ("?", "this help"),
        ("ctrl+t", "light or dark theme"),
        ("ctrl+p", "Textual's command palette (themes, keys, screenshots)"),
        ("q", "quit (escape first, in a dialog or the filter)"),
    )),
)  # fmt: skip
"""Every key by where it works: (group, ((key, what it does), ...))."""

MARKS = (
    ("●", "a marked experiment (x)"),
    ("stale", "today's classes no longer rebuild its config to its hash (furu ls stale=true)"),
    ("changed", "its class's code changed since it was made (furu show HASH says how)"),
    ("module", "only its module's other code changed"),
    ("gone", "its class or its file is no longer there"),
    ("! ~", f"narrower than {WIDE} columns, with no note column: stale (!), its code changed (~)"),
)
"""What the table's first and ``note`` columns show."""


def keys_table() -> RenderableType:
    """Every key, a table per group, then what the marks mean."""
    parts: list[RenderableType] = []
    for group, keys in (*KEYS, ("Marks", MARKS)):
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column(style="bold", no_wrap=True, width=8)
        table.add_column(ratio=1)
        for key, what in keys:
            table.add_row(key, what)
        parts.extend([Text(group, style="bold underline"), table, Text("")])
    return Group(*parts[:-1])


class HelpScreen(ModalScreen[None]):
    """Every key, over the screen it was asked from; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $panel; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "furu tui: keys"
            scroll.border_subtitle = "escape closes"
            yield Static(keys_table())
