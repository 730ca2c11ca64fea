"""The experiments table: a virtual list over the catalog, read a page at a time.

Only the rows on screen are ever rendered and only the pages under them are
read: the table is as tall as the number of matching artifacts, and a row it
has not read yet shows as a dot until its page (``furu.catalog.page`` with a
limit and an offset, in a worker thread) arrives. So it opens on 100,000
artifacts as fast as on ten, and ``G`` reads one page, not every one above it.

A reload (``r``, or the catalog changing on disk) keeps the rows shown until
the new ones arrive, so the screen never flickers empty; a new filter or sort
starts again at the top. Results are checked for staleness after their page
is shown (it imports their classes), and marked when the answer comes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from furu.catalog import ArtifactRecord, page
from furu.catalog.stale import add_staleness
from furu.errors import FuruError
from furu.query import Expression, parse_expression
from furu.tui.cells import LEAD, WIDE, Column, cell, layout, sign
from furu.tui.source import Source

LARGEST_FIRST = ("created", "updated", "runtime", "size", "dependencies")
"""Sort keys whose plain order is largest first (see :func:`furu.query.sort_items`); ``-`` flips it."""
PAGE_ROWS = 200
"""Rows read per query: a few screens' worth, so scrolling asks the catalog rarely."""


@dataclass(frozen=True, slots=True)
class Query:
    """What the table shows: a parsed ``furu ls`` filter and a sort (``-created,lr``)."""

    expression: Expression
    sort: str


