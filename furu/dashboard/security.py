"""Who may talk to the dashboard: the checks every request passes before a route sees it.

* The Host header must name this server (loopback names, or the address it
  is bound to and this machine's names): a page on another site whose DNS
  name was rebound to 127.0.0.1 is refused.
* A request from a browser page of another origin (an ``Origin`` header, or
  ``Sec-Fetch-Site: cross-site`` or ``same-site``) is refused, so no other
  page can read or change anything here; following a link to it still works.
* Bound to anything but loopback, every request needs the token printed at
  start: as ``?token=`` once (it is then kept in an HttpOnly cookie), the
  cookie, or the ``X-Furu-Token`` header. Without it: 401.
* Mutations (anything but GET and HEAD) are refused with ``--read-only``.
* HEAD is answered as GET without the body (the routes declare GET alone),
  except on the event streams.
* No other page may frame it (``X-Frame-Options``, ``frame-ancestors``).
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from furu.dashboard.service import DashboardOptions

TOKEN_COOKIE = "furu_token_{port}"
"""One cookie per port: cookies ignore ports, and two dashboards on one host must not get each other's token."""
TOKEN_HEADER = "x-furu-token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(options: DashboardOptions) -> set[str]:
    """The host names (without port) a request's Host header may carry, besides IP addresses (see :func:`host_allowed`)."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if not is_loopback(options.host):
        names |= {options.host, socket.gethostname(), socket.getfqdn()}
    return {name.lower() for name in names}


def host_allowed(host: str, names: set[str], options: DashboardOptions) -> bool:
    """A name it knows; or, bound beyond loopback, any IP address (a rebound DNS name is never one)."""
    if host in names:
        return True
    if is_loopback(options.host):
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def guard(options: DashboardOptions) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """The middleware that applies the module's rules."""
    hosts = allowed_hosts(options)
    cookie = TOKEN_COOKIE.format(port=options.port)

    async def check(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = _host_name(request.headers.get("host", ""))
        if host is None or not host_allowed(host, hosts, options):
            return _refuse(421, f"Host {request.headers.get('host', '(none)')!r} is not this dashboard's; open it at the address it printed.")
        if _cross_site(request):
            return _refuse(403, "Requests from another site's page are refused.")
        if options.token is not None:
            given = request.query_params.get("token")
            if given is not None and _same(given, options.token) and request.method in _SAFE_METHODS:
                kept = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
                kept.set_cookie(cookie, options.token, httponly=True, samesite="strict")
                return kept
            presented = request.headers.get(TOKEN_HEADER) or request.cookies.get(cookie)
            if presented is None or not _same(presented, options.token):
                return _refuse(401, "This dashboard needs its token: open the URL `furu dashboard` printed (it ends in ?token=...).")
        if request.method not in _SAFE_METHODS and options.read_only:
            return _refuse(403, "This dashboard is read-only (furu dashboard --read-only): nothing can be changed from it.")
        if request.method == "HEAD" and not request.url.path.endswith(_STREAMS):
            return _headers_only(await _as_get(request, call_next))
        response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")  # no other page frames it (clickjacking)
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        return response

    return check


_HOST_HEADER = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:[0-9]{1,5})?")


def _host_name(header: str) -> str | None:
    """``Host: [::1]:8765`` -> ``[::1]``; ``localhost:8765`` -> ``localhost``; anything else malformed -> None."""
    found = _HOST_HEADER.fullmatch(header.strip().lower())
    return found.group(1) if found else None


def _cross_site(request: Request) -> bool:
    """A request another page made: an Origin that is not this server, or fetch metadata that says so.

    ``same-site`` counts as another page: every port of localhost is one
    site, so a notebook server's page is "same-site" to the dashboard. A
    top-level GET navigation from anywhere (a link in a notebook or a chat)
    is let through: it reads nothing back into that page and changes nothing.
    """
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        parts = urlsplit(origin)
        return parts.scheme != "http" or parts.netloc.lower() != request.headers.get("host", "").lower()
    if origin == "null":
        return True  # a sandboxed frame or a file: page
    if request.headers.get("sec-fetch-site") not in ("cross-site", "same-site"):
        return False
    navigation = request.headers.get("sec-fetch-mode") == "navigate" and request.headers.get("sec-fetch-dest") == "document"
    return not (navigation and request.method == "GET")


_STREAMS = ("/events", "/stream")
"""Server-sent event routes: a HEAD of one would hold its connection open for ever, so it gets 405."""


async def _as_get(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """HEAD answered as the GET it stands for (``curl -I``, link checkers); the routes declare GET alone."""
    request.scope["method"] = "GET"
    return await call_next(request)


def _headers_only(response: Response) -> Response:
    headers = dict(response.headers)
    headers.setdefault("x-frame-options", "DENY")
    headers.setdefault("content-security-policy", "frame-ancestors 'none'")
    return Response(status_code=response.status_code, headers=headers)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _refuse(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status)
