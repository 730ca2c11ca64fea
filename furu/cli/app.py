"""The typer application, its command groups, and how errors reach the terminal.

Each command module registers its commands on :data:`app` under a help panel,
so ``furu --help`` reads as a grouped table of contents. Command functions
only parse, call the library and render: anything they do is callable from
Python too.

Errors: a :class:`~furu.errors.FuruError` (or a usage error) prints one line
and exits with code 1; ``furu --debug ...`` shows the traceback instead.

Start-up: typer turns a command into click's form by reading every option through
pydantic, and would do that for all ~20 commands at each start although one runs. Here
``@app.command`` records the command as typer does, and the root group builds a command
with :func:`typer.main.get_command` only when it is asked for it; ``furu --help`` lists
commands from their name, panel and docstring alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from copy import copy
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
import typer.main
from typer.core import HAS_RICH, TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import CommandInfo

from furu.cli.fast_help import import_rich_utils
from furu.errors import FuruError

try:  # typer >= 0.29 reads values through pydantic (see _plain_values)
    from typer._coercion import build_runtime_param as _typer_coercion
    from typer._param_types import coerce_cli_path as _typer_path_checks
except ImportError:  # pragma: no cover - another typer
    _typer_coercion = None  # type: ignore[assignment]
    _typer_path_checks = None  # type: ignore[assignment]

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


def _plain_values(param: Any) -> Any:
    """typer's coercion of ``param``'s value, built only for a value that needs it.

    typer 0.29 reads every parameter's value through a pydantic ``TypeAdapter`` that it builds,
    with the module that builds it, the first time any value is read: about a third of
    ``furu ls``'s start-up, although an unset option is ``None``, a default already has its
    type and a word on the command line already is the ``str`` its option wants. Those values
    are returned as they are; any other (a number typed on the command line, a path, a choice)
    goes through typer's own coercion, unchanged. None where typer has no such step.
    """
    if _typer_coercion is None:  # pragma: no cover - another typer
        return None
    if param._runtime_param is None:
        param._runtime_param = _PlainCoercion(param.type_descriptor)
    return param._runtime_param


_PLAIN_TYPES = (str, bool, int)


class _PlainCoercion:
    """See :func:`_plain_values`."""

    def __init__(self, descriptor: Any) -> None:
        annotation = descriptor.annotation
        plain = not descriptor.is_ranged and not descriptor.is_choice
        item = annotation.__args__[0] if getattr(annotation, "__origin__", None) is list else None
        self._type = annotation if plain and annotation in _PLAIN_TYPES else None
        self._item = item if plain and item in _PLAIN_TYPES else None
        # A Path option: typer's pydantic step only turns the word into a Path, before the
        # checks of its own path options (exists, readable, ...), which run unchanged.
        self._path = annotation is Path and descriptor.is_path and descriptor.parameter_info.path_type is None
        self._descriptor = descriptor
        self._typer: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # as typer's own coercion has it
            return () if param.multiple or param.nargs == -1 else None
        if self._type is not None and type(value) is self._type:
            return value
        if self._item is not None and isinstance(value, (list, tuple)) and all(type(v) is self._item for v in value):
            return list(value)
        if self._path and type(value) is str and _typer_path_checks is not None:
            return _typer_path_checks(Path(value), self._descriptor.parameter_info, path_type=Path, param=param, ctx=ctx)
        if self._typer is None:
            self._typer = _typer_coercion(self._descriptor)
        return self._typer.coerce(value, param=param, ctx=ctx)


class _Flag(TyperOption):
    """Help shows ``--json``, not ``--json <bool>``, and ``--sweep <str>`` (repeatable), not ``<list[str]>``."""

    def get_runtime_param(self) -> Any:
        return _plain_values(self) or super().get_runtime_param()

    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag:
            return None
        shown = super().display_type_rich(ctx)
        if shown and shown.startswith("<list[") and shown.endswith("]>"):
            return f"<{shown[6:-2]}>"
        return shown


class _Argument(TyperArgument):
    """A positional argument: help shows ``REF...`` (usage and table), not ``{ref}...`` and ``<list[str]>``."""

    def get_runtime_param(self) -> Any:
        return _plain_values(self) or super().get_runtime_param()

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


_Function = TypeVar("_Function", bound=Callable[..., Any])


class _FuruTyper(typer.Typer):
    """typer's app, except that ``@app.command`` sets the command aside for the root group.

    typer converts every registered command when it converts the app; a command set aside
    here is converted by :class:`_Commands` on first use, with typer's own conversion.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deferred_commands: list[CommandInfo] = []

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[_Function], _Function]:
        register = super().command(name, **kwargs)

        def defer(function: _Function) -> _Function:
            register(function)  # typer's CommandInfo, with every setting as typer records it
            self.deferred_commands.append(self.registered_commands.pop())
            return function

        return defer


