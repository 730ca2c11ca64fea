"""Records as the experiments table's cells: which columns fit the width, and what each shows.

The values come formatted by :mod:`furu.humanize`, as ``furu ls`` prints
them; the marks say what ``furu ls`` says of a result: stale (today's classes
no longer rebuild its config) or its class's code changed since it was made.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from rich.syntax import Syntax
from rich.text import Text

from furu.catalog import ArtifactRecord
from furu.humanize import CODE_MARKS, STATUS_STYLE, human_duration, human_size, human_time, short_value
from furu.query import config_value, is_missing

"""The ``note`` column for code drift, in ``furu ls``'s words (by :data:`furu.fingerprint.DriftKind`)."""

WIDE = 110
"""From this many columns on, dates carry their year and a ``note`` column says what is stale or drifted."""
WIDER = 150
"""From this many columns on, statuses carry their cluster job: ``queued (job 4242)``."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``key`` is a built-in (``class``, ``hash``, ...) or ``config.<path>``."""

    key: str
    header: str
    width: int
    right: bool = False
    sort: str | None = None
    """The sort key the column's values follow (clicking its header sorts by it)."""


def config_column_key(path: str) -> str:
    return "config." + path.removeprefix("config.")


LEAD = 3
"""The cells before the first column: the mark (``●``), the note's sign in a narrow table (``!``, ``~``), a space."""


def layout(width: int, config_paths: Sequence[str]) -> list[Column]:
    """The columns for a table ``width`` cells wide: fixed ones at their width, the rest share what is left.

    A narrow table (80 columns) has no ``note`` column: its sign goes before
    the row (``!`` stale, ``~`` code changed), and the detail says it in words.
    """
    wide = width >= WIDE
    fixed = [
        Column("class", "class", 16 if wide else 11, sort="class"),
        Column("hash", "hash", 8, sort="hash"),
        Column("status", "status", 18 if width >= WIDER else 9, sort="status"),
        Column("created", "created", 16 if wide else 11, sort="created"),
        Column("runtime", "runtime", 7, right=True, sort="runtime"),
        Column("size", "size", 9, right=True, sort="size"),
        *([Column("note", "note", 7)] if wide else []),
    ]
    flexible = ["name", *(config_column_key(path) for path in config_paths)]
    gaps = len(fixed) + len(flexible) - 1  # one space between columns
    room = max(0, width - LEAD - sum(c.width for c in fixed) - gaps)
    share, extra = divmod(room, len(flexible))
    columns = list(fixed)
    for index, key in enumerate(flexible):
        part = max(4, share + (1 if index < extra else 0))
        header = "name/tags" if key == "name" else key.removeprefix("config.")
        columns.append(Column(key, header, part, sort="name" if key == "name" else key.removeprefix("config.")))
    return columns


def cell(record: ArtifactRecord, column: Column, width: int) -> Text:
    """The text of ``record`` under ``column`` (``width``: the table's, which decides short or long forms)."""
    key = column.key
    if key == "class":
        return Text(record.class_name)
    if key == "hash":
        return Text(record.short_hash, style="dim")
    if key == "status":
        text = Text(record.status, style=STATUS_STYLE.get(record.status, ""))
        if record.job_id and width >= WIDER:
            text.append(f" (job {record.job_id})", style="dim")
        return text
    if key == "created":
        return Text(human_time(record.created, short=width < WIDE))
    if key == "runtime":
        return Text(human_duration(record.runtime_secs))
    if key == "size":
        return Text(human_size(record.size_bytes))
    if key == "note":
        return note(record)
    if key == "name":
        text = Text(record.name or "", style="bold")
        for tag in record.tags:
            text.append(f"{' ' if len(text) else ''}#{tag}", style="cyan")
        return text
    value = config_value(record.config, tuple(key.removeprefix("config.").split(".")))
    return Text("-" if is_missing(value) else short_value(value, 80))


def sign(record: ArtifactRecord) -> Text:
    """The note in one cell, for a table too narrow for the ``note`` column."""
    if record.stale:
        return Text("!", style="bold yellow")
    if record.code_drift is not None:
        return Text("~", style="yellow")
    return Text(" ")


def note(record: ArtifactRecord) -> Text:
    """``stale`` or how its code drifted (``changed``, ``module``, ``gone``); empty for a result as it was made."""
    if record.stale:
        return Text("stale", style="bold yellow")
    if record.code_drift is not None:
        return Text(CODE_MARKS.get(record.code_drift.kind, record.code_drift.kind), style="yellow")
    return Text("")


def shown_path(path: str) -> str:
    """A directory relative to the working directory when inside it (as ``furu ls --path`` shows it)."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def highlighted(text: str, lexer: str, *, dark: bool) -> Syntax:
    """Python or a diff, coloured in the terminal's own colours (readable in dark and light themes alike)."""
    return Syntax(text.rstrip(), lexer, theme="ansi_dark" if dark else "ansi_light", background_color="default", word_wrap=True)
