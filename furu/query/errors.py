"""The one error the filter language raises, so that every view catches it by one name.

Each module of :mod:`furu.query` raises it with the text the user wrote and how to fix it. It
sits apart, below them all, so that the value parsers need nothing else from the package.
"""

from __future__ import annotations

from furu.errors import FuruError


class FuruQueryError(FuruError):
    """A filter or sort key that cannot be understood."""
