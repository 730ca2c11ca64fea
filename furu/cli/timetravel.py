"""``furu timetravel``: check out the exact code an artifact was created from."""

from __future__ import annotations

from pathlib import Path

import typer

from furu.cli.app import PANEL_REPRODUCE, app
from furu.cli.render import console as make_console
from furu.cli.render import literal, print_json


@app.command(rich_help_panel=PANEL_REPRODUCE)
def timetravel(
    ref: str = typer.Argument(..., help="A hash or unique prefix, an artifact directory, or a quoted 'module:Class k=v'.", metavar="REF"),
    path: Path | None = typer.Option(
        None, "--path", help="Where to put the worktree (default: furu-data/timetravel/<hash>/)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing non-empty directory at the path."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Materialise the source tree an artifact was made with, uncommitted edits included."""
    from furu.time_travel import travel

    arrival = travel(ref, path, force=force, force_hint="add --force")
    if as_json:
        print_json(arrival)
        return
    console = make_console(soft_wrap=True)
    console.print(f"[bold]{literal(arrival.fqn)}[/] {literal(arrival.hash[:8])}: code restored to [cyan]{literal(arrival.path)}[/]")
    commit = arrival.commit or "(no commit yet)"
    where = f"branch {arrival.branch}" if arrival.branch else "detached HEAD"
    edits = "with uncommitted changes" if arrival.dirty else "clean"
    console.print(f"  commit     {literal(commit)} ({literal(where)}), {edits}; snapshot {literal(arrival.snapshot_id)}")
    console.print(f"  command    {literal(arrival.command_line)}")
    here = f"  -> here: {literal(arrival.cwd_in_worktree)}" if arrival.cwd_in_worktree else ""
    console.print(f"  cwd        {literal(arrival.cwd)}{here}")
    if arrival.environment_command:
        console.print(f"  environment  cd {literal(arrival.path)} && {literal(arrival.environment_command)}")
    else:
        console.print("  environment  no lock file was recorded; metadata.json lists the installed distributions")
