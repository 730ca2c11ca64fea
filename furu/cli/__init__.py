"""The ``furu`` command line: thin commands over the library (see ``furu --help``)."""

from furu.cli.app import app

# Importing a command module registers its commands on `app` (typer converts one
# only when it runs: see furu.cli.app); `furu --help` shows the panels in this order.
from furu.cli import inspect as _inspect  # noqa: E402,F401  find and inspect
from furu.cli import graph as _graph  # noqa: E402,F401
from furu.cli import compare as _compare  # noqa: E402,F401  compare and explain
from furu.cli import run as _run  # noqa: E402,F401  run
from furu.cli import manage as _manage  # noqa: E402,F401  manage and clean up
from furu.cli import migrate as _migrate  # noqa: E402,F401
from furu.cli import timetravel as _timetravel  # noqa: E402,F401  reproduce and share
from furu.cli import share as _share  # noqa: E402,F401
from furu.cli import setup as _setup  # noqa: E402,F401  set up
from furu.cli import dashboard as _dashboard  # noqa: E402,F401  the web view
from furu.cli import tui as _tui  # noqa: E402,F401  the terminal view


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
