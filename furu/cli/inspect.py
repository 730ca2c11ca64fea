"""``furu ls``, ``furu show``, ``furu logs``: find artifacts and look inside one."""

from __future__ import annotations

import os
import time
from typing import Annotated, Any

import typer

from furu.cli.app import PANEL_FIND, app
from furu.cli.completion import complete_ref, complete_sort
from furu.cli.render import (
    JSON_HELP,
    catalog,
    check_limit,
    console,
    fit_table,
    literal,
    print_json,
    status_text,
)
from furu.humanize import CODE_MARKS, STATUS_STYLE, human_duration, human_size, human_time, short_value

DEFAULT_LIMIT = 50
DEFAULT_SORT = "created"  # furu.query.DEFAULT_SORT; library modules are imported when a command runs

RefArgument = Annotated[
    list[str],
    typer.Argument(
        help="A hash or unique prefix, an artifact directory, or module:Class key=value ...",
        autocompletion=complete_ref,
        show_default=False,
    ),
]


@app.command("ls", rich_help_panel=PANEL_FIND)
def ls_command(
    filters: Annotated[
        list[str] | None,
        typer.Argument(
            help=(
                "Filters, all must hold: status=failed class~Train lr>1e-3 data.name=toy created>2026-11-01 tag=best "
                "code_changed=true; combine with or, not and parentheses: 'status=failed or (lr>1e-3 and not tag=best)'"
            )
        ),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort", "-s", autocompletion=complete_sort,
            help=(
                "created, updated, runtime, status, class, namespace, size, hash, name, host, user or a config path; "
                "several as created,-runtime (- reverses one)."
            ),
        ),
    ] = DEFAULT_SORT,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the sort order.")] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", "-n", help=f"Show at most N (default {DEFAULT_LIMIT}; all with --json; 0 = all).")
    ] = None,
    columns: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Add a config field column (repeat, or comma-separate): -c lr,data.name")
    ] = None,
    show_path: Annotated[bool, typer.Option("--path", help="Add the artifact directory column.")] = False,
    rescan: Annotated[
        bool, typer.Option("--rescan", help="Re-read every artifact directory (after changes made by other tools or by hand).")
    ] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale",
            help="Only stale results (today's classes no longer rebuild them to the same hash), with why; the same as adding the filter stale=true; imports your classes.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """List artifacts: newest first, filtered, sorted, with chosen config fields."""
    from rich.table import Table
    from rich.text import Text

    from furu.catalog.pages import known_config_paths, page
    from furu.query import And, Term, parse_expression, parse_filter, shadowed_config_keys

    check_limit(limit)
    effective_limit = limit if limit is not None else (0 if as_json else DEFAULT_LIMIT)
    cat = catalog()
    if rescan:
        cat.rescan()
    expression = parse_expression(filters or [])
    if stale:
        expression = And((expression, Term(parse_filter("stale=true"))))
    listing = page(expression, sort=sort, reverse=reverse, limit=effective_limit, sizes=True, catalog=cat)
    if as_json:
        print_json(listing.records)
        return
    paths = [column.strip() for text in columns or [] for column in text.split(",") if column.strip()]
    table = Table(box=None, pad_edge=False, header_style="bold")
    labelled = any(record.name or record.tags for record in listing.records)  # else the column is noise
    drifted = any(record.code_changed for record in listing.records)
    code = ["code"] if drifted else []
    for header in ("class", "hash", "status", "created", "runtime", "size", *code, *(["name/tags"] if labelled else []), *paths):
        table.add_column(literal(header), no_wrap=header != "name/tags", justify="right" if header in ("runtime", "size") else "left")
    if show_path:
        table.add_column("dir", no_wrap=True)
    for record in listing.records:
        label = " ".join(filter(None, [record.name, *(f"#{tag}" for tag in record.tags)]))
        row: list[Any] = [
            Text(record.class_name), Text(record.short_hash), _status_cell(record), human_time(record.created),
            human_duration(record.runtime_secs), human_size(record.size_bytes),
            *([Text(CODE_MARKS[record.code_drift.kind] if record.code_drift else "")] if drifted else []),
            *([Text(label)] if labelled else []),
            *(Text(_cell(record.config, path)) for path in paths),
        ]
        table.add_row(*row, *([Text(os.path.relpath(record.dir))] if show_path else []))
    out = console()
    if listing.records:
        fit_table(table, ("name/tags", "dir"), out.width)
        out.print(table)
    shown, matched = len(listing.records), listing.matched
    more = "; --limit 0 shows all" if shown < matched else ""
    broken = [
        f"{count} {status}" for status in ("damaged", "corrupt")
        if (count := sum(record.status == status for record in listing.records))
    ]
    counts = f" ({', '.join(broken)} shown)" if broken else ""
    out.print(f"[dim]{shown} shown, {matched} matching, {listing.total} artifacts{counts}{more}[/]")
    if drifted:
        out.print(f"[dim]{CODE_LEGEND}[/]", soft_wrap=True)
    for record in listing.records if stale else []:
        why = [*record.stale_reasons, *(["its declared history still finds it"] if record.stale_still_loads else [])]
        out.print(f"{literal(record.short_hash)} is stale: {literal('; '.join(why))}", soft_wrap=True)
    if not matched:
        for shadowing in shadowed_config_keys(expression.filters(), known_config_paths(cat)):
            config_form = "config." + shadowing.text
            key = literal(shadowing.key)
            out.print(
                f"[dim]`{key}` is a built-in key (furu's own {key}); for the config field "
                f"`{key}`, write {literal(repr(config_form))}.[/]", soft_wrap=True,
            )
    for record in listing.records:
        if record.status in ("damaged", "corrupt"):
            out.print(f"{_problem_line(record)}", soft_wrap=True)


@app.command("show", rich_help_panel=PANEL_FIND)
def show_command(
    ref: RefArgument,
    log_lines: Annotated[int, typer.Option("--log-lines", help="How many log lines to show.")] = 20,
    patch: Annotated[
        bool, typer.Option("--patch", help="Print only the uncommitted changes it was made with (a git diff).")
    ] = False,
    code_diff: Annotated[
        bool,
        typer.Option(
            "--code-diff", help="Print only how its class's module file differs from the one it was made with (its snapshot)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Everything about one artifact: config, state and attempts, provenance, dependencies, files, log."""
    from rich.table import Table
    from rich.text import Text

    from furu.refs import resolve_entry
    from furu.report import artifact_report

    cat = catalog()
    entry = resolve_entry(ref, cat)
    if patch:
        from furu.time_travel import uncommitted_patch

        text = uncommitted_patch(entry.dir)
        if as_json:
            print_json({"hash": entry.hash, "patch": text})
        elif not text:
            typer.echo(f"{entry.fqn} {entry.hash[:8]} was made from a clean working tree: no uncommitted changes.", err=True)
        else:
            typer.echo(text, nl=False)
        return
    if code_diff:
        from furu.report import code_diff as module_diff

        changes = module_diff(entry, cat.settings.project_root)
        if as_json:
            print_json(changes)
        elif not changes.diff:
            made = f"{entry.fqn} {entry.hash[:8]} was made"
            typer.echo(f"{changes.path} is as it was in {changes.commit[:12]}, when {made}.", err=True)
        else:
            typer.echo(changes.diff, nl=False)
        return
    report = artifact_report(entry, cat, log_lines=log_lines)
    if as_json:
        print_json(report)
        return
    out = console()
    record = report.record
    out.print(f"[bold]{literal(record.fqn)}[/] {literal(record.hash)}  ", status_text(record.status), sep="", soft_wrap=True)
    out.print(f"[dim]{literal(record.dir)}[/]", soft_wrap=True)
    facts: list[tuple[str, str | None]] = [
        ("name", record.name), ("tags", ", ".join(record.tags) or None), ("created", human_time(record.created)),
        ("updated", human_time(record.updated)), ("runtime", human_duration(record.runtime_secs)),
        ("size", human_size(record.size_bytes)), ("version", repr(record.version) if record.version else None),
        ("version-controlled", "yes" if record.version_controlled else None), ("problem", record.problem),
    ]
    for key, value in facts:
        if value:
            out.print(f"  {key:<19}{literal(value)}", soft_wrap=True)
    if record.status == "damaged":
        out.print(f"  {'result':<19}{DAMAGED_NOTE}", soft_wrap=True)
    for problem in report.problems:
        if problem != record.problem:
            out.print(f"  [red]problem[/]            {literal(problem)}", soft_wrap=True)
    if record.config is not None:
        out.print("\n[bold]config[/]")
        out.print(_config_tree(record.config))
    if report.state is not None and report.state.attempts:
        out.print("\n[bold]attempts[/]")
        table = Table(box=None, pad_edge=False, header_style="dim")
        for header in ("#", "status", "started", "runtime", "where", "error / reason"):
            table.add_column(header)
        for attempt in report.state.attempts:
            runtime = (attempt.ended_at - attempt.started_at).total_seconds() if attempt.ended_at else None
            why = f"{attempt.error.type.rsplit('.', 1)[-1]}: {attempt.error.message}" if attempt.error else attempt.reason
            table.add_row(
                str(attempt.number), status_text(attempt.status), human_time(attempt.started_at),
                human_duration(runtime), Text(_where(attempt)), Text(why or ""),
            )
        out.print(table)
        latest = report.state.attempts[-1]
        if latest.error is not None:
            out.print(f"\n[bold]traceback[/] [dim](attempt {latest.number})[/]")
            out.print(latest.error.traceback.rstrip(), markup=False, soft_wrap=True)
    if report.metadata is not None:
        meta = report.metadata
        out.print("\n[bold]provenance[/]")
        host = f"{meta.host.user}@{meta.host.hostname}, python {meta.host.python_version}"
        out.print(f"  host               {literal(host)}")
        out.print(f"  command            {literal(' '.join(meta.host.argv))}", soft_wrap=True)
        git = meta.git
        if git is None or not git.in_repository:
            out.print(f"  git                {literal((git.note if git else None) or 'not recorded')}")
        else:
            dirty = " (dirty)" if git.dirty else ""
            out.print(f"  git                {literal(git.branch or 'detached')} @ {literal((git.head_commit or '')[:12])}{dirty}")
            if git.snapshot_id:
                out.print(f"  snapshot           {literal(git.snapshot_id[:12])}  (furu timetravel {literal(record.short_hash)})")
                if git.dirty:
                    out.print(f"  uncommitted        furu show {literal(record.short_hash)} --patch")
        out.print(f"  code               {literal(_code_line(report))}", soft_wrap=True)
        for label, move in [("migrated from", meta.migrated_from), *(("migrated to", to) for to in meta.migrated_to)]:
            if move is not None:
                out.print(
                    f"  {label:<19}{literal(move.fqn)} {literal(move.hash[:8])} ({move.policy}, {human_time(move.at)})",
                    soft_wrap=True,
                )
        origin = meta.imported_from
        if origin is not None:
            by = f"{origin.exported_by_user}@{origin.exported_by_host}"
            out.print(
                f"  imported from      {literal(origin.bundle)} ({literal(by)}, "
                f"exported {human_time(origin.exported_at)}, imported {human_time(origin.imported_at)})",
                soft_wrap=True,
            )
    if report.dependencies is not None and report.dependencies.children:
        out.print("\n[bold]dependencies[/]")
        for child in report.dependencies.children:
            out.print("  ", status_text(child.status), f" {literal(child.fqn)} {literal(child.hash[:8])} [dim]({literal(child.edge)})[/]", sep="")
    if report.dependents:
        out.print("\n[bold]dependents[/]")
        for dependent in report.dependents:
            out.print("  ", status_text(dependent.status), f" {literal(dependent.label)}", sep="")
    if report.files:
        out.print("\n[bold]files[/]")
        for info in report.files:
            out.print(f"  {human_size(info.bytes):>10}  {literal(info.path)}", soft_wrap=True)
        if report.files_omitted:
            out.print(f"  [dim]... and {report.files_omitted} more[/]")
    if report.log_tail:
        out.print(f"\n[bold]log[/] [dim](last {len(report.log_tail)} lines of .furu/furu.log; furu logs {literal(record.short_hash)})[/]")
        for line in report.log_tail:
            out.print(f"  {line}", markup=False, soft_wrap=True)
    if report.python:
        out.print("\n[bold]python[/]")
        out.print(report.python.rstrip(), markup=False, soft_wrap=True)


