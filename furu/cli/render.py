"""How the CLI shows things: consoles, JSON, progress bars, and human sizes, durations and times.

Human output goes through rich on stdout; ``--json`` output is plain JSON on
stdout and nothing else; progress bars go to stderr and only on a terminal.

Rich reads markup (``[bold]``, ``[/]``) in every string it prints, and furu's
messages use it. Text a user or the disk controls (names, tags, config values,
paths, error messages, git branches) goes in through :func:`literal` or as a
:class:`~rich.text.Text` cell, so ``[/]`` in a name prints as ``[/]`` instead of
raising ``MarkupError`` or restyling the line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from furu.humanize import STATUS_STYLE
from furu.progress import Progress


PROGRESS_MIN_ITEMS = 200

JSON_HELP = "Print JSON (machine-readable) instead of a table."


def console(*, soft_wrap: bool = False) -> Console:
    """A console on the current stdout (tests swap it).

    No highlighting and no ``:emoji:`` codes: furu never prints either on
    purpose, and a user's ``:smile:`` in a name must print as typed.
    """
    return Console(file=sys.stdout, highlight=False, emoji=False, soft_wrap=soft_wrap)


def error_console() -> Console:
    return Console(file=sys.stderr, highlight=False, emoji=False)


def literal(value: object) -> str:
    """``value`` as text that rich's markup prints exactly as written (``[/]`` stays ``[/]``).

    For every user- or disk-controlled value put into a markup string; furu's own
    markup around it (``[dim]...[/]``) still styles the line.
    """
    return escape(str(value))


def print_json(data: Any) -> None:
    """JSON on stdout: pydantic models, dataclasses (records, pages) and lists of them, in JSON mode."""
    from pydantic_core import to_jsonable_python

    typer.echo(json.dumps(to_jsonable_python(data), indent=2, ensure_ascii=False))


def progress_bar(*, unit: Literal["items", "bytes"] = "items", minimum: int = PROGRESS_MIN_ITEMS, quiet: bool = False) -> Progress:
    """Transient progress bars on stderr for long jobs: none when ``quiet``, small or not a terminal."""

    @contextmanager
    def bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
        err = error_console()
        if quiet or total < minimum or not err.is_terminal:
            yield lambda n: None
            return
        from rich import progress as rich_progress

        counts = (
            [rich_progress.DownloadColumn(), rich_progress.TransferSpeedColumn()]
            if unit == "bytes"
            else [rich_progress.MofNCompleteColumn()]
        )
        with rich_progress.Progress(
            rich_progress.TextColumn("{task.description}"), rich_progress.BarColumn(), *counts,
            rich_progress.TimeRemainingColumn(), console=err, transient=True,
        ) as shown:
            task = shown.add_task(description, total=total)
            yield lambda n: shown.advance(task, n)

    return bar


progress = progress_bar()
"""Progress over a count of items (artifacts scanned, sized, collected)."""


def catalog() -> Any:
    """The project's catalog (a :class:`furu.catalog.Catalog`), with progress bars and warnings on stderr."""
    from furu.catalog import Catalog

    return Catalog(progress=progress, warn=warn)


def warn(message: str) -> None:
    """One warning line on stderr (never mixed into ``--json`` output on stdout)."""
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


def check_limit(limit: int | None) -> None:
    """Refuse a negative ``--limit``: it would quietly mean "all", as 0 does."""
    if limit is not None and limit < 0:
        raise typer.BadParameter(f"must be 0 (all) or more, not {limit}", param_hint="'--limit' / '-n'")


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def fit_table(table: Any, flexible: Sequence[str], width: int) -> None:
    """Shrink the ``flexible`` columns of a rich Table (the right-hand ones: results, paths) to fit.

    Rich shrinks every column when a table is too wide, wrapping each row over
    several lines. Here the other columns keep their full width and the
    flexible ones share what is left, each cut with an ellipsis on one line; a
    short one (``(defaults)``) is never cut to make room for a long one.
    """
    gap = 2 * (len(table.columns) - 1)
    natural = {
        column.header: max([_cell_len(column.header)] + [_cell_len(cell) for cell in column.cells])
        for column in table.columns
    }
    flexible = [header for header in flexible if header in natural]
    fixed = sum(w for header, w in natural.items() if header not in flexible)
    room = width - fixed - gap
    wanted = sum(natural[header] for header in flexible)
    if wanted <= room:
        return
    if room < 4 * len(flexible):
        return  # not even the other columns fit: rich's wrapping at least shows every column
    shares: dict[str, int] = {}
    while True:  # a column narrower than an equal share of what is left keeps its whole width
        rest = [header for header in flexible if header not in shares]
        fair = (room - sum(shares.values())) // max(len(rest), 1)
        narrow = [header for header in rest if natural[header] <= fair]
        if not narrow:
            break
        shares.update((header, natural[header]) for header in narrow)
    rest = [header for header in flexible if header not in shares]
    left, wanted = room - sum(shares.values()), sum(natural[header] for header in rest)
    shares.update((header, max(4, left * natural[header] // max(wanted, 1))) for header in rest)
    while sum(shares.values()) > room and max(shares.values()) > 4:
        shares[max(shares, key=shares.__getitem__)] -= 1
    for column in table.columns:
        if column.header in flexible:
            column.no_wrap, column.overflow, column.max_width = True, "ellipsis", shares[column.header]
        else:
            column.no_wrap, column.min_width = True, natural[column.header]


def _cell_len(cell: Any) -> int:
    """How wide a table cell prints: a Text as it is (its plain text is not markup), a string as markup."""
    if isinstance(cell, Text):
        return cell.cell_len
    return Text.from_markup(str(cell), emoji=False).cell_len
