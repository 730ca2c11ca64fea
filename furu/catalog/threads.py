"""Catalogs for a view that queries from several threads: one per use, each behind its own lock.

A :class:`~furu.catalog.Catalog` is not made for two threads at once, and the
views ask it from worker threads (the web API's request threads, the terminal
UI's workers) so the screen never waits on a query. Each use (a page of the
table, an answer that reads every artifact, a change watch) gets its own
catalog, so a page never queues behind a slow answer over everything. They
share the index on disk as separate processes would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from furu.catalog.catalog import Catalog
from furu.settings import Settings


class CatalogsByUse:
    """The catalogs of ``uses``, made at first use from ``settings()``."""

    def __init__(self, settings: Callable[[], Settings], uses: Iterable[str]) -> None:
        self._settings = settings
        self._catalogs: dict[str, Catalog] = {}
        self._locks = {use: threading.Lock() for use in uses}

    @contextmanager
    def held(self, use: str) -> Iterator[Catalog]:
        """The catalog for ``use``, this thread's alone until the block ends."""
        with self._locks[use]:
            if use not in self._catalogs:
                self._catalogs[use] = Catalog(self._settings())
            yield self._catalogs[use]
