"""The state one dashboard process keeps: its settings, its options, and the one catalog every request reads.

A :class:`~furu.catalog.Catalog` keeps its entries in memory and is not made
for two threads at once, while FastAPI runs each request in a thread of its
pool; so every use goes through :meth:`Service.catalog`, one at a time. A
request costs milliseconds (the index answers), so queueing is invisible.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from furu import settings as settings_module
from furu.catalog import Catalog


@dataclass(frozen=True, slots=True)
class DashboardOptions:
    """How ``furu dashboard`` was started."""

    host: str = "127.0.0.1"
    port: int = 8765
    read_only: bool = False
    demo: bool = False
    token: str | None = None
    """Required from every client when set: always set when the address is not loopback."""


@dataclass
class Service:
    options: DashboardOptions
    given_settings: settings_module.Settings | None = None
    _catalog: Catalog | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def settings(self) -> settings_module.Settings:
        """The settings given, or the process's at first use (printing the schema needs none)."""
        if self.given_settings is None:
            self.given_settings = settings_module.current()
        return self.given_settings

    @contextmanager
    def catalog(self) -> Iterator[Catalog]:
        """The catalog, synced with the disk, for one request's use."""
        with self._lock:
            if self._catalog is None:
                self._catalog = Catalog(self.settings)
            self._catalog.sync()
            yield self._catalog

    def signature(self) -> tuple[int, int, int]:
        """Changes whenever an artifact appears, goes or changes on disk (what ``/events`` watches)."""
        with self.catalog() as catalog:
            row = catalog.execute("SELECT count(*), coalesce(sum(stamp % 1000000007), 0), coalesce(max(stamp), 0) FROM artifacts").fetchone()
            return int(row[0]), int(row[1]), int(row[2])
