"""``furu migrate``: carry results over to today's classes (a plan first; ``--yes`` carries it out)."""

from __future__ import annotations

from typing import Annotated

import typer

from furu.cli.app import PANEL_MANAGE, app
from furu.cli.render import JSON_HELP, catalog, console, literal, print_json
from furu.errors import FuruError
from furu.humanize import count

_STATE_WORDS = {
    "planned": "",
    "conflict": "[red]target holds another result[/]",
    "finish": "[yellow]migrated before: finishes what is left[/]",
    "migrated": "[green]migrated[/]",
    "finished": "[green]finished[/]",
    "already": "[dim]already migrated[/]",
}


@app.command("migrate", rich_help_panel=PANEL_MANAGE)
def migrate_command(
    filters: Annotated[
        list[str],
        typer.Argument(help="What to migrate: a filter as `furu ls` takes it (class=pkg.mod.Train lr=0.1), a hash or prefix."),
    ],
    set_values: Annotated[
        list[str] | None, typer.Option("--set", help="FIELD=VALUE for an added field (else it takes the class's default).")
    ] = None,
    rename: Annotated[list[str] | None, typer.Option("--rename", help="OLD=NEW: a renamed field.")] = None,
    drop: Annotated[list[str] | None, typer.Option("--drop", help="FIELD: a removed field (never dropped implicitly).")] = None,
    from_class: Annotated[
        str | None,
        typer.Option("--from", help="OLD.MODULE.CLASS: the class the results were made with; the filter's class= names today's."),
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="alias (link the old files), move (rename them) or copy (duplicate them).")
    ] = "alias",
    no_cascade: Annotated[bool, typer.Option("--no-cascade", help="Do not migrate the dependents too.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Migrate (without it, only the plan is printed).")] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Migrate over a target that holds another result (it is set aside, not deleted).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Carry results over to today's classes after a change (fields added, renamed, removed; a class moved).

    Dependents are migrated too, since their hashes change with their
    dependency's. Without --yes it prints the plan and writes nothing.
    """
    from furu.migrate import FromText, migrate, plan_document

    plan = migrate(
        filters,
        values={name: FromText(value) for name, value in _pairs(set_values, "--set", "FIELD=VALUE")},
        rename=dict(_pairs(rename, "--rename", "OLD=NEW")),
        drop=drop or [],
        from_class=from_class,
        policy=policy,  # type: ignore[arg-type]  # checked by migrate()
        cascade=not no_cascade,
        yes=yes,
        overwrite=overwrite,
        by="furu migrate",
        catalog=catalog(),
    )
    if as_json:
        print_json(plan_document(plan))
        return
    out = console()
    cascaded = sum(step.cascaded_from is not None for step in plan.steps)
    head = f"{'Migrated' if plan.applied else 'Plan'}: {count(len(plan.steps), 'artifact')} ({plan.policy})"
    out.print(head + (f", {cascaded} of them downstream (cascaded)" if cascaded else "") + ("." if plan.steps else ": nothing to migrate."))
    for step in plan.steps:
        mark = "  [dim]cascaded[/]" if step.cascaded_from is not None else ""
        state = _STATE_WORDS.get(step.state, step.state)
        out.print(
            f"  {literal(step.source.fqn)} {literal(step.source.short_hash)} -> "
            f"{literal(step.target_fqn)} {literal(step.target_hash[:8])}{mark}{'  ' + state if state else ''}",
            soft_wrap=True,
        )
        for change in step.changes:
            out.print(f"      [dim]{literal(change)}[/]", soft_wrap=True)
    for record, reason in plan.skipped:
        out.print(f"  [dim]skipped {literal(record.label)}: {literal(reason)}[/]", soft_wrap=True)
    if plan.steps and not plan.applied:
        conflicts = len(plan.conflicts)
        if conflicts:
            out.print(
                f"[red]{count(conflicts, 'target')} already {'holds' if conflicts == 1 else 'hold'} another result[/]: "
                "--overwrite sets them aside (into .furu/leftovers/) and migrates over them.",
                soft_wrap=True,
            )
        out.print("Nothing written: add --yes to migrate.")


def _pairs(texts: list[str] | None, option: str, form: str) -> list[tuple[str, str]]:
    pairs = []
    for text in texts or []:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise FuruError(f"{option} {text!r}: expected {form}.")
        pairs.append((name.strip(), value.strip() if option == "--rename" else value))
    return pairs
