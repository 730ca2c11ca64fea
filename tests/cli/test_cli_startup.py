"""What ``furu --help``, ``furu ls`` and ``import furu`` load: start-up stays cheap (speeds are in scripts/bench.py).

Each check runs a new interpreter, because this test process has long since imported
everything: only a fresh process shows what start-up itself pulls in.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from throwaway import create, furu, make_project, python

# Heavy modules a help screen never needs: markdown_it and pygments come with rich.markdown,
# rich.pretty and attrs with rich.traceback, pydantic.main with any furu model.
HEAVY = ("markdown_it", "pygments", "rich.markdown", "rich.traceback", "rich.pretty", "pydantic.main", "furu.catalog", "furu.core")


def _run(code: str, cwd: Path, **env: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("args", "shows", "heavy"),
    [
        (["--help"], "│ ls ", HEAVY),
        ([], "Find and inspect", HEAVY),
        (["ls", "--help"], "--sort", HEAVY),
    ],
)
def test_help_renders_without_loading_markdown_tracebacks_or_models(
    tmp_path: Path, args: list[str], shows: str, heavy: tuple[str, ...]
) -> None:
    out = _run(
        f"""
        import contextlib, io, sys
        from furu.cli import main
        sys.argv = ["furu", *{args!r}]
        shown = io.StringIO()
        with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
            main()
        assert {shows!r} in shown.getvalue(), shown.getvalue()
        print(sorted(name for name in {heavy!r} if name in sys.modules))
        """,
        tmp_path,
    )
    assert out == "[]\n"


def test_import_furu_loads_no_pydantic_typer_or_rich(tmp_path: Path) -> None:
    out = _run("import sys, furu; print(sorted(m for m in ('pydantic', 'typer', 'rich') if m in sys.modules))", tmp_path)
    assert out == "[]\n"


def test_deferred_names_are_the_real_classes_when_used(tmp_path: Path) -> None:
    """typer's markdown help and pretty tracebacks still work after the fast import: they get rich's own classes."""
    out = _run(
        """
        import sys
        from furu.cli.fast_help import import_rich_utils
        import_rich_utils()
        import typer.rich_utils as rich_utils
        assert "rich.markdown" not in sys.modules and "markdown_it" not in sys.modules

        import typer
        from typer.testing import CliRunner
        md_app = typer.Typer(rich_markup_mode="markdown")

        @md_app.command()
        def hello() -> None:
            '''Say **hello** in `markdown`.'''

        @md_app.command()
        def other() -> None:
            '''Another.'''

        shown = CliRunner().invoke(md_app, ["hello", "--help"]).output
        print("Say hello in markdown." in " ".join(shown.split()), "**" not in shown, "markdown_it" in sys.modules)

        import rich.markdown
        real = rich.markdown.Markdown("# hi")
        print(type(real).__module__, hasattr(rich.markdown, "Heading"), sys.modules["rich.markdown"] is rich.markdown)
        print(isinstance(real, rich_utils.Markdown), isinstance(rich_utils.Markdown("x"), rich.markdown.Markdown))
        try:
            raise ValueError("boom")
        except ValueError as error:
            shown = rich_utils.Traceback.from_exception(type(error), error, error.__traceback__)
        import rich.traceback
        print(type(shown) is rich.traceback.Traceback)
        """,
        tmp_path,
    )
    assert out.splitlines() == ["True True True", "rich.markdown True True", "True True", "True"]


def test_a_typer_that_wants_more_from_those_modules_is_imported_the_ordinary_way(tmp_path: Path) -> None:
    """If a newer typer imports a name the stand-ins lack, the stand-ins step aside and the import succeeds."""
    (tmp_path / "newer_rich_utils.py").write_text("from rich.markdown import Markdown, Heading\nfrom rich.traceback import Traceback\n")
    out = _run(
        """
        import sys
        from furu.cli import fast_help
        fast_help.RICH_UTILS = "newer_rich_utils"
        fast_help.import_rich_utils()
        import newer_rich_utils, rich.markdown
        print(newer_rich_utils.Markdown is rich.markdown.Markdown, newer_rich_utils.Heading is rich.markdown.Heading)
        print(sys.modules["rich.markdown"] is rich.markdown, rich.markdown.__file__ is not None)
        """,
        tmp_path,
        PYTHONPATH=str(tmp_path),
    )
    assert out.splitlines() == ["True True", "True True"]


# ``furu ls`` shows the catalog's summary of each artifact (config and dependencies included): it
# never needs metadata.json's own models (host, environment, git, resources), a run's events or its
# error record, so none of their validators is built (defer_build, see furu.schema.Record) ...
UNBUILT_BY_LS = (
    "furu.metadata.Metadata", "furu.metadata.ConfigRecord", "furu.metadata.ImportOrigin",
    "furu.environment.HostInfo", "furu.environment.PackageEnvironment", "furu.environment.LockFileDigest",
    "furu.provenance.model.GitProvenance", "furu.provenance.model.SkippedFile", "furu.provenance.model.SubmoduleRecord",
    "furu.resources.ResourceUsage", "furu.resources.GpuUsage", "furu.state.Event", "furu.state.ErrorInfo",
)
# ... and the modules that define them are not imported (DependencyRef has a module of its own for that).
# typer._adapters: typer's pydantic coercion, which no option of a plain `furu ls` needs (see furu.cli.app._plain_values).
# pydantic.main: a listing builds its records, pages and settings as dataclasses, and reads no model
# (furu.catalog.record explains why).
UNIMPORTED_BY_LS = (
    "furu.metadata", "furu.environment", "furu.provenance", "furu.resources", "furu.core", "furu.execution", "pygit2",
    "typer._adapters", "pydantic.main", "furu.state", "furu.locking", "furu.schema",
)

_LS_AND_REPORT = """
    import contextlib, importlib, io, sys
    from furu.cli import main
    sys.argv = ["furu", "ls"]
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
        main()
    assert "3 shown, 3 matching, 3 artifacts" in shown.getvalue(), shown.getvalue()
    print(sorted(name for name in {unimported!r} if name in sys.modules))
    built = []
    for name in {unbuilt!r}:  # importing a module now builds nothing: its models are deferred
        module, _, cls = name.rpartition(".")
        if getattr(importlib.import_module(module), cls).__pydantic_complete__:
            built.append(name)
    print(built)