@app.command("logs", rich_help_panel=PANEL_FIND)
def logs_command(
    ref: RefArgument,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines while the artifact runs.")] = False,
    lines: Annotated[int, typer.Option("--lines", "-n", help="Lines to show from the end (0 = all).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"path": ..., "lines": [...]} (no --follow).')] = False,
) -> None:
    """Print an artifact's log (.furu/furu.log)."""
    from furu.refs import resolve_entry
    from furu.report import tail

    cat = catalog()
    entry = resolve_entry(ref, cat)
    path = entry.record().paths.log
    if as_json:
        print_json({"path": str(path), "lines": tail(path, lines)})
        return
    for line in tail(path, lines):
        typer.echo(line)
    if not follow:
        return
    position = path.stat().st_size if path.exists() else 0
    try:
        while True:
            if path.exists() and path.stat().st_size > position:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    handle.seek(position)
                    chunk = handle.read()
                    position = handle.tell()
                typer.echo(chunk, nl=False)
                continue
            cat.validate([entry])
            if entry.status not in ("running", "queued"):
                return
            time.sleep(0.5)
    except KeyboardInterrupt:
        return


DAMAGED_NOTE = "still loads (its success marker is there); furu gc keeps it"

CODE_LEGEND = (
    "code: changed = its class's code changed since it was made, module = only its module did, gone = its class "
    "or file is no longer there (furu show HASH says what changed; furu ls code_changed=true lists them)"
)


def _problem_line(record: Any) -> str:
    """One line per damaged or corrupt artifact under a listing: what is wrong, where, and what it means."""
    style = STATUS_STYLE[record.status]
    note = f" [dim](the result {DAMAGED_NOTE})[/]" if record.status == "damaged" else ""
    return f"[{style}]{record.status}[/] {literal(record.dir)}: {literal(record.problem or 'unreadable')}{note}"


def _code_line(report: Any) -> str:
    """What ``furu show`` says of its class's code: as it was made, changed (and how to see it), or not recorded."""
    drift, recorded = report.code_drift, report.metadata.code
    if drift is not None:
        return f"{drift.sentence}: furu show {report.record.short_hash} --code-diff"
    if recorded is not None:
        return f"unchanged since it was made ({recorded.file})"
    return "not recorded (its class had no source file, or it was made before furu recorded code)"


def _status_cell(record: Any) -> Any:
    """The status, with the cluster job for artifacts in flight: ``queued (job 4242)``."""
    text = status_text(record.status)
    if record.job_id:
        text.append(f" (job {record.job_id})", style="dim")
    return text


def _where(attempt: Any) -> str:
    job = f" job {attempt.job_id}" if attempt.job_id else ""
    return f"{attempt.host} pid {attempt.pid} ({attempt.backend}{job})"


def _cell(config: dict[str, Any] | None, path: str) -> str:
    from furu.query import config_value, is_missing

    value = config_value(config, path.removeprefix("config.").split("."))
    return "-" if is_missing(value) else short_value(value)


def _config_tree(config: dict[str, Any], label: str | None = None) -> Any:
    from rich.tree import Tree

    tree = Tree(label or f"[cyan]{literal(config.get('__class__', ''))}[/]")
    for key, value in config.items():
        if key == "__class__":
            continue
        if isinstance(value, dict) and "__class__" in value:
            tree.add(_config_tree(value, f"{literal(key)} = [cyan]{literal(value['__class__'])}[/]"))
        else:
            tree.add(f"{literal(key)} = {literal(short_value(value, 80))}")
    return tree
