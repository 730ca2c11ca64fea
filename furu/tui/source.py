"""The catalogs the terminal UI reads through from its worker threads (:mod:`furu.catalog.threads`).

The table's pages on one, the answers that read every artifact (every field's
values for completion, the class graph) on another, and the change watch on a
third, as the web dashboard's service holds them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from furu import settings as settings_module
from furu.catalog import Catalog
from furu.catalog.threads import CatalogsByUse

Use = Literal["pages", "whole", "watch"]


class Source:
    """The project's catalogs for the UI's workers (``settings``: the project's, read at first use)."""

    def __init__(self, settings: settings_module.Settings | None = None) -> None:
        self._settings = settings
        self._catalogs = CatalogsByUse(lambda: self.settings, ("pages", "whole", "watch"))
        self.stale_lock = threading.Lock()
        """Held while results are checked for staleness (the checker is one per process)."""

    @property
    def settings(self) -> settings_module.Settings:
        if self._settings is None:
            self._settings = settings_module.current()
        return self._settings

    @contextmanager
    def catalog(self, use: Use = "pages") -> Iterator[Catalog]:
        """The catalog for ``use``, held by this thread until the block ends (the library calls sync it)."""
        with self._catalogs.held(use) as catalog:
            yield catalog
