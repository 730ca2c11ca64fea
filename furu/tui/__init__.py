"""The terminal dashboard (``furu tui``, the ``furu[tui]`` extra): a Textual app over the library.

One module per screen or widget, so the file list says what it shows:
:mod:`~furu.tui.app` (the app and its experiments screen), :mod:`~furu.tui.table`
(the virtual experiments table), :mod:`~furu.tui.filter_input` (the filter with
completion), :mod:`~furu.tui.detail`, :mod:`~furu.tui.log_view`,
:mod:`~furu.tui.diff_view`, :mod:`~furu.tui.dag_view`, :mod:`~furu.tui.dialogs`
(confirmations), :mod:`~furu.tui.help` (every key), :mod:`~furu.tui.source`
(the catalogs it reads through), :mod:`~furu.tui.cells` (records as cells).
Every view calls the library functions the CLI and the web API call; furu's
core never imports any of it.
"""

from __future__ import annotations

from furu.tui.app import FuruApp, TuiOptions

__all__ = ["FuruApp", "TuiOptions"]
