"""The web dashboard (``furu dashboard``, the ``furu[dashboard]`` extra): a FastAPI app over the library, and the page built from ``frontend/``.

The folder shows its parts: :mod:`~furu.dashboard.app` assembles the
application, :mod:`~furu.dashboard.routes` holds the API (one module per
part), :mod:`~furu.dashboard.schemas` its response shapes,
:mod:`~furu.dashboard.security` who may talk to it, :mod:`~furu.dashboard.files`
how an artifact's files are served, :mod:`~furu.dashboard.service` the catalog
it shares between requests, :mod:`~furu.dashboard.server` the command, and
:mod:`~furu.dashboard.demo` the demo data. furu's core never imports any of it.
"""
