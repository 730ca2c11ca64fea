"""The typer application, its command groups, and how errors reach the terminal.

Each command module registers its commands on :data:`app` under a help panel,
so ``furu --help`` reads as a grouped table of contents. Command functions
only parse, call the library and render: anything they do is callable from
Python too.

Errors: a :class:`~furu.errors.FuruError` (or a usage error) prints one line
and exits with code 1; ``furu --debug ...`` shows the traceback instead.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

import typer
from typer.core import HAS_RICH, TyperArgument, TyperCommand, TyperGroup, TyperOption

from furu.cli.fast_help import import_rich_utils
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


class _Flag(TyperOption):
    """Help shows ``--json``, not ``--json <bool>``, and ``--sweep <str>`` (repeatable), not ``<list[str]>``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        shown = super().display_type_rich(ctx)
        if shown and shown.startswith("<list[") and shown.endswith("]>"):
            return f"<{shown[6:-2]}>"
        return shown


class _Argument(TyperArgument):
    """A positional argument: help shows ``REF...`` (usage and table), not ``{ref}...`` and ``<list[str]>``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    @property
    def display_name_raw(self) -> str:
        return (self.metavar or self.name or "").upper()

    def _usage_display_name(self) -> str:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"


def _plain(params: list[Any]) -> list[Any]:
    """The same parameters, shown as above (typer builds them itself, the help option lazily;
    re-classing them, same data and one display method more, is the one hook that does not
    mean wrapping every ``typer.Option`` of every command module)."""
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _Flag
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    return params


class _FuruCommand(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _load_help_renderer(self.rich_markup_mode)
        super().format_help(ctx, formatter)


class _FuruGroup(TyperGroup):
    """Turns user errors into one line on stderr and exit code 1; help without type tags on flags."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            if type(command) is TyperCommand:
                command.__class__ = _FuruCommand

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _load_help_renderer(self.rich_markup_mode)
        super().format_help(ctx, formatter)

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


def _load_help_renderer(markup_mode: str | None) -> None:
    """typer's rich help module, without the markdown and traceback parts furu's help never uses (see fast_help)."""
    if HAS_RICH and markup_mode is not None:
        import_rich_utils()


def _usage_line(error: UsageError) -> str:
    """``Missing argument 'REF'. See `furu show --help`.``: the usage error in one line."""
    command = error.ctx.command_path if error.ctx is not None else "furu"
    return f"{_plain_words(error.format_message()).rstrip('.')}. See `{command} --help`."


_PYDANTIC_WORDING = (
    (re.compile(r"Input should be a valid integer[^.;]*"), "expected a whole number (e.g. 10)"),
    (re.compile(r"Input should be a valid number[^.;]*"), "expected a number (e.g. 0.5)"),
    (re.compile(r"Input should be a valid boolean[^.;]*"), "expected true or false"),
    (re.compile(r"Input should be "), "expected "),
    (re.compile(r"Value error, "), ""),
)


def _plain_words(message: str) -> str:
    """typer reads option values with pydantic; its "Input should be a valid integer, unable to
    parse string as an integer" becomes "expected a whole number (e.g. 10)"."""
    for pattern, plain in _PYDANTIC_WORDING:
        message = pattern.sub(plain, message)
    return message


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