"""


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A project with two successes and a failure, as a user's first experiments leave it."""
    project = make_project(tmp_path / "lab")
    create(project, "Data()", "Model()")
    failed = python(project, "from lab.steps import Broken\nBroken().load_or_create()")
    assert "broken on purpose" in failed.stderr
    return project


def test_ls_builds_no_model_it_does_not_show(small_project: Path) -> None:
    out = _run(_LS_AND_REPORT.format(unimported=(), unbuilt=UNBUILT_BY_LS), small_project)
    assert out.splitlines() == ["[]", "[]"]


def test_ls_imports_no_module_it_does_not_use(small_project: Path) -> None:
    out = _run(_LS_AND_REPORT.format(unimported=UNIMPORTED_BY_LS, unbuilt=()), small_project)
    assert out.splitlines() == ["[]", "[]"]


# A command's options are converted (typer reads each through pydantic) only for the command that runs.
_CONVERTED = """
    import contextlib, io, sys
    from typer.core import TyperCommand
    from furu.cli import app, main
    made = []  # each command typer makes: its name, and whether it has options
    make = TyperCommand.__init__
    def record(self, name, **settings):
        made.append((name, bool(settings.get("params"))))
        make(self, name, **settings)
    TyperCommand.__init__ = record
    sys.argv = ["furu", *{args!r}]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        main()
    print([name for name, has_options in made if has_options])
    print(len(made) == len(app.deferred_commands) or len(made))
"""


