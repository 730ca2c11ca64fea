"""``furu init``: set a project up for furu."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from furu.cli.app import PANEL_SETUP, app
from furu.cli.render import JSON_HELP, console, print_json


@app.command("init", rich_help_panel=PANEL_SETUP)
def init_command(
    directory: Annotated[Path, typer.Argument(help="The project root (default: here).")] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Add \\[tool.furu] to pyproject.toml and furu's rules to .gitignore (formatting kept)."""
    from furu.scaffold import init_project

    result = init_project(directory)
    if as_json:
        print_json(result)
        return
    out = console()
    out.print(f"{'added [tool.furu] to' if result.added_section else 'kept the existing [tool.furu] in'} {result.pyproject}", markup=False)
    if result.added_rules:
        out.print(f"added {', '.join(result.added_rules)} to {result.gitignore}", markup=False)
    else:
        out.print(f"{result.gitignore} already has furu's rules", markup=False)
