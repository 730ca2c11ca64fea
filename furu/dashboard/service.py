"""The state one dashboard process keeps: its settings, its options, and the one catalog every request reads.

A :class:`~furu.catalog.Catalog` keeps its entries in memory and is not made
for two threads at once, while FastAPI runs each request in a thread of its
pool; so every use goes through :meth:`Service.catalog`, one at a time
(:mod:`furu.catalog.threads`). A
request costs milliseconds (the index answers), so queueing is invisible,
except behind the few answers that read every artifact (every field's values,
the class graph): those run on a second catalog of their own
(:meth:`Service.cached`), so a table page never waits for them. Two catalogs
share the index on disk as two processes would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar, cast

from furu import settings as settings_module
from furu.catalog import Catalog
from furu.catalog.pages import signature
from furu.catalog.threads import CatalogsByUse
from furu.query import time_limit

T = TypeVar("T")
MAX_CACHED = 64


@dataclass(frozen=True, slots=True)
class DashboardOptions:
    """How ``furu dashboard`` was started."""

    host: str = "127.0.0.1"
    port: int = 8765
    read_only: bool = False
    demo: bool = False
    token: str | None = None
    """Required from every client when set: always set when the address is not loopback."""


REQUEST_REGEX_SECS = 2.0
"""All the regular expressions of one request's filter together (furu.query.patterns): one
pathological ``name~(a|aa)+$`` holds the catalog, and with it every other request, no longer."""


@dataclass
class Service:
    options: DashboardOptions
    given_settings: settings_module.Settings | None = None
    _catalogs: CatalogsByUse = field(init=False)
    _cached: dict[tuple[object, ...], tuple[tuple[int, int, int], object]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._catalogs = CatalogsByUse(lambda: self.settings, ("pages", "whole"))

    @property
    def settings(self) -> settings_module.Settings:
        """The settings given, or the process's at first use (printing the schema needs none)."""
        if self.given_settings is None:
            self.given_settings = settings_module.current()
        return self.given_settings

    @contextmanager
    def catalog(self, use: str = "pages") -> Iterator[Catalog]:
        """The catalog, synced with the disk, for one request's use (``whole``: the one for answers over everything)."""
        with self._catalogs.held(use) as catalog, time_limit(REQUEST_REGEX_SECS):
            catalog.sync()
            yield catalog

    def signature(self) -> tuple[int, int, int]:
        """Changes whenever an artifact appears, goes or changes on disk (what ``/events`` watches)."""
        with self._catalogs.held("pages") as catalog:
            return signature(catalog)  # which syncs it

    def cached(self, key: tuple[object, ...], compute: Callable[[Catalog], T]) -> T:
        """``compute(catalog)``, again only once the catalog changed: for answers that read every artifact
        (the class graph, every field's values), which a page asks for on each visit."""
        with self._catalogs.held("whole") as catalog, time_limit(REQUEST_REGEX_SECS):
            mark = signature(catalog)  # which syncs it
            hit = self._cached.get(key)
            if hit is not None and hit[0] == mark:
                return cast(T, hit[1])
            value = compute(catalog)
            self._cached[key] = (mark, value)
            while len(self._cached) > MAX_CACHED:
                self._cached.pop(next(iter(self._cached)))
            return value

