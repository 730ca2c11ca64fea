"""The dialogs over a screen: confirm an action (with its one choice), type tags or a name, copy a command.

Each is a modal screen that hands back what was chosen (None: given up with
escape or Cancel); the screen that opened it calls the library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import RenderableType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

DIALOG_CSS = """
    align: center middle;
    & > Vertical { width: 80; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
        background: $panel; padding: 0 1; }
    & Static.body { margin: 1 0 0 0; }
    & Horizontal.buttons { height: auto; align-horizontal: right; margin-top: 1; }
    & Button { margin-left: 1; min-width: 10; }
    & Checkbox { margin-top: 1; border: none; padding: 0; background: $panel; }
    & Input { margin-top: 1; }
"""


@dataclass(frozen=True, slots=True)
class Confirmed:
    """The action was confirmed; ``choice``: whether its option box was ticked."""

    choice: bool = False


class ConfirmDialog(ModalScreen[Confirmed | None]):
    """``title``, what will happen, an optional choice (cascade, force), and the action's own button."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel")]
    DEFAULT_CSS = "ConfirmDialog {" + DIALOG_CSS + "}"

    def __init__(self, title: str, body: RenderableType, action: str, *, choice: str | None = None, danger: bool = True) -> None:
        super().__init__()
        self.title_text, self.body, self.action, self.choice, self.danger = title, body, action, choice, danger

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.body, classes="body")
            if self.choice is not None:
                yield Checkbox(self.choice, id="choice")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(self.action, id="confirm", variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#confirm", Button))

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        choice = self.query_one("#choice", Checkbox).value if self.choice is not None else False
        self.dismiss(Confirmed(choice))

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """One line to type (tags, a name), prefilled with what it is now; enter saves it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Cancel")]
    DEFAULT_CSS = "TextDialog {" + DIALOG_CSS + "}"

    def __init__(self, title: str, body: str, value: str, *, placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.body, self.value, self.placeholder = title, body, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            yield Static(self.body, classes="body")
            yield Input(self.value, placeholder=self.placeholder, id="text")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one(Input))

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        self.dismiss(self.query_one(Input).value)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)


class CopyDialog(ModalScreen[None]):
    """Text to copy (a command, a Python snippet), shown whole, and how it was copied."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "dismiss", "Close")]
    DEFAULT_CSS = "CopyDialog {" + DIALOG_CSS + "} CopyDialog #text { background: $surface; padding: 0 1; margin-top: 1; }"

    def __init__(self, title: str, text: RenderableType, note: str) -> None:
        super().__init__()
        self.title_text, self.text, self.note = title, text, note

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "escape closes"
            yield Static(self.text, id="text")
            yield Static(self.note, classes="body")
