"""The regular expressions of ``~`` filters, matched under a time limit.

Python's ``re`` cannot be interrupted: ``name~(a|aa)+$`` against one long
name keeps the process busy for ever, and a dashboard serving whoever can
reach it would be stopped by one such filter. The `regex` package takes the
same syntax and a timeout. Each match gets at most ``FURU_REGEX_SECS``
(``regex_secs``, set for the catalog's queries by :func:`per_value_limit`);
a caller answering requests from others also caps all the matches of one
request together with :func:`time_limit`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from furu.query.errors import FuruQueryError
from furu.settings import DEFAULT_REGEX_SECS

if TYPE_CHECKING:
    import regex

_per_value: ContextVar[float] = ContextVar("furu_regex_per_value", default=DEFAULT_REGEX_SECS)
_budget: ContextVar[list[float] | None] = ContextVar("furu_regex_budget", default=None)
"""Within :func:`time_limit`: [seconds of matching left, seconds given]; time spent elsewhere counts not."""
_failure: ContextVar[FuruQueryError | None] = ContextVar("furu_regex_failure", default=None)


@dataclass(frozen=True, slots=True)
class FilterPattern:
    """One filter's compiled expression; :meth:`found` is ``re.search`` with a time limit."""

    compiled: regex.Pattern[str]

    def found(self, value: str) -> bool:
        limit = _per_value.get()
        budget = _budget.get()
        if budget is None:
            return self._search(value, limit, f"one value may take {limit:g} s")
        started = time.monotonic()
        try:
            return self._search(value, min(limit, budget[0]), f"all of one request's may take {budget[1]:g} s")
        finally:
            budget[0] -= time.monotonic() - started

    def _search(self, value: str, timeout: float, allowed: str) -> bool:
        try:
            if timeout <= 0:
                raise TimeoutError
            return self.compiled.search(value, timeout=timeout) is not None
        except TimeoutError:
            failure = FuruQueryError(
                f"The regular expression {self.compiled.pattern!r} of a filter took too long ({allowed}). "
                "Use a simpler one (nested repeats such as (a|aa)+ backtrack without end); "
                "FURU_REGEX_SECS sets the limit per value."
            )
            _failure.set(failure)
            raise failure from None


def filter_pattern(text: str, value: str) -> FilterPattern:
    """``value`` of the filter ``text`` compiled, or a :class:`FuruQueryError` that says why it is not a regex."""
    import regex  # 17 ms: only for a filter that has one

    try:
        return compiled_pattern(value)
    except (regex.error, OverflowError, RecursionError) as error:  # a{99999999999}, or groups nested too deep
        raise FuruQueryError(f"Filter {text!r}: {value!r} is not a valid regular expression ({error}).") from None


@lru_cache(maxsize=256)
def compiled_pattern(value: str) -> FilterPattern:
    """``value`` compiled once per process (the index's ``REGEXP`` asks for it once per row)."""
    import regex

    return FilterPattern(regex.compile(value))


@contextmanager
def per_value_limit(seconds: float) -> Iterator[None]:
    """Each match inside takes at most ``seconds`` (the settings' ``regex_secs``)."""
    token = _per_value.set(seconds)
    try:
        yield
    finally:
        _per_value.reset(token)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Every match inside together takes at most ``seconds`` (and each at most ``regex_secs``).

    Only matching counts: reading the index or the disk meanwhile spends none of it.
    """
    token = _budget.set([seconds, seconds])
    try:
        yield
    finally:
        _budget.reset(token)


def last_failure() -> FuruQueryError | None:
    """The time-out a match inside SQLite raised, which SQLite reports only as "user-defined function raised exception"."""
    return _failure.get()


def forget_failure() -> None:
    _failure.set(None)
