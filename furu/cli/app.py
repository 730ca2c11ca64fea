"""The typer application, its command groups, and how errors reach the terminal.

Each command module registers its commands on :data:`app` under a help panel,
so ``furu --help`` reads as a grouped table of contents. Command functions
only parse, call the library and render: anything they do is callable from
Python too.

Errors: a :class:`~furu.errors.FuruError` (or a usage error) prints one line
and exits with code 1; ``furu --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from furu.errors import FuruError

try:  # typer >= 0.2x ships its own copy of click (and does not install click)
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click import UsageError  # type: ignore[assignment,no-redef,import-not-found,unused-ignore]

# Help panels, in the order `furu --help` shows them.
PANEL_FIND = "Find and inspect"
PANEL_COMPARE = "Compare and explain"
PANEL_RUN = "Run"
PANEL_MANAGE = "Manage and clean up"
PANEL_REPRODUCE = "Reproduce and share"
PANEL_SETUP = "Set up"

EXIT_USER_ERROR = 1


class _FuruGroup(TyperGroup):
    """Turns user errors into one line on stderr and exit code 1."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except UsageError as error:  # options of `furu` itself
            _fail(_usage_line(error))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (FuruError, UsageError) as error:
            if ctx.meta.get("furu_debug"):
                raise
            _fail(_usage_line(error) if isinstance(error, UsageError) else str(error))


def _usage_line(error: UsageError) -> str:
    """``Missing argument 'REF'. See `furu show --help`.``: the usage error in one line."""
    command = error.ctx.command_path if error.ctx is not None else "furu"
    return f"{error.format_message().rstrip('.')}. See `{command} --help`."


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(EXIT_USER_ERROR)


app = typer.Typer(
    name="furu",
    cls=_FuruGroup,
    help="Cached, exactly-once, reproducible research pipelines.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks for errors."),
) -> None:
    ctx.meta["furu_debug"] = debug
