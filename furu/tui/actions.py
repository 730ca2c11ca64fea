"""The actions on one experiment, asked in a dialog and done by the library: the same calls as ``furu invalidate``,
``furu rm``, ``furu tag`` and ``furu name``, and the commands ``furu show`` prints to copy.

A screen that shows an experiment mixes :class:`ArtifactActions` in and says
which one it is (:meth:`ArtifactActions.target`); the work runs in a worker
thread, and its outcome comes back as a notification in the library's words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, Protocol, cast

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen

from furu.annotations import set_name, set_tags
from furu.catalog import ArtifactRecord
from furu.errors import FuruError
from furu.refs import resolve_entry
from furu.report import artifact_report, commands_of
from furu.tui.cells import highlighted
from furu.tui.dialogs import Confirmed, ConfirmDialog, CopyDialog, TextDialog
from furu.tui.source import Source


class ViewHost(Protocol):
    """What the screens need of the app (:class:`furu.tui.app.FuruApp`), without importing it (it imports them)."""

    source: Source

    @property
    def read_only(self) -> bool: ...

    def catalog_changed(self) -> None: ...

CHANGES = ("invalidate", "remove", "tag", "name")
"""The actions that change an artifact: hidden under ``--read-only``."""
CLIPBOARD_NOTE = (
    "Copied to the clipboard through the terminal (OSC 52), where the terminal allows it "
    "(inside tmux: set -g set-clipboard on). Or select it with the mouse (shift+drag in most terminals)."
)


class ArtifactActions(Screen[None]):
    """Keys ``i``, ``delete``, ``t``, ``n``, ``T`` and ``e`` on the experiment :meth:`target` names."""

    ACTION_BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "invalidate", "Invalidate"),
        Binding("delete", "remove", "Delete"),
        Binding("t", "tag", "Tag", show=False),
        Binding("n", "name", "Name", show=False),
        Binding("T", "timetravel", "Timetravel", show=False),
        Binding("e", "python", "Python", show=False),
    ]

    @property
    def furu_app(self) -> ViewHost:
        return cast(ViewHost, self.app)

    def target(self) -> ArtifactRecord | None:
        """The experiment the keys act on (None: there is none)."""
        raise NotImplementedError

    def changed(self) -> None:
        """An action changed artifacts on disk: show them again."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in CHANGES and self.furu_app.read_only:
            return False
        return True

    def _target_or_say(self) -> ArtifactRecord | None:
        record = self.target()
        if record is None:
            self.notify("No experiment here.", severity="warning")
        return record

    # -- changes -----------------------------------------------------------------------------

    def action_invalidate(self) -> None:
        record = self._target_or_say()
        if record is None:
            return
        body = Text.assemble(
            (record.label, "bold"), " will count as absent: the next load_or_create recomputes it. ",
            "Its files stay until furu gc collects them.",
        )

        def done(answer: Confirmed | None) -> None:
            if answer is not None:
                self.run_worker(lambda: self._invalidate(record, answer.choice), thread=True, group="action")

        self.app.push_screen(
            ConfirmDialog("Invalidate", body, "Invalidate", choice="also everything downstream of it (cascade)"), done
        )

    def _invalidate(self, record: ArtifactRecord, cascade: bool) -> None:
        from furu.invalidate import invalidate

        def run() -> str:
            with self.furu_app.source.catalog() as catalog:
                result = invalidate([resolve_entry(record.hash, catalog)], cascade=cascade, catalog=catalog)
            left = [f"{s.record.label}: {s.reason}" for s in [*result.skipped, *result.unchecked]] + result.warnings
            said = f"Invalidated {', '.join(r.label for r in result.invalidated)}."
            return said + ("\n" + "\n".join(left) if left else "")

        self._report(run)

    def action_remove(self) -> None:
        record = self._target_or_say()
        if record is None:
            return
        body = Text.assemble(("Removes ", ""), (record.label, "bold"), " and its directory from disk. This cannot be undone.")

        def done(answer: Confirmed | None) -> None:
            if answer is not None:
                self.run_worker(lambda: self._remove(record, answer.choice), thread=True, group="action")

        self.app.push_screen(
            ConfirmDialog("Delete", body, "Delete", choice="even when tagged or version-controlled (force)"), done
        )

    def _remove(self, record: ArtifactRecord, force: bool) -> None:
        from furu.removal import remove

        def run() -> str:
            with self.furu_app.source.catalog() as catalog:
                removal = remove(resolve_entry(record.hash, catalog), catalog, force=force)
            left = f" ({removal.leftover})" if removal.leftover else ""
            return f"Removed {removal.record.label}{left}."

        self._report(run)

    def action_tag(self) -> None:
        record = self._target_or_say()
        if record is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                tags = [tag for tag in re.split(r"[\s,]+", text) if tag]
                self.run_worker(lambda: self._report(lambda: _tagged(record, tags)), thread=True, group="action")

        self.app.push_screen(
            TextDialog(f"Tags of {record.label}", "Space- or comma-separated; empty removes them all.", " ".join(record.tags),
                       placeholder="best paper"),
            done,
        )

    def action_name(self) -> None:
        record = self._target_or_say()
        if record is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self.run_worker(lambda: self._report(lambda: _named(record, text.strip() or None)), thread=True, group="action")

        self.app.push_screen(TextDialog(f"Name of {record.label}", "Empty removes the name.", record.name or "", placeholder="baseline"), done)

    def _report(self, run: Callable[[], str]) -> None:
        """In a worker: ``run()``, its sentence as a notification (a FuruError's as an error), then show the change."""
        try:
            said = run()
        except FuruError as error:
            self.app.call_from_thread(self.notify, str(error), title="Refused", severity="error", timeout=12)
            return
        self.app.call_from_thread(self.notify, said, timeout=8)
        self.app.call_from_thread(self.changed)

    # -- what to copy ------------------------------------------------------------------------

    def action_timetravel(self) -> None:
        record = self._target_or_say()
        if record is not None:
            command = f"furu timetravel {record.hash}"
            self.app.copy_to_clipboard(command)
            body = Text.assemble((command, "bold"), "\n\nChecks out the code it was made with as a git worktree.")
            self.app.push_screen(CopyDialog("Time travel", body, CLIPBOARD_NOTE))
            self.notify("furu timetravel command copied (where the terminal allows).")

    def action_python(self) -> None:
        record = self._target_or_say()
        if record is not None:
            self.run_worker(lambda: self._python(record), thread=True, group="action")

    def _python(self, record: ArtifactRecord) -> None:
        try:
            with self.furu_app.source.catalog() as catalog:
                commands = commands_of(artifact_report(resolve_entry(record.hash, catalog), catalog, log_lines=1))
        except FuruError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        if commands.python is None:
            self.app.call_from_thread(self.notify, f"{record.label} recorded no Python code for its config.", severity="warning")
            return
        self.app.call_from_thread(self._show_python, commands.python)

    def _show_python(self, python: str) -> None:
        self.app.copy_to_clipboard(python)
        self.app.push_screen(CopyDialog("Python", highlighted(python, "python", dark=self.app.current_theme.dark), CLIPBOARD_NOTE))
        self.notify("Python snippet copied (where the terminal allows).")


def _tagged(record: ArtifactRecord, tags: list[str]) -> str:
    annotations = set_tags(record.dir, tags)
    return f"{record.label}: tags {', '.join(annotations.tags) or 'removed'}."


def _named(record: ArtifactRecord, name: str | None) -> str:
    annotations = set_name(record.dir, name)
    return f"{record.label}: {'named ' + repr(annotations.name) if annotations.name else 'name removed'}."