def _command_name(info: CommandInfo) -> str:
    """``furu NAME``: the name given to ``@app.command``, else typer's from the function's."""
    assert info.callback is not None, "typer requires a callback for a command"
    return info.name or typer.main.get_command_name(info.callback.__name__)


def _summary_info(info: CommandInfo) -> CommandInfo:
    """The same command with a callback that takes nothing: typer converts it without reading
    an option, and gives it the name, help text and panel it would give the real one."""

    def callback() -> None:  # pragma: no cover - a summary is listed, never invoked
        raise AssertionError("a command summary is never invoked")

    real = info.callback
    assert real is not None, "typer requires a callback for a command"
    callback.__name__, callback.__qualname__ = real.__name__, real.__qualname__
    callback.__module__, callback.__doc__ = real.__module__, real.__doc__
    summary = copy(info)
    summary.callback = callback
    return summary


class _Commands(MutableMapping[str, Any]):
    """The root group's ``commands``: every name at once, each command converted when first read.

    The names (typer's "did you mean" reads them) cost nothing; reading ``commands[name]``
    (``get_command``) converts that one command with :func:`typer.main.get_command`, and
    :meth:`summary` is what help and completion list.
    """

    def __init__(self, infos: list[CommandInfo], typer_app: typer.Typer, built: MutableMapping[str, Any]) -> None:
        self._infos = {_command_name(info): info for info in infos}
        self._app = typer_app
        self._built: dict[str, Any] = dict(built)
        self._summaries: dict[str, Any] = {}

    def _convert(self, info: CommandInfo) -> Any:
        single = typer.Typer(
            add_completion=False,
            rich_markup_mode=self._app.rich_markup_mode,
            pretty_exceptions_short=self._app.pretty_exceptions_short,
        )
        single.registered_commands.append(info)
        command = typer.main.get_command(single)
        if type(command) is TyperCommand:
            command.__class__ = _FuruCommand
        return command

    def summary(self, name: str) -> Any:
        """The command for a listing (``furu --help``, completing a command name): no options."""
        if name in self._built:
            return self._built[name]
        if name not in self._summaries and name in self._infos:
            self._summaries[name] = self._convert(_summary_info(self._infos[name]))
        return self._summaries.get(name)

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._convert(self._infos[name])  # KeyError: no such command
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._infos and name not in self._built:
            raise KeyError(name)
        self._infos.pop(name, None)
        self._built.pop(name, None)
        self._summaries.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._infos
        yield from (name for name in self._built if name not in self._infos)

    def __len__(self) -> int:
        return len(self._infos.keys() | self._built.keys())


class _FuruGroup(TyperGroup):
    """Turns user errors into one line on stderr and exit code 1; help without type tags on flags.

    Its commands are :data:`app`'s, converted one at a time (:class:`_Commands`): the one that
    runs, and for ``furu --help`` and completing a command's name, summaries of them all.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: _Commands = _Commands(app.deferred_commands, app, self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # typer's reads every value: it would convert every command

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return self.commands.summary(cmd_name) if self._listing else self.commands.get(cmd_name)

    @contextmanager
    def _summaries(self) -> Iterator[None]:
        """While help or completion lists the commands, ``get_command`` gives summaries."""
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(super().get_params(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _load_help_renderer(self.rich_markup_mode)
        with self._summaries():
            super().format_help(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        with self._summaries():  # command names and their one-line help
            return super().shell_complete(ctx, incomplete)

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


app = _FuruTyper(
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
