"""``furu tui``: the app, and its first screen, the experiments table under its filter.

The table reads pages of ``furu.catalog.page`` (the same query ``furu ls`` and
the web API make); the filter is the ``furu ls`` language; every other screen
opens from here. A worker polls the catalog's signature
(:func:`furu.catalog.pages.signature`) about once a second, and the table
reads its rows again when artifacts appear, go or change, as the web
dashboard's change events make its page do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from furu import settings as settings_module
from furu.catalog import ArtifactRecord
from furu.catalog.pages import signature
from furu.errors import FuruError
from furu.query import parse_expression
from furu.tui.actions import ArtifactActions
from furu.tui.cells import config_column_key, shown_path
from furu.tui.detail import DetailScreen
from furu.tui.filter_input import FilterBar, FilterInput
from furu.tui.source import Source
from furu.tui.table import ExperimentTable, Query, SortClicked
from furu.tui.vocabulary import Vocabulary

WATCH_SECS = 1.0
"""How often the catalog is asked whether anything changed (as the web dashboard's events are)."""
TYPING_PAUSE_SECS = 0.15
"""The table follows the filter once typing pauses this long (each query in a worker)."""
SORTS = ("created", "-created", "updated", "runtime", "size", "class", "status", "name")
"""What ``s`` cycles through (then the config columns asked for); times and sizes go largest first, ``-`` flips one."""
LIGHT_THEME, DARK_THEME = "textual-light", "textual-dark"


@dataclass(frozen=True, slots=True)
class TuiOptions:
    """How ``furu tui`` was started."""

    filter: str = ""
    sort: str = "created"
    """Newest first (``furu ls``'s order: times and sizes largest first, ``-`` flips one)."""
    columns: list[str] = field(default_factory=list)
    """Config fields shown as columns (``lr``, ``data.name``)."""
    read_only: bool = False
    """Hide the keys that change artifacts (invalidate, delete, tag, name)."""
    check_stale: bool = True
    """Mark stale results (imports the classes they name)."""
    theme: str = DARK_THEME
    watch: bool = True
    """Refresh when the catalog changes on disk."""


class ExperimentsScreen(ArtifactActions):
    """The filter, the table of experiments, and a status line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", priority=True),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("l", "log", "Log", show=False),
        Binding("d", "diff", "Diff", show=False),
        Binding("D", "dag", "Graph", show=False),
        *ArtifactActions.ACTION_BINDINGS,
    ]
    DEFAULT_CSS = """
    ExperimentsScreen ExperimentTable { height: 1fr; }
    ExperimentsScreen #status { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    """

    def __init__(self, options: TuiOptions, source: Source, vocabulary: Vocabulary) -> None:
        super().__init__()
        self.options = options
        self.source = source
        self.vocabulary = vocabulary
        self.applied = options.filter
        """The filter the table shows (what escape in the filter puts back)."""
        self._typing: Timer | None = None
        self._good = options.filter

    def compose(self) -> ComposeResult:
        yield FilterBar(self.vocabulary, self.options.filter)
        yield ExperimentTable(self.source, config_paths=self.options.columns, sort=self.options.sort,
                              check_stale=self.options.check_stale, id="table")
        yield Static(id="status")
        yield Footer()

    @property
    def table(self) -> ExperimentTable:
        return self.query_one(ExperimentTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        self.table.focus()
        try:
            expression = parse_expression(self.options.filter)
        except FuruError as error:
            self.filter_bar.show_error(str(error))
            expression, self.applied = parse_expression(""), ""
        self.table.set_query(Query(expression, self.options.sort))
        self._say()
        if self.options.watch:
            self.run_worker(self._watch, thread=True, group="watch")

    def _watch(self) -> None:
        """In a worker thread while the app runs: tell the app when the catalog's signature changes."""
        worker = get_current_worker()
        last: tuple[int, int, int] | None = None
        while not worker.is_cancelled:
            with self.source.catalog("watch") as catalog:
                now = signature(catalog)
            if last is not None and now != last and not worker.is_cancelled:
                self.app.call_from_thread(self.furu_app.catalog_changed)
            last = now
            time.sleep(WATCH_SECS)

    # -- the status line ---------------------------------------------------------------------

    @on(ExperimentTable.Changed)
    def _say(self) -> None:
        table = self.table
        text = Text()
        if table.loaded:
            text.append(f"{table.matched}", style="bold")
            text.append(f" of {table.total} experiments")
        else:
            text.append("reading the catalog …", style="italic")
        text.append(f" · sort {table.listing.sort}")
        if table.marked:
            text.append(f" · {len(table.marked)} marked", style="bold yellow")
        if self.options.read_only:
            text.append(" · read-only", style="bold")
        root = shown_path(str(self.source.settings.data_root))
        text.append(f" · {root}", style="dim")
        text.append("  ? keys", style="dim")
        self.query_one("#status", Static).update(text)

    @on(ExperimentTable.Failed)
    def _refused(self, event: ExperimentTable.Failed) -> None:
        """The catalog refused the filter (a field no config has): back to the input, the last good filter kept."""
        self.filter_bar.show_error(event.error)
        if self.applied == self.filter_bar.input.value:
            self.applied = self._good
        self.set_focus(self.filter_bar.input)

    # -- the filter --------------------------------------------------------------------------

    def action_filter(self) -> None:
        # A priority binding runs as the key arrives, and Screen.set_focus (not Widget.focus) moves the focus
        # at once: the keys typed right after / go into the filter, not to the table's s or t.
        if self.filter_bar.input.has_focus:
            raise SkipAction()  # a / inside the filter is part of it
        self.set_focus(self.filter_bar.input)

    @on(Input.Changed, "#filter")
    def _typed(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        self._typing = self.set_timer(TYPING_PAUSE_SECS, self._follow_filter)

    def _follow_filter(self) -> None:
        self._apply(self.filter_bar.input.value, typing=True)

    def _apply(self, text: str, *, typing: bool = False) -> bool:
        """Show ``text``'s matches if it parses (True); else its parse error under the input."""
        try:
            expression = parse_expression(text)
        except FuruError as error:
            self.filter_bar.show_error(str(error), typing=typing)
            return False
        self.filter_bar.show_error(None)
        if expression.text != self.table.listing.expression.text:
            self.table.set_query(Query(expression, self.table.listing.sort))
        return True

    @on(Input.Submitted, "#filter")
    def _submitted(self, event: Input.Submitted) -> None:
        if self._typing is not None:
            self._typing.stop()
        if self._apply(event.value):
            self._good, self.applied = self.applied, event.value
            self.set_focus(self.table)

    @on(FilterInput.Reverted)
    def _reverted(self) -> None:
        if self._typing is not None:
            self._typing.stop()
        self.filter_bar.input.value = self.applied
        self._apply(self.applied)
        self.set_focus(self.table)

    # -- sorting, refreshing -----------------------------------------------------------------

    def action_sort(self) -> None:
        keys = [*SORTS, *(config_column_key(path).removeprefix("config.") for path in self.options.columns)]
        now = self.table.listing.sort
        following = keys[(keys.index(now) + 1) % len(keys)] if now in keys else keys[0]
        self._sort(following)

    def action_reverse(self) -> None:
        first, comma, rest = self.table.listing.sort.partition(",")
        self._sort((first[1:] if first.startswith("-") else f"-{first}") + comma + rest)

    @on(SortClicked)
    def _clicked(self, event: SortClicked) -> None:
        now = self.table.listing.sort.partition(",")[0]
        self._sort(f"-{event.key}" if now == event.key else event.key)

    def _sort(self, sort: str) -> None:
        self.table.set_query(Query(self.table.listing.expression, sort))
        self._say()

    def action_refresh(self) -> None:
        self.furu_app.catalog_changed()
        self.notify("Reading the catalog again.", timeout=2)

    # -- other screens -----------------------------------------------------------------------

    @on(ExperimentTable.Opened)
    def _opened(self, event: ExperimentTable.Opened) -> None:
        self.app.push_screen(DetailScreen(event.record.hash))

    def action_log(self) -> None:
        from furu.tui.log_view import LogScreen

        record = self._target_or_say()
        if record is not None:
            self.app.push_screen(LogScreen(record))

    def action_diff(self) -> None:
        from furu.tui.diff_view import DiffScreen

        marked = list(self.table.marked.values())
        if len(marked) != 2:
            self.notify(f"Mark two experiments with x to diff them ({len(marked)} marked).", severity="warning")
            return
        self.app.push_screen(DiffScreen(self.source, *marked))

    def action_dag(self) -> None:
        from furu.tui.dag_view import DagScreen

        def picked(fqn: str | None) -> None:
            if fqn is not None:
                self.filter_bar.input.value = f"class={fqn}"
                self._apply(f"class={fqn}")
                self.applied = f"class={fqn}"
                self.set_focus(self.table)

        self.app.push_screen(DagScreen(self.source), picked)

    # -- actions -----------------------------------------------------------------------------

    def target(self) -> ArtifactRecord | None:
        return self.table.current

    def changed(self) -> None:
        self.furu_app.catalog_changed()


class FuruApp(App[None]):
    """The terminal dashboard over one project's catalog."""

    TITLE = "furu"
    CSS_PATH = "furu.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(self, options: TuiOptions | None = None, settings: settings_module.Settings | None = None) -> None:
        super().__init__()
        self.options = options or TuiOptions()
        self.source = Source(settings)
        self.vocabulary = Vocabulary(self.source)
        self._dark_theme = self.options.theme if self.options.theme != LIGHT_THEME else DARK_THEME

    def on_mount(self) -> None:
        self.theme = self.options.theme
        self.push_screen(ExperimentsScreen(self.options, self.source, self.vocabulary))

    @property
    def read_only(self) -> bool:
        return self.options.read_only

    @property
    def experiments(self) -> ExperimentsScreen:
        return next(screen for screen in self.screen_stack if isinstance(screen, ExperimentsScreen))

    def catalog_changed(self) -> None:
        """Artifacts changed on disk (seen by the watch, or done here): completion and the table read again."""
        self.vocabulary.forget()
        self.experiments.table.reload()

    def action_help(self) -> None:
        from furu.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        if self.current_theme.dark:
            self._dark_theme = self.theme
            self.theme = LIGHT_THEME
        else:
            self.theme = self._dark_theme
