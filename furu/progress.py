"""How long library operations report progress, without depending on a terminal.

A long scan, export or import takes ``progress(description, total)``: a
context manager yielding ``advance(n)``. The CLI passes rich progress bars;
library callers get :func:`no_progress`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Progress(Protocol):
    """``progress(description, total)`` returns a context manager yielding ``advance(n)``."""

    def __call__(self, description: str, total: int) -> AbstractContextManager[Callable[[int], None]]: ...


def no_progress(description: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
    return nullcontext(lambda n: None)
