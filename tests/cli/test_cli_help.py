"""`furu --help` reads as a grouped table of contents."""

from __future__ import annotations

from typer.testing import CliRunner

from furu.cli import app


def test_help_groups_commands_in_panels_in_order() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    panels = [line.split("─ ", 1)[1].split(" ─")[0] for line in result.output.splitlines() if line.startswith("╭─ ")]
    assert panels == [
        "Options", "Find and inspect", "Compare and explain", "Run", "Manage and clean up", "Reproduce and share", "Set up",
    ]
    for command in ("ls", "show", "diff", "explain", "run", "gc", "timetravel", "export", "import", "init"):
        assert f"│ {command} " in result.output


def test_usage_errors_are_one_line_and_exit_1() -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["show"])
    assert missing.exit_code == 1
    assert missing.output == "error: Missing argument 'REF'. See `furu show --help`.\n"
    unknown = runner.invoke(app, ["--bogus"])
    assert (unknown.exit_code, unknown.output) == (1, "error: No such option: --bogus. See `furu --help`.\n")
