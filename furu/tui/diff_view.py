"""Two marked experiments side by side, as ``furu diff`` compares them (:func:`furu.diffing.diff_records`).

Each config field that differs, by dotted path through nested dependencies,
with its value on either side and whether it takes part in the hash; ``c``
adds the diff between the two code snapshots, as ``furu diff --code`` does.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from furu.catalog import ArtifactRecord
from furu.diffing import ConfigDiff, diff_records
from furu.errors import FuruError
from furu.humanize import short_value
from furu.refs import resolve_entry
from furu.tui.cells import highlighted
from furu.tui.source import Source


class DiffScreen(Screen[None]):
    """How ``a`` and ``b`` differ."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back"),
        Binding("c", "code", "Code diff"),
    ]
    DEFAULT_CSS = """
    DiffScreen #diff-heading { height: auto; padding: 0 1; background: $boost; }
    DiffScreen VerticalScroll > Static { padding: 0 1; }
    """

    def __init__(self, source: Source, a: ArtifactRecord, b: ArtifactRecord) -> None:
        super().__init__()
        self.source, self.a, self.b = source, a, b
        self.result: ConfigDiff | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("a ", "bold"), self.a.label, ("   b ", "bold"), self.b.label), id="diff-heading")
        with VerticalScroll():
            yield Static(Text("comparing …", style="italic"), id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.run_worker(lambda: self._compare(code=False), thread=True, exclusive=True, group="diff")

    def action_code(self) -> None:
        self.query_one("#diff", Static).update(Group(self._changes(), Text("\nreading the code snapshots …", style="italic")))
        self.run_worker(lambda: self._compare(code=True), thread=True, exclusive=True, group="diff")

    def action_back(self) -> None:
        self.app.pop_screen()

    def _compare(self, *, code: bool) -> None:
        try:
            with self.source.catalog() as catalog:
                a, b = (catalog.records([resolve_entry(r.hash, catalog)], details=True)[0] for r in (self.a, self.b))
            result = diff_records(a, b, code=code)
        except FuruError as error:
            self.app.call_from_thread(self._show_error, str(error))
            return
        self.app.call_from_thread(self._show, result, code)

    def _show_error(self, error: str) -> None:
        self.query_one("#diff", Static).update(Text(error, style="bold red"))

    def _show(self, result: ConfigDiff, code: bool) -> None:
        self.result = result
        parts: list[RenderableType] = [self._changes()]
        if code:
            if result.code_note:
                parts.append(Text.assemble(("\nNo code diff: ", "yellow"), result.code_note))
            elif not result.code_patch:
                parts.append(Text("\nThe code snapshots are identical."))
            else:
                parts.append(Text("\ncode", style="bold"))
                parts.append(highlighted(result.code_patch, "diff", dark=self.app.current_theme.dark))
        else:
            parts.append(Text("\nc: also the diff between their code snapshots", style="dim"))
        self.query_one("#diff", Static).update(Group(*parts))

    def _changes(self) -> RenderableType:
        result = self.result
        if result is None:
            return Text("comparing …", style="italic")
        if not result.changes:
            return Text("The configs are identical." if result.a.fqn == result.b.fqn else "No field differs.")
        table = Table(box=None, pad_edge=False, header_style="bold", expand=True)
        table.add_column("field", ratio=2)
        table.add_column("a", ratio=3)
        table.add_column("b", ratio=3)
        table.add_column("", no_wrap=True)
        for change in result.changes:
            note = change.kind if change.kind != "changed" else ("not hashed" if change.affects_hash is False else "")
            left = "-" if change.kind == "added" else short_value(change.a, 60)
            right = "-" if change.kind == "removed" else short_value(change.b, 60)
            table.add_row(Text(change.path), Text(left, style="red"), Text(right, style="green"), Text(note, style="dim"))
        return table