class ExperimentTable(ScrollView, can_focus=True):
    """The matching experiments, a row each, with a cursor and marks (``x``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("g,home", "top", "Top", show=False),
        Binding("G,end", "bottom", "Bottom", show=False),
        Binding("enter", "open", "Open"),
        Binding("x", "mark", "Mark"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"table--header", "table--cursor", "table--marked", "table--loading"}
    DEFAULT_CSS = """
    ExperimentTable { background: $surface; overflow-x: hidden; scrollbar-size-vertical: 1; }
    ExperimentTable > .table--header { text-style: bold; color: $text-accent; }
    ExperimentTable > .table--cursor { background: $block-cursor-blurred-background; }
    ExperimentTable:focus > .table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    ExperimentTable > .table--marked { background: $warning 20%; }
    ExperimentTable > .table--loading { color: $text-muted; }
    """

    cursor = reactive(0, always_update=True)

    class Opened(Message):
        """The row under the cursor was opened (enter, or a double click)."""

        def __init__(self, record: ArtifactRecord) -> None:
            super().__init__()
            self.record = record

    class Changed(Message):
        """Rows, counts, the cursor or the marks changed: what the status line says."""

    class Failed(Message):
        """The catalog refused the query (a config field no artifact has, say): its words."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, source: Source, *, config_paths: Sequence[str] = (), sort: str = "created",
                 check_stale: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.config_paths = list(config_paths)
        self.listing = Query(parse_expression(""), sort)
        self.check_stale = check_stale
        self.matched = 0
        """Artifacts matching the filter, as the last page read counted them."""
        self.total = 0
        """Artifacts in the catalog."""
        self.loaded = False
        """A page of the current query has arrived (its first rows are on screen)."""
        self.marked: dict[str, ArtifactRecord] = {}
        """Marked experiments by hash, in the order marked."""
        self._generation = 0
        self._pages: dict[int, list[ArtifactRecord]] = {}
        self._previous: dict[int, list[ArtifactRecord]] = {}
        self._asked: set[int] = set()

    # -- what it shows -----------------------------------------------------------------------

    def set_query(self, query: Query) -> None:
        """Show ``query``'s matches from the top."""
        self.listing = query
        self.loaded = False
        self._restart(keep_rows=False)
        self.cursor = 0
        self.scroll_to(y=0, animate=False)

    def reload(self) -> None:
        """Read the rows again (the catalog changed): those shown stay until the new ones arrive."""
        self._restart(keep_rows=True)

    def _restart(self, *, keep_rows: bool) -> None:
        self._generation += 1
        self._previous = {**self._previous, **self._pages} if keep_rows else {}
        self._pages = {}
        self._asked = set()
        self._want(self._page_of(self.cursor))
        self.refresh()

    @property
    def columns(self) -> list[Column]:
        return layout(self.scrollable_content_region.width or self.size.width, self.config_paths)

    def record_at(self, row: int) -> ArtifactRecord | None:
        """The record of ``row`` if its page has been read (the current query's, else the one shown before)."""
        index, within = divmod(row, PAGE_ROWS)
        rows = self._pages.get(index)
        if rows is None:
            rows = self._previous.get(index)
        return rows[within] if rows is not None and within < len(rows) else None

    @property
    def current(self) -> ArtifactRecord | None:
        return self.record_at(self.cursor) if self.matched else None

    @property
    def loaded_rows(self) -> int:
        return sum(len(rows) for rows in self._pages.values())

    # -- reading pages -----------------------------------------------------------------------

    @staticmethod
    def _page_of(row: int) -> int:
        return max(0, row) // PAGE_ROWS

    def _want(self, index: int) -> None:
        if index in self._pages or index in self._asked:
            return
        self._asked.add(index)
        self.run_worker(partial(self._read_page, index, self._generation, self.listing), thread=True, group="pages")

    def _read_page(self, index: int, generation: int, query: Query) -> None:
        """In a worker thread: one page of the query, handed to the screen's thread."""
        try:
            with self.source.catalog() as catalog:
                found = page(query.expression, sort=query.sort, limit=PAGE_ROWS, offset=index * PAGE_ROWS, sizes=True, catalog=catalog)
        except FuruError as error:
            self.app.call_from_thread(self._refused, generation, str(error))
            return
        self.app.call_from_thread(self._arrived, generation, index, found.records, found.matched, found.total)
        if self.check_stale and found.records:
            with self.source.stale_lock:
                add_staleness(found.records)
            self.app.call_from_thread(self.refresh)

    def _arrived(self, generation: int, index: int, records: list[ArtifactRecord], matched: int, total: int) -> None:
        if generation != self._generation:
            return  # a page of a query no longer shown
        self._pages[index] = records
        self.matched, self.total, self.loaded = matched, total, True
        if index == 0 or not self._previous:
            self._previous = {key: rows for key, rows in self._previous.items() if key * PAGE_ROWS < matched}
        self.virtual_size = Size(self.size.width, matched + 1)
        if self.cursor >= matched:
            self.cursor = max(0, matched - 1)
        self.refresh()
        self.post_message(self.Changed())

    def _refused(self, generation: int, error: str) -> None:
        if generation == self._generation:
            self._asked.clear()
            self.post_message(self.Failed(error))

    # -- moving ------------------------------------------------------------------------------

    @property
    def body_height(self) -> int:
        """Rows on screen under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self, row: int) -> None:
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_y + self.body_height:
            self.scroll_to(y=row - self.body_height + 1, animate=False, immediate=True)
        self._want(self._page_of(row))
        self.refresh()
        self.post_message(self.Changed())

    def _move_to(self, row: int) -> None:
        self.cursor = min(max(0, row), max(0, self.matched - 1))

    def action_cursor(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor + step * self.body_height)

    def action_top(self) -> None:
        self._move_to(0)

    def action_bottom(self) -> None:
        self._move_to(self.matched - 1)

    def action_open(self) -> None:
        record = self.current
        if record is not None:
            self.post_message(self.Opened(record))

    def action_mark(self) -> None:
        """Mark the row under the cursor, or unmark it; then go down a row (as ``x`` does in a file manager)."""
        record = self.current
        if record is None:
            return
        if self.marked.pop(record.hash, None) is None:
            self.marked[record.hash] = record
        self._move_to(self.cursor + 1)
        self.refresh()
        self.post_message(self.Changed())

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x)
            if column is not None and column.sort is not None:
                self.post_message(SortClicked(column.sort))
            return
        row = int(self.scroll_y) + event.y - 1
        if 0 <= row < self.matched:
            self.cursor = row
            if event.chain >= 2:
                self.action_open()

    def _column_at(self, x: int) -> Column | None:
        left = LEAD
        for column in self.columns:
            if left <= x < left + column.width:
                return column
            left += column.width + 1
        return None

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        top = int(new)
        self._want(self._page_of(top))
        self._want(self._page_of(top + self.body_height))

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, self.matched + 1)

    # -- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        columns = self.columns
        if y == 0:
            return self._header(columns, width)
        row = int(self.scroll_y) + y - 1
        base = self.rich_style
        if row >= self.matched:
            if row == 0 and self.loaded:
                return self._strip(Text("  No experiment matches the filter.", style="italic"), width, base + self.get_component_rich_style("table--loading"))
            return Strip.blank(width, base)
        record = self.record_at(row)
        if record is None:
            self._want(self._page_of(row))
            return self._strip(Text("  ·"), width, base + self.get_component_rich_style("table--loading"))
        line = Text()
        line.append("●" if record.hash in self.marked else " ", style="bold")
        line.append_text(sign(record) if width < WIDE else Text(" "))
        for column in columns:
            line.append(" ")
            line.append_text(_fitted(cell(record, column, width), column))
        style = base
        if record.hash in self.marked:
            style = style + self.get_component_rich_style("table--marked")
        if row == self.cursor:
            style = style + self.get_component_rich_style("table--cursor")
        return self._strip(line, width, style)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(Segment.apply_style(list(text.render(self.app.console)), style), width)

    def _header(self, columns: list[Column], width: int) -> Strip:
        sort_key = self.listing.sort.partition(",")[0]
        descending = (sort_key.lstrip("-") in LARGEST_FIRST) != sort_key.startswith("-")
        line = Text("  ")
        for column in columns:
            title = column.header
            if column.sort is not None and column.sort == sort_key.lstrip("-").removeprefix("config."):
                title += " ▼" if descending else " ▲"
            line.append(" ")
            line.append_text(_fitted(Text(title), column))
        return self._strip(line, width, self.rich_style + self.get_component_rich_style("table--header"))


class SortClicked(Message):
    """A column header was clicked: sort by its key (again: the other way round)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


def _fitted(text: Text, column: Column) -> Text:
    """``text`` cut with an ellipsis or padded to the column's width, on its right side when it is numeric."""
    text.truncate(column.width, overflow="ellipsis")
    if column.right:
        text.pad_left(column.width - text.cell_len)
    else:
        text.pad_right(column.width - text.cell_len)
    return text
