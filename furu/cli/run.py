"""``furu run``: build configs from the command line (with sweeps) and load or create each.

With ``--executor submitit`` (or its other name ``slurm``) each config is
submitted through the executor of ``[tool.furu.executor]``
(:mod:`furu.cluster.runs`) and the command returns once the jobs are queued;
``--wait`` waits for them and reports each one's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from furu.cli.app import EXIT_USER_ERROR, PANEL_RUN, app
from furu.cli.render import JSON_HELP, console, fit_table, print_json, status_text
from furu.humanize import human_duration

if TYPE_CHECKING:
    from furu.cluster.runs import Submission

_STYLE = {
    "loaded": "green", "created": "green", "cached": "green", "failed": "red", "missing": "yellow", "running": "cyan",
    "submitted": "cyan", "joined": "cyan", "elsewhere": "cyan",
}
Executor = Literal["local", "submitit", "slurm"]


@app.command("run", rich_help_panel=PANEL_RUN)
def run_command(
    target: Annotated[str, typer.Argument(help="The class, as module:Class (e.g. mypkg.train:Train).")],
    assignments: Annotated[list[str] | None, typer.Argument(help="Fields to set: lr=3e-4 data.name=toy")] = None,
    sweep: Annotated[
        list[str] | None, typer.Option("--sweep", help="Values to sweep, key=v1,v2 (repeat: cartesian product).")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would be loaded or created.")] = False,
    executor: Annotated[
        Executor,
        typer.Option(
            "--executor",
            help="local: here, one after the other. submitit (or slurm): submit each as a job through the executor "
            "in \\[tool.furu.executor] of pyproject.toml, then return.",
        ),
    ] = "local",
    wait: Annotated[
        bool, typer.Option("--wait", help="With --executor submitit: wait for the jobs and report each result.")
    ] = False,
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
    if wait and executor == "local":
        raise typer.BadParameter("--wait goes with --executor submitit (a local run always waits).", param_hint="--wait")
    if executor != "local" and not dry_run:
        from furu.cluster.executor import configured_executor

        submitter = configured_executor()  # before importing the user's code: a missing setting is said at once
        _submit(build_sweep(target, words, sweep or []), submitter, wait=wait, as_json=as_json)
        return
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



def _submit(configs: Sequence[tuple[list[str], Any]], executor: Any, *, wait: bool, as_json: bool) -> None:
    """Submit the configs, print each one's job; with ``wait``, each result as its job ends, then the table again."""
    from furu.cluster.runs import submit_configs, wait_for

    submissions = submit_configs(configs, executor)
    if not as_json:
        _submission_table(submissions)
        if wait and any(s.pending for s in submissions):
            typer.echo(f"waiting for {sum(s.pending for s in submissions)} job(s); ctrl-c stops waiting, not the jobs.")
    if wait:
        try:
            wait_for(submissions, on_done=None if as_json else _print_done)
        except KeyboardInterrupt:
            typer.secho("stopped waiting; the jobs keep running (furu ls shows them).", fg=typer.colors.YELLOW, err=True)
            raise typer.Exit(130) from None
        if not as_json:
            _submission_table(submissions)
    if as_json:
        print_json([s.outcome for s in submissions])
    failed = [s for s in submissions if s.outcome.outcome == "failed"]
    if failed:
        typer.secho(f"error: {len(failed)} of {len(submissions)} configs failed.", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_USER_ERROR)


def _submission_table(submissions: list[Submission]) -> None:
    from rich.table import Table
    from rich.text import Text

    from furu.layout import shown_path

    table = Table(box=None, pad_edge=False, header_style="bold")
    for header in ("config", "hash", "outcome", "job", "result", "directory"):
        table.add_column(header, overflow="fold")
    for submission in submissions:
        item = submission.outcome
        table.add_row(
            Text(" ".join(item.assignments) or "(defaults)"), Text(item.hash[:8]),
            Text(item.outcome, style=_STYLE.get(item.outcome, "")), Text(item.job_id or ""),
            Text(_one_line(item.error or item.result or "")), Text(shown_path(item.dir)),
        )
    out = console()
    fit_table(table, ("config", "result", "directory"), out.width)
    out.print(table)


def _print_done(submission: Submission) -> None:
    item = submission.outcome
    job = f"job {item.job_id}" if item.job_id else "the process creating it"
    words = " ".join(item.assignments) or "(defaults)"
    error = item.error.strip().splitlines()[0] if item.error and item.error.strip() else None  # the rest: --json, the log below
    typer.echo(f"{job} ({item.hash[:8]} {words}): {item.outcome}" + (f": {error}" if error else ""))
    if item.log_tail:
        typer.echo(f"  last lines of {item.stderr} and {item.stdout}:")
        for line in item.log_tail:
            typer.echo(f"  | {line}")
