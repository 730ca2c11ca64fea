"""The filter bar: a ``furu ls`` filter typed in place, completed as it is typed, applied as it parses.

Under the input a hint line lists what the word being typed can become (field
names, or the values of the field before ``=``), or, when the filter does not
parse, the parser's own message. ``tab`` or ``→`` takes the suggestion shown in
grey; ``enter`` applies the filter and returns to the table; ``escape`` puts
back the filter that was applied before and returns too. The table follows
the filter while it is typed, each query in a worker, so typing never waits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, Label, Static

from furu.errors import FuruError
from furu.tui.vocabulary import Completion, Vocabulary

SHOWN_CANDIDATES = 12


class FilterSuggester(Suggester):
    """Suggests the first completion of the last word; hands every candidate to ``shown`` for the hint line."""

    def __init__(self, vocabulary: Vocabulary, shown: Callable[[Completion | None, str | None], None]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.vocabulary = vocabulary
        self.shown = shown

    async def get_suggestion(self, value: str) -> str | None:
        try:
            found = await asyncio.to_thread(self.vocabulary.complete, value)
        except FuruError as error:  # the catalog cannot list values of that field: say so
            self.shown(None, str(error))
            return None
        self.shown(found, None)
        return found.suggestion(value)


class FilterInput(Input):
    """The input itself: ``tab`` takes the suggestion, ``escape`` gives up the edit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "complete", "Complete", show=False, priority=True),
        Binding("escape", "revert", "Back", show=False),
    ]

    class Reverted(Message):
        """Escape: the edit is given up."""

    def action_complete(self) -> None:
        if self._suggestion and self.cursor_at_end:
            self.value = self._suggestion
            self.cursor_position = len(self.value)
        else:
            self.screen.focus_next()

    def action_revert(self) -> None:
        self.post_message(self.Reverted())


class FilterBar(Vertical):
    """The filter's label, input and hint line."""

    DEFAULT_CSS = """
    FilterBar { height: auto; }
    FilterBar > Horizontal { height: 1; }
    FilterBar Label { width: auto; padding: 0 1; color: $text-accent; text-style: bold; }
    FilterBar Input { border: none; height: 1; padding: 0; background: $surface; }
    FilterBar Input:focus { border: none; background: $boost; }
    FilterBar #hint { height: 1; color: $text-muted; padding: 0 1; display: none; }
    FilterBar.-editing #hint, FilterBar.-error #hint { display: block; }
    FilterBar.-error #hint { color: $text-error; height: auto; max-height: 4; }
    """

    def __init__(self, vocabulary: Vocabulary, value: str = "") -> None:
        super().__init__()
        self.vocabulary = vocabulary
        self.initial = value
        self.completion: Completion | None = None
        self.error: str | None = None
        self._typing_error = False

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("filter")
            yield FilterInput(
                value=self.initial, id="filter", placeholder="/ to filter: status=failed class~Train lr>1e-3 (furu ls language)",
                suggester=FilterSuggester(self.vocabulary, self.show_candidates), select_on_focus=False,
            )
        yield Static(id="hint")

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    def show_candidates(self, found: Completion | None, problem: str | None) -> None:
        """A completion arrived (from the suggester's worker), or the catalog's reason there is none."""
        if problem is not None:
            self.show_error(problem)
            return
        self.completion = found
        self._render_hint()

    def show_error(self, message: str | None, *, typing: bool = False) -> None:
        """The parser's (or the catalog's) message under the input; None clears it.

        While the filter is being typed (``typing``), a word not finished yet is
        no error worth showing while there are completions for it.
        """
        self.error, self._typing_error = message, typing
        self._render_hint()

    def _render_hint(self) -> None:
        found = self.completion
        offered = found is not None and bool(found.candidates) and self.input.has_focus
        failing = self.error is not None and not (self._typing_error and offered)
        self.set_class(failing, "-error")
        hint = self.query_one("#hint", Static)
        if failing:
            hint.update(Text(self.error or ""))
        elif found is None or not self.input.has_focus:
            hint.update("")
        elif not found.candidates:
            what = "fields" if found.kind == "key" else f"{found.kind} values"
            how = "contain" if found.containing else "start with"
            hint.update(Text(f"{what}: none {how} {found.typed!r}" if found.typed else "", style="italic"))
        else:
            what = "fields" if found.kind == "key" else f"{found.kind} values"
            shown = found.candidates[:SHOWN_CANDIDATES]
            more = f" … {len(found.candidates) - len(shown)} more" if len(found.candidates) > len(shown) else ""
            hint.update(Text.assemble((f"{what}: ", "bold"), " ".join(shown), more, ("   tab completes", "dim")))

    def on_descendant_focus(self) -> None:
        self.add_class("-editing")

    def on_descendant_blur(self) -> None:
        self.remove_class("-editing")
