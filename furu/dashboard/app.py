"""The dashboard's ASGI application: the API under ``/api``, and the built page for every other path.

Errors a user can cause (a reference that matches nothing, a malformed
filter, an artifact being created) come back as ``{"detail": ...}`` with the
same sentence the CLI prints; anything else is a bug and FastAPI's 500.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from furu import settings as settings_module
from furu._version import __version__
from furu.confined import FuruPathRefused
from furu.dashboard.routes import bundles, charts, compare, events, experiments, explore, launch, overview, stale
from furu.dashboard.schemas import Health, Problem
from furu.dashboard.security import guard
from furu.dashboard.service import DashboardOptions, Service
from furu.errors import FuruError, FuruNotFound

STATIC_DIR = Path(str(resources.files("furu.dashboard") / "static"))
"""Where the build hook (``npm run build`` in ``frontend/``) puts the page; absent without node."""

NOT_BUILT = """<!doctype html><html><head><meta charset="utf-8"><title>furu dashboard</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>furu dashboard: the page is not built</h1>
<p>furu was installed without the dashboard's page (node and npm were not found at install time).
The API works: <a href="/api/docs">/api/docs</a>.</p>
<p>To build the page, install Node.js 20 or newer and npm, then reinstall furu:
<code>pip install -e '.[dashboard]'</code> (or run <code>npm ci &amp;&amp; npm run build</code> in <code>frontend/</code>).</p>
</body></html>"""


def create_app(options: DashboardOptions | None = None, settings: settings_module.Settings | None = None) -> FastAPI:
    options = options or DashboardOptions()
    app = FastAPI(
        title="furu dashboard", version=__version__, docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json",
        responses={400: {"model": Problem}, 404: {"model": Problem}, 409: {"model": Problem}},
    )
    app.state.service = Service(options, settings)
    app.middleware("http")(guard(options))
    for module in (experiments, overview, events, compare, charts, launch, stale, explore, bundles):
        app.include_router(module.router, prefix="/api")

    @app.get("/api/health", response_model=Health, tags=["meta"])
    def health(request: Request) -> Health:
        svc: Service = request.app.state.service
        return Health(version=__version__, read_only=options.read_only, demo=options.demo, data_root=str(svc.settings.data_root))

    app.add_exception_handler(FuruError, _furu_error)  # type: ignore[arg-type]
    _serve_page(app)
    return app


def _furu_error(_request: Request, error: FuruError) -> JSONResponse:
    from furu.locking import FuruArtifactBusy
    from furu.refs import FuruAmbiguousRef
    from furu.removal import FuruRemovalKept

    if isinstance(error, (FuruNotFound, FuruAmbiguousRef)):
        status = 404
    elif isinstance(error, FuruPathRefused):
        status = 403
    elif isinstance(error, (FuruArtifactBusy, FuruRemovalKept)):
        status = 409
    else:
        status = 400
    return JSONResponse({"detail": str(error)}, status_code=status)


def _serve_page(app: FastAPI) -> None:
    """The built page: its assets, and ``index.html`` for every route the page's router knows."""
    index = STATIC_DIR / "index.html"
    if (STATIC_DIR / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=STATIC_DIR / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def page(path: str) -> FileResponse | HTMLResponse | JSONResponse:
        if path.startswith("api/"):
            return JSONResponse({"detail": f"No API route /{path}; see /api/docs."}, status_code=404)
        own = STATIC_DIR / path
        if path and own.is_file() and own.resolve().is_relative_to(STATIC_DIR.resolve()):
            return FileResponse(own)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(NOT_BUILT, status_code=200)
