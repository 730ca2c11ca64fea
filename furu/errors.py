"""Every error furu raises on purpose derives from :class:`FuruError`.

Messages are written for the person at the terminal: what happened, to which
artifact, and what to do about it (naming the env variable or flag that
changes the behaviour, where there is one).
"""

from __future__ import annotations


class FuruError(Exception):
    """Base class of furu's own errors; catch this to handle any of them."""


class FuruConfigError(FuruError):
    """A setting (env variable or ``[tool.furu]`` key) has an invalid value."""


class FuruProjectRootError(FuruError):
    """No project root could be found for the working directory."""


class FuruNamespaceError(FuruError):
    """A class cannot be given a stable import path (``__main__`` or ``<locals>``)."""


class FuruLockTimeout(FuruError):
    """Waited longer than ``FURU_MAX_WAIT_SECS`` for another process's lock."""


class FuruLockLost(FuruError):
    """This process's attempt lost its artifact's lock to another process and stopped.

    It happens when the holder stalled past its lease (suspended, SIGSTOP, a hung
    NFS client, a paused VM) and a waiter took over. The stopped attempt wrote
    no state, metadata or success marker; the attempt that took over stands.
    """


class FuruNotFound(FuruError):
    """An artifact, its metadata or its state is not on disk."""


class FuruGitError(FuruError):
    """Git provenance could not be captured or restored."""


class FuruSpecError(FuruError):
    """A config spec or a ``key=value`` that cannot be turned into a config."""
