"""``furu dashboard``: start the server, print where it is, open the browser.

Loopback by default. Bound to any other address it makes a token (unless
given one) and prints the URL that carries it; see :mod:`furu.dashboard.security`.
"""

from __future__ import annotations

import dataclasses
import errno
import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable

from furu.dashboard.security import is_loopback
from furu.dashboard.service import DashboardOptions
from furu.errors import FuruError


class FuruDashboardError(FuruError):
    """The dashboard cannot start (its port is taken, its address is not this machine's)."""


MAX_REQUEST_HEAD_BYTES = 1 << 20
"""A page's URL carries its whole view (a chart's definition, a selection of hundreds of hashes): read heads
up to 1 MiB, so an over-long parameter gets its 422 that says which. uvicorn's default (16 KiB) answers a
longer head before reading it and closes, and the client, still sending, sees a reset, not the answer."""


def serve(options: DashboardOptions, *, open_browser: bool = True, say: Callable[[str], None] = print) -> None:
    import uvicorn

    from furu.dashboard.app import STATIC_DIR, create_app

    if not is_loopback(options.host) and options.token is None:
        options = dataclasses.replace(options, token=secrets.token_urlsafe(24))
    _check_free(options.host, options.port)  # before a demo is built for nothing
    settings = None
    if options.demo:
        from furu.dashboard.demo import demo_settings

        settings = demo_settings(say)
    app = create_app(options, settings)
    url = page_url(options)
    if not (STATIC_DIR / "index.html").is_file():
        say("The page is not built (node and npm were not found at install): install Node.js 20 or newer, then "
            "reinstall furu (pip install -e '.[dashboard]'); meanwhile the API answers at /api/docs.")
    if not is_loopback(options.host):
        say("Anyone who can reach this address and has the token can use it: keep the URL private.")
    say(f"furu dashboard: {url}" + (" (read-only)" if options.read_only else "") + "  (Ctrl-C stops it)")
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES)


def page_url(options: DashboardOptions) -> str:
    host = options.host if options.host not in ("0.0.0.0", "::") else socket.gethostname()
    host = f"[{host}]" if ":" in host else host
    token = f"?token={options.token}" if options.token else ""
    return f"http://{host}:{options.port}/{token}"


def _check_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise FuruDashboardError(
                    f"Port {port} on {host} is in use (another furu dashboard?). Pick another with --port, e.g. --port {port + 1}."
                ) from None
            raise FuruDashboardError(f"Cannot listen on {host}:{port}: {error.strerror}. Check --host.") from None
