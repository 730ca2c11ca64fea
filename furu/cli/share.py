"""``furu export`` and ``furu import``: share experiments as one bundle file (see docs/sharing.md)."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from furu.cli.app import EXIT_USER_ERROR, PANEL_REPRODUCE, app
from furu.cli.render import JSON_HELP, console, literal, print_json, progress_bar
from furu.humanize import count, human_size
from furu.progress import Progress

if TYPE_CHECKING:  # furu.share imports pygit2 and dulwich: only when a command runs
    from furu.share import ExportReport, ImportReport

PROGRESS_MIN_BYTES = 64 * 2**20


class CodeOption(str, Enum):
    bundle = "bundle"
    none = "none"


@app.command("export", rich_help_panel=PANEL_REPRODUCE)
def export_command(
    refs: Annotated[
        list[str],
        typer.Argument(
            help="Artifacts: hashes or unique prefixes, artifact directories, or quoted config specs "
            "('pkg.mod:Train lr=3e-4').",
            metavar="REF",
            show_default=False,
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write.", show_default=False)],
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Leave out the dependencies.")] = False,
    code: Annotated[
        CodeOption,
        typer.Option(
            "--code",
            help="bundle: include the snapshot commits (time travel works at the receiver); none: leave them out.",
        ),
    ] = CodeOption.bundle,
    force: Annotated[bool, typer.Option("--force", help="Replace the bundle file if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Write artifacts, their dependencies and their code into one bundle file to send to someone."""
    from furu.errors import FuruError
    from furu.share import export

    if not force and os.path.lexists(output):
        # checked before any artifact is read: a bundle someone already sent must not vanish silently
        raise FuruError(f"{output} already exists; add --force to replace it, or choose another --output.")
    report = export(refs, output, deps=not no_deps, code=code.value, progress=_progress(as_json))
    if as_json:
        print_json(report)
        return
    _print_export(report)


@app.command("import", rich_help_panel=PANEL_REPRODUCE)
def import_command(
    bundle: Annotated[Path, typer.Argument(help="A bundle written by `furu export`.", metavar="BUNDLE", show_default=False)],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Verify the bundle and say what would happen; write nothing.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace artifacts that have the same hash but a different result.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Verify a bundle and add its artifacts (and code snapshots) to this project."""
    from furu.share import import_bundle

    report = import_bundle(bundle, dry_run=dry_run, overwrite=overwrite, progress=_progress(as_json))
    if as_json:
        print_json(report)
    else:
        _print_import(report)
    refused = report.with_action("refused")
    if refused:
        typer.secho(
            f"error: {count(len(refused), 'artifact')} of {len(report.experiments)} refused (see the reasons above).",
            fg=typer.colors.RED, err=True,
        )
        raise typer.Exit(EXIT_USER_ERROR)


def _print_export(report: ExportReport) -> None:
    out = console()
    out.print(f"Wrote [cyan]{literal(report.path)}[/] ({human_size(report.size_bytes)})", soft_wrap=True)
    for item in report.experiments:
        role = "" if item.requested else " [dim](dependency)[/]"
        artifact = literal(f"{item.fqn} {item.hash[:8]}")
        out.print(f"  {artifact}  {item.files} files, {human_size(item.bytes)}{role}", soft_wrap=True)
        for path in item.unpickles_code:
            out.print(f"    [yellow]unpickles code on load:[/] {literal(path)}", soft_wrap=True)
    if report.snapshot_ids:
        out.print(f"  code: {count(len(report.snapshot_ids), 'snapshot commit')} as a git bundle", soft_wrap=True)
    else:
        out.print("  code: none" + (" (--code none)" if report.code == "none" else ""), soft_wrap=True)
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/] {literal(warning)}", soft_wrap=True)


_VERBS = {
    False: {"imported": "imported", "replaced": "replaced", "skipped": "skipped", "refused": "refused"},
    True: {"imported": "would import", "replaced": "would replace", "skipped": "would skip", "refused": "would refuse"},
}
_STYLES = {"imported": "green", "replaced": "yellow", "skipped": "dim", "refused": "red"}


def _print_import(report: ImportReport) -> None:
    out = console()
    dry = " [bold](dry run: nothing written)[/]" if report.dry_run else ""
    out.print(
        f"Bundle {literal(Path(report.bundle).name)}: exported by {literal(report.exported_by)} on "
        f"{report.exported_at:%Y-%m-%d %H:%M} UTC (furu {literal(report.exporter_furu_version)}){dry}",
        soft_wrap=True,
    )
    for item in report.experiments:
        verb = _VERBS[report.dry_run][item.action]
        reason = f"  [dim]{literal(item.reason)}[/]" if item.reason else ""
        artifact = literal(f"{item.fqn} {item.hash[:8]}")
        out.print(f"  [{_STYLES[item.action]}]{verb:<13}[/] {artifact}{reason}", soft_wrap=True)
        for path in item.unpickles_code if item.action in ("imported", "replaced") else []:
            out.print(
                f"    [yellow]unpickles code on load:[/] {literal(path)} (load it only if you trust the sender)", soft_wrap=True
            )
    counts = {action: len(report.with_action(action)) for action in ("imported", "replaced", "skipped", "refused")}
    out.print("  " + ", ".join(f"{n} {_VERBS[report.dry_run][action]}" for action, n in counts.items()), soft_wrap=True)
    code = report.code
    if code.fetched or code.already_present:
        out.print(
            f"  code: {count(len(code.fetched), 'snapshot')} fetched into refs/furu/snapshots/, "
            f"{len(code.already_present)} already there; `furu timetravel <hash>` works",
            soft_wrap=True,
        )
    elif code.snapshot_ids and report.dry_run:
        out.print(
            f"  code: would fetch {count(len(code.snapshot_ids), 'snapshot')}" + (f" ({literal(code.note)})" if code.note else ""),
            soft_wrap=True,
        )
    elif code.note:
        out.print(f"  code: {literal(code.note)}", soft_wrap=True)
    for ref in report.missing_dependencies:
        out.print(
            f"[yellow]warning:[/] the exporter did not have dependency {literal(f'{ref.fqn} {ref.hash[:8]}')}", soft_wrap=True
        )


def _progress(quiet: bool) -> Progress:
    return progress_bar(unit="bytes", minimum=PROGRESS_MIN_BYTES, quiet=quiet)
