"""The ``furu`` command line: thin commands over the library (see ``furu --help``)."""

from furu.cli.app import app

# Importing a command module registers its commands on `app`.
from furu.cli import timetravel as _timetravel  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
