"""``furu dashboard``: the web dashboard (the ``furu[dashboard]`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from furu.cli.app import PANEL_FIND, app
from furu.errors import FuruError


@app.command("dashboard", rich_help_panel=PANEL_FIND)
def dashboard_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but loopback requires a token (printed).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    read_only: Annotated[bool, typer.Option("--read-only", help="Refuse every change (invalidate, delete, tag, name).")] = False,
    demo: Annotated[bool, typer.Option("--demo", help="Serve a temporary data root filled with a realistic demo pipeline.")] = False,
    no_open: Annotated[bool, typer.Option("--no-open", help="Do not open a browser.")] = False,
) -> None:
    """Browse, filter and explain every experiment in a web page (http://127.0.0.1:8765)."""
    try:
        from furu.dashboard.server import serve
        from furu.dashboard.service import DashboardOptions
    except ImportError as error:
        raise FuruError(
            f"The dashboard needs the furu[dashboard] extra ({error.name} is not installed): pip install 'furu[dashboard]'."
        ) from None
    serve(DashboardOptions(host=host, port=port, read_only=read_only, demo=demo), open_browser=not no_open)
