"""``furu invalidate | rm | gc | du | tag | untag | name``: change and clean up artifacts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from furu.cli.app import EXIT_USER_ERROR, PANEL_MANAGE, app
from furu.cli.completion import complete_ref
from furu.cli.render import (
    JSON_HELP,
    catalog,
    check_limit,
    console,
    literal,
    print_json,
    status_text,
)
from furu.humanize import count, human_size
from furu.errors import FuruError

if TYPE_CHECKING:
    from furu.gc import GcKept

RefArgument = Annotated[str, typer.Argument(help="A hash or prefix, a path, or a quoted 'module:Class k=v'.", autocompletion=complete_ref)]
JsonOption = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
SHOWN_CANDIDATES = 20


@app.command("invalidate", rich_help_panel=PANEL_MANAGE)
def invalidate_command(
    ref: RefArgument,
    cascade: Annotated[bool, typer.Option("--cascade", help="Also invalidate everything downstream of it.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --cascade: go ahead although some artifact's dependency records cannot be read.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Mark a result absent so the next load_or_create recomputes it (files stay until then)."""
    from furu.invalidate import invalidate
    from furu.refs import resolve_entry

    cat = catalog()
    result = invalidate([resolve_entry(ref, cat)], cascade=cascade, force=force, catalog=cat)
    if as_json:
        print_json(result)
    else:
        out = console()
        for record in result.invalidated:
            out.print(f"invalidated {literal(record.label)}")
        for skipped in result.skipped:
            out.print(f"[yellow]skipped[/] {literal(skipped.record.label)}: {literal(skipped.reason)}", soft_wrap=True)
        for unchecked in result.unchecked:
            out.print(f"[yellow]unchecked[/] {literal(unchecked.record.label)}: {literal(unchecked.reason)}", soft_wrap=True)
        for warning in result.warnings:
            _warn(warning)
    if result.skipped:
        n = len(result.skipped)
        _warn(f"the cascade is incomplete: {count(n, 'downstream artifact')} {'was' if n == 1 else 'were'} skipped (see above).")
        raise typer.Exit(EXIT_USER_ERROR)


