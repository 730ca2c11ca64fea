"""Sizes, durations, times, config values and status colours as people read them, in every view.

``furu ls`` prints them, the terminal UI shows them in its cells: the same
``6.1 KiB``, ``3m05s``, ``2026-11-26 14:05`` and red ``failed`` wherever an
artifact appears.
Pure functions over plain values; nothing here prints.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any


def human_size(size: int | None) -> str:
    """``6.1 KiB``; ``-`` when unknown."""
    if size is None:
        return "-"
    if size < 1024:
        return f"{size} B"
    exponent = min(int(math.log(size, 1024)), 5)
    return f"{size / 1024**exponent:.1f} {'KMGTP'[exponent - 1]}iB"


def count(n: int, noun: str) -> str:
    """``1 artifact``, ``2 artifacts``, ``2 classes``."""
    return f"{n} {noun}{'' if n == 1 else 'es' if noun.endswith('s') else 's'}"


def human_duration(seconds: float | None) -> str:
    """``0.42s``, ``12.3s``, ``3m05s``, ``2h10m``, ``3d04h``; ``-`` when unknown."""
    if seconds is None:
        return "-"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours:02d}h"


def human_time(moment: datetime | None, *, short: bool = False) -> str:
    """Local time, to the minute: ``2026-11-26 14:05`` (``short``: ``11-26 14:05``); ``-`` when unknown."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%m-%d %H:%M" if short else "%Y-%m-%d %H:%M")


def short_value(value: Any, width: int = 40) -> str:
    """A stored config value for a table cell: ``Data(...)`` for a nested config, ``1e-05``, ``""``; cut at ``width``."""
    if isinstance(value, dict) and "__class__" in value:
        text = str(value["__class__"]).rsplit(".", 1)[-1] + "(...)"
    elif isinstance(value, float):
        text = f"{value:g}"
    elif value == "":
        text = '""'
    else:
        from furu.serialization import describe  # pydantic and settings: only when a value is shown

        text = value if isinstance(value, str) else describe(value)
    return text if len(text) <= width else text[: width - 1] + "…"


STATUS_STYLE = {
    "success": "green",
    "damaged": "bold yellow",
    "failed": "red",
    "running": "cyan",
    "crashed": "magenta",
    "preempted": "yellow",
    "queued": "blue",
    "absent": "dim",
    "corrupt": "bold red",
    "missing": "dim red",
}
"""The colour of each status (rich styles), in ``furu ls`` and the terminal UI."""

CODE_MARKS = {"class": "changed", "module": "module", "gone": "gone"}
"""The ``code`` column, by :data:`furu.fingerprint.DriftKind` (empty: as it was made)."""
