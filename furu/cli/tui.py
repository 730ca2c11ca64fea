"""``furu tui``: the terminal dashboard (the ``furu[tui]`` extra)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from furu.cli.app import PANEL_FIND, app
from furu.cli.completion import complete_sort
from furu.errors import FuruError


@app.command("tui", rich_help_panel=PANEL_FIND)
def tui_command(
    filters: Annotated[
        list[str] | None,
        typer.Argument(
            help="A furu ls filter to start with: status=failed class~Train lr>1e-3 (/ changes it in the app)."
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            "-s",
            autocompletion=complete_sort,
            help="Sort keys to start with (s cycles them): created (newest first), -runtime, lr.",
        ),
    ] = "created",
    columns: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="Add a config field column (repeat, or comma-separate): -c lr,data.name",
        ),
    ] = None,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Hide the keys that change artifacts (invalidate, delete, tag, name).",
        ),
    ] = False,
    no_stale: Annotated[
        bool,
        typer.Option(
            "--no-stale",
            help="Do not mark stale results (marking them imports the classes they name).",
        ),
    ] = False,
    theme: Annotated[
        str,
        typer.Option(
            "--theme",
            help="A Textual theme: textual-dark, textual-light, nord, ... (ctrl+t toggles light and dark).",
        ),
    ] = "textual-dark",
) -> None:
    """Browse, filter and act on every experiment in the terminal (over SSH too); ? lists the keys."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise FuruError(
            "furu tui draws in a terminal and reads its keys, but its input or output is a pipe or a file; "
            "run it in a terminal (over SSH: ssh -t), or use furu ls for output to a file."
        )
    try:
        from furu.tui.app import FuruApp, TuiOptions
    except ImportError as error:
        raise FuruError(
            f"The terminal dashboard needs the furu[tui] extra ({error.name} is not installed): pip install 'furu[tui]'."
        ) from None
    from textual.theme import BUILTIN_THEMES

    if theme not in BUILTIN_THEMES:
        raise typer.BadParameter(
            f"{theme!r} is not a Textual theme; one of {', '.join(sorted(BUILTIN_THEMES))}",
            param_hint="'--theme'",
        )
    from furu.query import parse_expression

    expression = parse_expression(filters or [])  # a bad filter is an error here, before the screen clears
    paths = [part.strip() for text in columns or [] for part in text.split(",") if part.strip()]
    options = TuiOptions(
        filter=expression.text, sort=sort, columns=paths, read_only=read_only, check_stale=not no_stale, theme=theme
    )
    FuruApp(options).run()
