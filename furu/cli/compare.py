"""``furu diff`` and ``furu explain``: how two artifacts differ, and why a config would recompute."""

from __future__ import annotations

from typing import Annotated

import typer

from furu.cli.app import PANEL_COMPARE, app
from furu.cli.completion import complete_ref
from furu.cli.render import (
    JSON_HELP,
    catalog,
    console,
    literal,
    print_json,
    status_text,
)
from furu.humanize import human_time, short_value

NEAREST = 3  # furu.explain.NEAREST


@app.command("diff", rich_help_panel=PANEL_COMPARE)
def diff_command(
    a: Annotated[str, typer.Argument(help="First artifact (hash, path, or quoted 'module:Class k=v').", autocompletion=complete_ref)],
    b: Annotated[str, typer.Argument(help="Second artifact.", autocompletion=complete_ref)],
    code: Annotated[bool, typer.Option("--code", help="Also show the diff between the two code snapshots.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """The config fields that differ, by dotted path (through nested dependencies)."""
    from rich.syntax import Syntax
    from rich.table import Table
    from rich.text import Text

    from furu.diffing import diff_records
    from furu.refs import resolve_ref

    cat = catalog()
    result = diff_records(resolve_ref(a, catalog=cat), resolve_ref(b, catalog=cat), code=code)
    if as_json:
        print_json(result)
        return
    out = console()
    out.print(f"[bold]a[/] {literal(result.a.label)}  [bold]b[/] {literal(result.b.label)}", soft_wrap=True)
    if not result.changes:
        out.print("The configs are identical." if result.a.fqn == result.b.fqn else "No field differs.")
    else:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for header in ("field", "a", "b", ""):
            table.add_column(header)
        for change in result.changes:
            note = change.kind if change.kind != "changed" else ("not hashed" if change.affects_hash is False else "")
            left = "-" if change.kind == "added" else short_value(change.a, 60)
            right = "-" if change.kind == "removed" else short_value(change.b, 60)
            table.add_row(Text(change.path), Text(left), Text(right), Text(note, style="dim"))
        out.print(table)
    if code:
        if result.code_note:
            out.print(f"[yellow]No code diff:[/] {literal(result.code_note)}", soft_wrap=True)
        elif not result.code_patch:
            out.print("The code snapshots are identical.")
        else:
            out.print(Syntax(result.code_patch, "diff", background_color="default"), soft_wrap=True)


@app.command("explain", rich_help_panel=PANEL_COMPARE)
def explain_command(
    spec: Annotated[list[str], typer.Argument(help="module:Class key=value ... (or a reference to an existing artifact).", autocompletion=complete_ref)],
    nearest: Annotated[int, typer.Option("--nearest", help="How many similar artifacts to compare with.")] = NEAREST,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Is this config cached? If not, why not: which fields differ from the nearest artifacts."""
    from furu.explain import explain
    from furu.refs import resolve_object

    cat = catalog()
    result = explain(resolve_object(spec, catalog=cat), catalog=cat, nearest=nearest)
    if as_json:
        print_json(result)
        return
    out = console()
    out.print(("[green]" if result.cached else "[yellow]") + literal(result.summary) + "[/]", soft_wrap=True)
    for line in result.details:
        out.print(f"  {literal(line)}", soft_wrap=True)
    if result.nearest:
        out.print(f"\nNearest existing artifacts of {literal(result.fqn)}:")
        for neighbour in result.nearest:
            record = neighbour.record
            out.print("  ", f"{literal(record.short_hash)} ", status_text(record.status), f" {human_time(record.created)}", sep="")
            for reason in neighbour.reasons() or ["no hashed field differs (the hash encoding changed)"]:
                out.print(f"      will recompute because {literal(reason)}", soft_wrap=True)
