"""Values as people write them: durations (``1h30m``), sizes (``2GiB``), points in time (``2026-11-01``, ``7d``).

The ``runtime``, ``size``, ``created`` and ``updated`` filters read their values with these,
and commands take the same spellings (``furu gc --older-than 30d``), so they live apart from
the filters that use them.
"""

from __future__ import annotations

import math
import re
import time
from datetime import datetime, timedelta

from furu.query.errors import FuruQueryError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(w|d|h|m|s|ms)?", re.IGNORECASE)
_DURATION_UNITS = {"w": 604800.0, "d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)(b?)\s*$", re.IGNORECASE)


def parse_duration(value: str, context: str | None = None) -> timedelta:
    """``90``, ``90s``, ``5m``, ``1h30m``, ``2d``, ``1w`` as a timedelta."""
    text = value.strip().replace(" ", "")
    position, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != position:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2).lower() if match.group(2) else None]
        position = match.end()
    where = f"Filter {context!r}: " if context else ""
    if not text or position != len(text):
        raise FuruQueryError(f"{where}cannot read {value!r} as a duration; write e.g. 90s, 5m, 1h30m, 30d.")
    try:
        return timedelta(seconds=total)
    except OverflowError:
        raise FuruQueryError(f"{where}{value!r} is too long a duration; write e.g. 90s, 5m, 1h30m, 30d.") from None


def parse_size(value: str, context: str | None = None) -> int:
    """``123``, ``10k``, ``1.5MB`` (powers of 1000), ``2GiB`` (powers of 1024) as bytes."""
    match = _SIZE.match(value)
    if match is None:
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}cannot read {value!r} as a size; write e.g. 500MB, 2GiB, 10k.")
    number, prefix, binary = float(match.group(1)), match.group(2).lower(), bool(match.group(3))
    power = "kmgtp".index(prefix) + 1 if prefix else 0
    size = number * (1024 if binary else 1000) ** power
    if not math.isfinite(size):
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(f"{where}{value!r} is too large a size; write e.g. 500MB, 2GiB, 10k.")
    return int(size)


def parse_time(value: str, context: str | None = None) -> tuple[float, float]:
    """A point in time as ``(start, end)`` epoch seconds: a date covers its whole (local) day.

    Accepts ISO dates and times (local time unless they carry an offset),
    ``today``, ``yesterday``, and durations meaning "that long ago" (``7d``).
    """
    text = value.strip()
    now = time.time()
    if text in ("today", "yesterday"):
        day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        if text == "yesterday":
            day -= timedelta(days=1)
        return day.timestamp(), (day + timedelta(days=1)).timestamp()
    if text and text[0].isdigit() and text[-1].isalpha() and "-" not in text:
        ago = now - parse_duration(text, context).total_seconds()
        return ago, ago
    try:
        moment = datetime.fromisoformat(text)
        start = moment.timestamp()
        if len(text) == 10:  # a date: the whole day
            return start, (moment + timedelta(days=1)).timestamp()
    except (ValueError, OverflowError, OSError):  # not a time, or one the clock cannot reach (year 1, 9999-12-31)
        where = f"Filter {context!r}: " if context else ""
        raise FuruQueryError(
            f"{where}cannot read {value!r} as a time; write e.g. 2026-11-01, 2026-11-01T14:30, today, 7d (ago)."
        ) from None
    return start, start


def written_value(value: object) -> str:
    """A stored value as the filter language writes it: ``true``, ``none``, ``0.001``, ``toy``.

    For completion and value lists (:func:`furu.catalog.distinct` returns values as stored).
    """
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