@pytest.mark.parametrize(
    ("args", "converted", "all_listed"),
    [
        (["--help"], [], True),  # every command listed, by name, panel and docstring: none converted
        ([], [], True),
        (["show", "--help"], ["show"], False),
        (["ls"], ["ls"], False),
    ],
)
def test_only_the_invoked_command_is_converted(tmp_path: Path, args: list[str], converted: list[str], all_listed: bool) -> None:
    out = _run(_CONVERTED.format(args=args), tmp_path, FURU_PATH=str(tmp_path / "furu-data"))
    listed = "True" if all_listed else "1"  # help makes a summary of each command; a run makes the one it runs
    assert out.splitlines() == [str(converted), listed]


@pytest.mark.parametrize("columns", ["80", "160"])
def test_help_from_summaries_is_the_help_of_the_converted_commands(tmp_path: Path, columns: str) -> None:
    """``furu --help`` lists commands without converting them; converting them all first shows the same bytes."""
    out = _run(
        """
        import contextlib, io
        import typer, typer.main
        from furu.cli import app

        def help_of(group):
            shown = io.StringIO()
            with contextlib.redirect_stdout(shown), contextlib.suppress(SystemExit):
                group.main(["--help"], prog_name="furu")
            return shown.getvalue()

        lazy = help_of(typer.main.get_command(app))
        group = typer.main.get_command(app)
        names = group.list_commands(typer.Context(group))
        for name in names:  # what typer itself does at start: convert every command
            assert group.get_command(typer.Context(group), name).params, name
        print(help_of(group) == lazy, len(names), [name for name in names if f"│ {name} " not in lazy])
        """,
        tmp_path,
        COLUMNS=columns,
    )
    assert out == "True 23 []\n"


def test_shell_completion_of_commands_options_and_refs(tmp_path: Path) -> None:
    """What ``furu --install-completion`` sets up: the shell asks the real command for each word."""
    project = make_project(tmp_path / "lab")
    data_hash = create(project, "Data()")["Data()"]

    def complete(words: str) -> list[str]:
        cword = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        shown = furu(project, _FURU_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword).stdout
        return shown.split()

    assert complete("furu l") == ["ls", "logs"]
    assert complete("furu t") == ["tag", "timetravel", "tui"]
    assert complete("furu ls --so") == ["--sort"]
    assert complete("furu ls --sort cr") == ["created"]
    assert complete(f"furu show {data_hash[:4]}") == [data_hash]
    assert complete("furu --de") == ["--debug"]


def test_plain_values_come_out_as_typer_would_give_them(tmp_path: Path) -> None:
    """The shortcut past typer's pydantic coercion returns, for every option of every command, what typer returns."""
    import typer.main
    from typer._coercion import build_runtime_param
    from typer.core import TyperGroup

    from furu.cli import app

    root = typer.main.get_command(app)
    ctx = root.make_context("furu", ["ls"], resilient_parsing=True)
    groups = [root.commands[name] for name in list(root.commands)]
    commands = [sub.commands[name] for sub in groups if isinstance(sub, TyperGroup) for name in sub.commands]
    params = [param for command in [*groups, *commands] for param in command.get_params(ctx) if hasattr(param, "type_descriptor")]
    (tmp_path / "file").write_text("")
    samples: list[object] = [
        None, "word", "3", 3, True, False, ("a", "b"), ["a"], (), "", str(tmp_path), str(tmp_path / "file"), tmp_path,
    ]
    checked = 0
    for param in params:
        ours, theirs = param.get_runtime_param(), build_runtime_param(param.type_descriptor)
        assert type(ours).__name__ == "_PlainCoercion"
        for value in samples:
            try:
                expected: object = theirs.coerce(value, param=param, ctx=ctx)
            except Exception as error:  # typer refuses it: so must the shortcut
                with pytest.raises(type(error)):
                    ours.coerce(value, param=param, ctx=ctx)
                continue
            got = ours.coerce(value, param=param, ctx=ctx)
            assert (got, type(got)) == (expected, type(expected)), (param.name, value)
            checked += 1
    assert len(params) > 50 and checked > 200