@app.command("rm", rich_help_panel=PANEL_MANAGE)
def rm_command(
    ref: RefArgument,
    force: Annotated[bool, typer.Option("--force", help="Also remove a tagged or version-controlled artifact.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Delete an artifact directory (never one that is being created)."""
    from furu.removal import remove
    from furu.refs import resolve_entry

    cat = catalog()
    removal = remove(resolve_entry(ref, cat), cat, force=force)
    record = removal.record
    if as_json:
        print_json(record)
    else:
        console().print(f"removed {literal(record.label)} ({human_size(record.size_bytes)}) from {literal(record.dir)}", soft_wrap=True)
    if removal.leftover:
        _warn(removal.leftover)


@app.command("gc", rich_help_panel=PANEL_MANAGE)
def gc_command(
    older_than: Annotated[
        str | None, typer.Option("--older-than", help="Also collect unused, untagged successes not updated for this long (e.g. 30d).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete (without it, gc only reports).")] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help=(
                "Also collect stale successes: today's classes no longer rebuild their config. Checks every success "
                "against today's classes (imports them, rehashes each config), so it takes longer."
            ),
        ),
    ] = False,
    include_tagged: Annotated[bool, typer.Option("--include-tagged", help="Do not protect tagged artifacts.")] = False,
    include_version_controlled: Annotated[
        bool, typer.Option("--include-version-controlled", help="Do not protect version-controlled artifacts.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Find failed, crashed, incomplete and corrupt artifacts; delete them with --yes. Never a result that still loads.

    Without --stale no class is imported and no success is checked (stale ones
    go only with --stale anyway); gc says how many it did not check. With
    --older-than, only the successes it would delete as unused are checked.
    """
    from rich.table import Table

    from furu.gc import REASONS, collect, plan_gc
    from furu.query import parse_duration

    cat = catalog()
    plan = plan_gc(
        cat,
        older_than=parse_duration(older_than) if older_than else None,
        include_stale=stale,
        include_tagged=include_tagged,
        include_version_controlled=include_version_controlled,
        listed=None if yes or as_json else SHOWN_CANDIDATES,
    )
    removal = collect(plan, cat) if yes else None
    if as_json:
        print_json({"plan": plan, "removal": removal})
        if removal is not None and removal.failed:
            raise typer.Exit(EXIT_USER_ERROR)
        return
    out = console()
    table = Table(box=None, pad_edge=False, header_style="bold")
    for header, justify in (("reason", "left"), ("artifacts", "right"), ("size", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for reason in REASONS:
        if plan.counts[reason]:
            table.add_row(reason, str(plan.counts[reason]), human_size(plan.bytes[reason]))
    candidates = sum(plan.counts.values())
    table.add_row("[bold]total[/]", f"[bold]{candidates}[/]", f"[bold]{human_size(plan.total_bytes)}[/]")
    out.print(table)
    for candidate in plan.candidates[:SHOWN_CANDIDATES]:
        out.print(f"  {candidate.reason:<10} {literal(candidate.record.label)}  [dim]{literal(candidate.detail)}[/]", soft_wrap=True)
    if candidates > SHOWN_CANDIDATES:
        out.print(f"  [dim]... and {candidates - SHOWN_CANDIDATES} more (--json lists all)[/]")
    if plan.protected_count:
        out.print(
            f"[dim]{plan.protected_count} more {'is' if plan.protected_count == 1 else 'are'} protected (tagged or version-controlled): "
            "--include-tagged / --include-version-controlled to collect them too.[/]"
        )
    _print_kept(plan.kept)
    if plan.unchecked:
        out.print(
            f"[dim]Not checked against today's classes: {count(plan.unchecked, 'successful artifact')}, kept whether "
            "stale or not. `furu gc --stale` checks them and lists the stale ones (it imports your classes, so it "
            "takes longer).[/]",
            soft_wrap=True,
        )
    if removal is None:
        if candidates:
            out.print(f"Dry run: nothing deleted. furu gc --yes deletes {count(candidates, 'artifact')} ({human_size(plan.total_bytes)}).")
        return
    out.print(f"Deleted {count(len(removal.removed), 'artifact')}, freed {human_size(removal.freed_bytes)}.")
    for skipped in removal.skipped:
        out.print(f"[yellow]kept[/] {literal(skipped.record.label)}: {literal(skipped.detail)}", soft_wrap=True)
    for failed in removal.failed:
        out.print(f"[red]not removed[/] {literal(failed.record.label)}: {literal(failed.detail)}", soft_wrap=True)
    for warning in removal.warnings:
        _warn(warning)
    if removal.failed:
        raise typer.Exit(EXIT_USER_ERROR)


def _print_kept(kept: list[GcKept]) -> None:
    """The artifacts gc will not delete, by kind, each with its path and why."""
    from furu.gc import KEPT_KINDS
    from furu.layout import shown_path

    if not kept:
        return
    out = console()
    why = {
        "unknown": "a class of its config does not import here, so gc cannot judge it",
        "stale": "today's classes no longer rebuild their configs (--stale deletes them)",
        "damaged": "a furu file is unreadable, but the result still loads",
    }
    for kind in KEPT_KINDS:
        items = [item for item in kept if item.kind == kind]
        if not items:
            continue
        size = sum(item.record.size_bytes or 0 for item in items)
        out.print(f"Kept {len(items)} {kind}{f' ({human_size(size)})' if size else ''}: {why[kind]}.", soft_wrap=True)
        for item in items[:SHOWN_CANDIDATES]:
            out.print(
                f"  {kind:<10} {literal(item.record.label)}  [dim]{literal(item.detail)}  {literal(shown_path(item.record.dir))}[/]",
                soft_wrap=True,
            )
        if len(items) > SHOWN_CANDIDATES:
            out.print(f"  [dim]... and {len(items) - SHOWN_CANDIDATES} more (--json lists all)[/]")


def _warn(message: str) -> None:
    typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)


@app.command("du", rich_help_panel=PANEL_MANAGE)
def du_command(
    by: Annotated[str, typer.Option("--by", help="Group by namespace, class or artifact.")] = "class",
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show the N largest (0 = all).")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Disk usage by namespace, class or artifact, largest first, with totals."""
    from rich.table import Table

    from furu.usage import disk_usage

    if by not in ("namespace", "class", "artifact"):
        raise typer.BadParameter(f"--by must be namespace, class or artifact, not {by!r}")
    check_limit(limit)
    usage = disk_usage(by, catalog=catalog(), limit=limit or None)  # type: ignore[arg-type]
    if as_json:
        print_json(usage)
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(by)
    table.add_column("artifacts", justify="right")
    table.add_column("size", justify="right")
    for row in usage.rows:
        table.add_row(literal(row.key), str(row.artifacts), human_size(row.bytes))
    if usage.raw_bytes:
        table.add_row("[dim](raw/ shared files)[/]", "", human_size(usage.raw_bytes))
    table.add_row("[bold]total[/]", f"[bold]{usage.artifacts}[/]", f"[bold]{human_size(usage.total_bytes)}[/]")
    console().print(table)


@app.command("tag", rich_help_panel=PANEL_MANAGE)
def tag_command(
    ref: RefArgument,
    tags: Annotated[list[str], typer.Argument(help="Tags to add (tagged artifacts are kept by gc).")],
    as_json: JsonOption = False,
) -> None:
    """Tag an artifact (e.g. best, paper); `furu ls tag=best` finds it."""
    from furu.annotations import add_tags

    _annotate(ref, as_json, lambda path: add_tags(path, tags))


@app.command("untag", rich_help_panel=PANEL_MANAGE)
def untag_command(
    ref: RefArgument,
    tags: Annotated[list[str], typer.Argument(help="Tags to remove.")],
    as_json: JsonOption = False,
) -> None:
    """Remove tags from an artifact."""
    from furu.annotations import remove_tags

    _annotate(ref, as_json, lambda path: remove_tags(path, tags))


@app.command("name", rich_help_panel=PANEL_MANAGE)
def name_command(
    ref: RefArgument,
    name: Annotated[str | None, typer.Argument(help="The name; omit with --clear.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the name.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Give an artifact a human name, shown by furu ls."""
    from furu.annotations import set_name

    if (name is None) == (not clear):
        raise typer.BadParameter("give a NAME, or --clear to remove the name")
    _annotate(ref, as_json, lambda path: set_name(path, None if clear else name))


def _annotate(ref: str, as_json: bool, change: object) -> None:
    from furu.atomic import DISK_FULL
    from furu.refs import resolve_entry

    cat = catalog()
    entry = resolve_entry(ref, cat)
    try:
        change(entry.dir)  # type: ignore[operator]
    except OSError as error:
        raise FuruError(
            f"Cannot change {entry.fqn} {entry.hash[:8]}: {error.strerror or error}"
            f"{f' ({error.filename})' if error.filename else ''}. "
            + ("Free some space and try again." if error.errno in DISK_FULL else "Check that its .furu/ is a writable directory.")
        ) from None
    cat.validate([entry])
    record = cat.records([entry], details=False)[0]
    if as_json:
        print_json(record)
        return
    tags = ", ".join(record.tags) or "none"
    console().print(
        f"{literal(record.label)}  ", status_text(record.status), f"  name: {literal(record.name or '-')}  tags: {literal(tags)}", sep=""
    )
