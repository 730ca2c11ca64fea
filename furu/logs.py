"""Where log records go: one compact console line per decision, and per-artifact log files.

Console: the ``furu`` logger prints one line per decision (load, create,
done, failed, wait) to stderr. It does not propagate, so an application's
root handlers do not print furu's lines twice; configure
``logging.getLogger("furu")`` (or ``FURU_LOG_LEVEL``) to change it.

Files: while an artifact's ``_create`` runs, every record that reaches the
root logger (or furu's) is also written to that artifact's ``.furu/furu.log``;
a dependency created inside it writes to its own file instead. The target is
a context variable, so concurrent creations in threads or tasks stay apart.
When the application configured no logging, the root level is lowered to
``FURU_LOG_LEVEL`` during creation so ``logger.info`` in user code is kept, and
warnings still reach stderr as Python's last-resort handler would print them.
"""

from __future__ import annotations

import contextvars
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from furu.atomic import open_append

logger = logging.getLogger("furu")

_FILE_FORMAT = logging.Formatter(
    "%(asctime)s %(levelname)-7s %(name)s [pid %(process)d %(threadName)s]: %(message)s"
)
_current_log: contextvars.ContextVar[_LogFile | None] = contextvars.ContextVar("furu_log", default=None)
_configured_level: str | None = None


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (pytest and notebooks swap it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("furu: %(message)s"))

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: IO[str]) -> None:
        pass


class _LogFile:
    """One artifact's ``furu.log``: one unbuffered append per record, so nothing is pending at close.

    A write that fails (a full disk) stops this log with one line on stderr
    instead of a logging traceback per record.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = open_append(path)

    def write(self, text: str) -> None:
        if self.fd is None:
            return
        try:
            os.write(self.fd, text.encode("utf-8", "backslashreplace"))
        except OSError as error:
            self.close()
            print(f"furu: cannot write {self.path} ({error.strerror or error}); this log stops here", file=sys.stderr)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _ArtifactLogRouter(logging.Handler):
    """Sends each record to the log file of the artifact being created in this context."""

    def emit(self, record: logging.LogRecord) -> None:
        target = _current_log.get()
        if target is not None:
            try:
                target.write(_FILE_FORMAT.format(record) + "\n")
            except Exception:
                self.handleError(record)
        if (
            record.name != "furu"
            and not record.name.startswith("furu.")
            and record.levelno >= logging.WARNING
            and _router_is_alone()
        ):
            logging.lastResort.handle(record)  # type: ignore[union-attr]


_router = _ArtifactLogRouter(level=logging.DEBUG)


def configure(level: str) -> None:
    """Set up furu's console handler once, unless the application configured ``furu`` itself."""
    global _configured_level
    if _configured_level == level:
        return
    if _configured_level is None:
        if not logger.handlers:
            logger.addHandler(_StderrHandler())
        logger.addHandler(_router)
        logger.propagate = False
    logger.setLevel(level)
    _configured_level = level


def set_console_level(level: str) -> None:
    """Show only records at ``level`` or above on stderr; artifacts' logs still get everything (a server's quiet output)."""
    for handler in logger.handlers:
        if isinstance(handler, _StderrHandler):
            handler.setLevel(level)


def _router_is_alone() -> bool:
    return all(handler is _router for handler in logging.root.handlers)


@contextmanager
def artifact_log(path: Path, level: str) -> Iterator[None]:
    """Route records emitted inside the block to ``path`` (appending, never through a link).

    The file is opened before the root logger is touched, so a refused or
    failed open leaves logging as it was.
    """
    log_file = _LogFile(path)
    root = logging.root
    if _router not in root.handlers:
        root.addHandler(_router)
    saved_level = root.level
    wanted = logging.getLevelName(level)
    if _router_is_alone() and isinstance(wanted, int) and root.level > wanted:
        root.setLevel(wanted)
    token = _current_log.set(log_file)
    try:
        yield
    finally:
        _current_log.reset(token)
        log_file.close()
        if root.level != saved_level and _current_log.get() is None:
            root.setLevel(saved_level)
