"""``furu run``: build configs from the command line (with sweeps) and load or create each."""

from __future__ import annotations

from typing import Annotated

import typer

from furu.cli.app import EXIT_USER_ERROR, PANEL_RUN, app
from furu.cli.render import JSON_HELP, console, fit_table, print_json, status_text
from furu.humanize import human_duration

_STYLE = {"loaded": "green", "created": "green", "cached": "green", "failed": "red", "missing": "yellow", "running": "cyan"}


@app.command("run", rich_help_panel=PANEL_RUN)
def run_command(
    target: Annotated[str, typer.Argument(help="The class, as module:Class (e.g. mypkg.train:Train).")],
    assignments: Annotated[list[str] | None, typer.Argument(help="Fields to set: lr=3e-4 data.name=toy")] = None,
    sweep: Annotated[
        list[str] | None, typer.Option("--sweep", help="Values to sweep, key=v1,v2 (repeat: cartesian product).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be loaded or created.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Build a config from key=value words and load or create it (each one, with --sweep)."""
    from rich.table import Table
    from rich.text import Text

    from furu.layout import shown_path
    from furu.refs import reference_words
    from furu.sweep import build_sweep, run_configs

    # The forms every reference takes: "mypkg.train:Train lr=3e-4" quoted as one word, or pkg.mod.Class.
    target, *words = reference_words([target, *(assignments or [])])
    configs = build_sweep(target, words, sweep or [])
    outcomes = run_configs(configs, dry_run=dry_run)
    if as_json:
        print_json(outcomes)
    else:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for header in ("config", "hash", "outcome", "runtime", "result" if not dry_run else "to create", "directory"):
            table.add_column(header, overflow="fold")
        for item in outcomes:
            last = str(item.missing_dependencies) if dry_run else _one_line(item.error or item.result or "")
            table.add_row(
                Text(" ".join(item.assignments) or "(defaults)"), Text(item.hash[:8]),
                status_text(item.outcome) if item.outcome not in _STYLE else Text(item.summary, style=_STYLE[item.outcome]),
                human_duration(item.runtime_secs), Text(last), Text(shown_path(item.dir)),
            )
        out = console()
        fit_table(table, ("config", "result", "directory"), out.width)
        out.print(table)
    failed = [item for item in outcomes if item.outcome == "failed"]
    if failed and not dry_run:
        typer.secho(f"error: {len(failed)} of {len(outcomes)} configs failed.", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_USER_ERROR)


def _one_line(text: str, width: int = 48) -> str:
    """The start of a result's repr on one line (\\n as written by repr stays visible)."""
    return text if len(text) <= width else text[: width - 3] + "..."

