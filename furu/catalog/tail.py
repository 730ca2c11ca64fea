"""Reading the change journal from where the index left off (see :mod:`furu.journal`).

The catalog asks one question: which artifact directories changed since it
last looked, or "cannot say" (then it checks every artifact). It cannot say
for a new index, for one last brought up to date longer ago than the journal
keeps, when a writer could not journal a change (the seal is gone, or is
not the one the index saw), or when a journal file shrank.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from furu import journal

DAY_NS = 86_400 * 10**9


@dataclass
class Tail:
    """What one read of the journal found."""

    changed: set[str] = field(default_factory=set)
    offsets: dict[str, int] = field(default_factory=dict)
    doubt: str | None = None
    """Why the journal cannot vouch for the tree (None: ``changed`` is everything that changed)."""


def read_tail(
    base: Path, offsets: dict[str, int], synced_ns: int | None, seal: str | None, roots: dict[str, str]
) -> Tail:
    """The changes after ``offsets`` in the journal under ``base``.

    The index last read it to its end at ``synced_ns``, when the journal's
    seal was ``seal`` (see :func:`furu.journal.seal`).
    """
    now = time.time_ns()
    tail = Tail()
    if synced_ns is None:
        tail.doubt = "a new index: every artifact is read"
    elif now - synced_ns > (journal.RETENTION_DAYS - 1) * DAY_NS:
        tail.doubt = "the index was last brought up to date longer ago than the change journal keeps"
    elif seal is None or journal.seal_token(base) != seal:
        tail.doubt = "a change could not be written to the change journal (its seal is broken or was remade)"
    first_day = journal.day_of(synced_ns - DAY_NS) if synced_ns is not None else ""  # a day's slack for skewed clocks
    for day in _listdir(base):
        if not day.isdigit() or day < first_day:
            continue
        for name in _listdir(base / day):
            key = f"{day}/{name}"
            offset = offsets.get(key, 0)
            try:
                size = os.stat(base / day / name).st_size
            except OSError:
                continue
            if size < offset:
                tail.doubt = tail.doubt or f"the change journal file {base / key} shrank"
                offset = 0
            if size > offset:
                offset += _read_changes(base / day / name, offset, size, roots, tail.changed)
            tail.offsets[key] = offset
    _prune(base, now)
    return tail


def _read_changes(path: Path, offset: int, size: int, roots: dict[str, str], changed: set[str]) -> int:
    """Add the artifact directories of the complete lines in ``path[offset:size]``; return the bytes used."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read(size - offset)
    except OSError:
        return 0
    end = data.rfind(b"\n") + 1  # a line still being written is read next time
    for line in data[:end].splitlines():
        change = journal.parse_line(line, roots)
        if change is not None:
            changed.add(change.artifact_dir)
    return end


def _prune(base: Path, now: int) -> None:
    """Delete journal days older than :data:`journal.RETENTION_DAYS` (any process may; all agree on which)."""
    oldest = journal.day_of(now - journal.RETENTION_DAYS * DAY_NS)
    for day in _listdir(base):
        if day.isdigit() and day < oldest:
            shutil.rmtree(base / day, ignore_errors=True)  # another process may be pruning it at the same time


def _listdir(path: Path) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except (FileNotFoundError, NotADirectoryError):
        return []
