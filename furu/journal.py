"""The change journal: one line per artifact change, so the catalog re-reads what changed, not what exists.

Every state transition (an attempt starting or ending, a success, an
invalidation, new tags or a name) appends ``<time_ns> <root> <path>\\n`` to a
file of its own process under ``<data_root>/.journal/<day>/``. One file per
writer keeps appends safe on NFS, where two clients appending to one file can
interleave; a day per folder lets old days be pruned without coordination.

The journal only says *where* to look: the catalog re-reads those artifact
directories, which stay the truth. A line that is lost (a kill between the
write and the line, a full disk) leaves the catalog's row as it was until a
rescan (``furu ls --rescan``), except for a write that fails: that writer
removes the ``intact`` file, and the next catalog checks every artifact. The
catalog also does so whenever it cannot vouch for the journal otherwise (a
file shrank, a day it had not read was pruned).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from furu import layout
from furu import settings as settings_module
from furu.atomic import DISK_FULL, write_bytes_atomic

JOURNAL_DIR = ".journal"
INTACT_FILE = "intact"
"""Present while every change since the catalog created it was journaled; a writer that fails removes it."""
RETENTION_DAYS = 14
"""Days of journal kept; a catalog last synced longer ago than this rescans everything."""

DATA = "d"
VERSION_CONTROLLED = "v"
ABSOLUTE = "a"

_log = logging.getLogger("furu.journal")


@dataclass(frozen=True)
class Change:
    """One journal line: an artifact directory that changed at ``time_ns``."""

    time_ns: int
    artifact_dir: str


class _Writer:
    """This process's journal file, opened on first use (a fork gets its own file)."""

    def __init__(self) -> None:
        self.pid = -1
        self.name = ""
        self.warned = False

    def file_for(self, journal_dir: Path, day: str) -> Path:
        if self.pid != os.getpid():
            self.pid = os.getpid()
            host = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())
            self.name = f"{host}-{self.pid}-{secrets.token_hex(4)}.log"
        return journal_dir / day / self.name


_writer = _Writer()


def journal_dir(data_root: Path) -> Path:
    return data_root / JOURNAL_DIR


def day_of(time_ns: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(time_ns / 1e9))


def note_change(artifact_dir: str | Path) -> None:
    """Append one line saying ``artifact_dir`` changed (best effort: the directory is the truth).

    A failure to write is one warning per process, naming the way to
    reconcile, and never stops the computation that changed the artifact.
    """
    settings = settings_module.current()
    now = time.time_ns()
    line = f"{now} {_relative(settings, str(artifact_dir))}\n".encode("utf-8", "surrogateescape")
    path = _writer.file_for(journal_dir(settings.data_root), day_of(now))
    try:
        try:
            _append(path, line)
        except FileNotFoundError:
            if not (Path(artifact_dir).is_dir()):
                return  # the artifact is gone (a test's temporary root): nothing to journal
            _make_dir(path.parent)
            _append(path, line)
    except OSError as error:
        _break_seal(journal_dir(settings.data_root))
        if not _writer.warned:
            _writer.warned = True
            why = "the disk is full" if error.errno in DISK_FULL else (error.strerror or str(error))
            _log.warning(
                "cannot write the change journal in %s (%s); the next `furu ls` checks every artifact instead.",
                path.parent,
                why,
            )


def _break_seal(base: Path) -> None:
    """Tell every catalog that a change went unjournaled: an unlink, which needs no free space."""
    try:
        os.unlink(base / INTACT_FILE)
    except FileNotFoundError:
        pass
    except OSError as error:
        _log.warning("cannot remove %s (%s): run `furu ls --rescan` to see the latest changes.", base / INTACT_FILE, error)


def seal(base: Path) -> str | None:
    """The journal's seal (creating it after a catalog checked every artifact); None when it cannot be written.

    A seal is a random token: a catalog that remembers another token knows
    the seal was broken and remade since it last looked, even when some other
    catalog already checked everything and sealed it again.
    """
    try:
        _make_dir(base)
        fd = os.open(base / INTACT_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        token = seal_token(base)
        if token is not None:
            return token
        return _reseal(base)  # empty or unreadable (an older furu's seal): replace it
    except OSError:
        return None
    try:
        token = secrets.token_hex(8)
        os.write(fd, token.encode())
    except OSError:
        return None
    finally:
        os.close(fd)
    return token


def _reseal(base: Path) -> str | None:
    token = secrets.token_hex(8)
    try:
        write_bytes_atomic(base / INTACT_FILE, token.encode(), fsync=False)
    except OSError:
        return None
    return token


def seal_token(base: Path) -> str | None:
    """The current seal, or None when it is broken (or was never made)."""
    try:
        return (base / INTACT_FILE).read_text().strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _make_dir(path: Path) -> None:
    """Create a journal folder; the journal ignores itself in git (data roots made before it existed)."""
    path.mkdir(parents=True, exist_ok=True)
    base = path if path.name == JOURNAL_DIR else path.parent
    rules = base / ".gitignore"
    if not rules.exists():
        write_bytes_atomic(rules, b"# Written by furu: the change journal is a per-machine cache's feed, never committed.\n*\n", fsync=False)


def _append(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write of one short line: never split among other writers' lines
    finally:
        os.close(fd)


def _relative(settings: settings_module.Settings, artifact_dir: str) -> str:
    data = str(layout.data_dir(settings.data_root)) + os.sep
    versioned = str(settings.artifacts_root) + os.sep
    if artifact_dir.startswith(data):
        return f"{DATA} {artifact_dir[len(data):]}"
    if artifact_dir.startswith(versioned):
        return f"{VERSION_CONTROLLED} {artifact_dir[len(versioned):]}"
    return f"{ABSOLUTE} {artifact_dir}"


def parse_line(line: bytes, roots: dict[str, str]) -> Change | None:
    """One complete journal line as a :class:`Change` (None when it is not one: it is skipped).

    ``roots`` maps the root letters to this machine's paths of the data
    directory and the version-controlled artifacts root.
    """
    try:
        stamp, root, rest = line.decode("utf-8", "surrogateescape").rstrip("\n").split(" ", 2)
        time_ns = int(stamp)
    except ValueError:
        return None
    if root == ABSOLUTE:
        return Change(time_ns, rest)
    base = roots.get(root)
    if base is None or not rest or rest.startswith("/") or ".." in rest.split("/"):
        return None
    return Change(time_ns, f"{base}/{rest}")
