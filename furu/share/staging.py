"""Where an import writes before anything is visible, and how it then appears in one step.

Each destination root gets a private staging directory on its own filesystem
(``<data root>/data/.import-staging-<host>-<pid>-<token>.furu-tmp/`` and the
same under the artifacts root), hidden from the catalog and git-ignored by its
name. An artifact is extracted and verified there, then renamed into place:
``rename(2)`` of a directory onto a missing path is atomic, and fails if a
concurrent ``load_or_create`` created the directory meanwhile. Replacing an
existing artifact happens under its lock, by exchanging the two directories
atomically (``renameat2(RENAME_EXCHANGE)`` on Linux; elsewhere two renames).
A crash leaves only the staging directory, which the next import removes.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import sys
import time
from pathlib import Path

from furu import layout
from furu.atomic import TEMP_MARKER
from furu.errors import FuruError
from furu.locking import ArtifactLock, process_alive
from furu.settings import Settings
from furu.state import hostname

STAGING_PREFIX = ".import-staging-"
STALE_AFTER_SECS = 7 * 24 * 3600
"""A staging directory from another host is removed once this old (its owner cannot be asked)."""


class Staging:
    """The staging directories of one import (created on first use)."""

    def __init__(self, current: Settings) -> None:
        self.roots = {False: layout.data_dir(current.data_root), True: current.artifacts_root}
        self.name = f"{STAGING_PREFIX}{hostname()}-{os.getpid()}-{secrets.token_hex(4)}{TEMP_MARKER}"
        self._dirs: dict[bool, Path] = {}
        self._created: list[Path] = []

    def root(self, version_controlled: bool) -> Path:
        found = self._dirs.get(version_controlled)
        if found is None:
            base = self.roots[version_controlled]
            missing = [path for path in (base, *base.parents) if not path.exists()]
            base.mkdir(parents=True, exist_ok=True)
            self._created.extend(missing)
            found = base / self.name
            found.mkdir()
            self._dirs[version_controlled] = found
        return found

    def artifact_dir(self, version_controlled: bool, location: str) -> Path:
        return self.root(version_controlled).joinpath(*location.split("/"))

    @property
    def code_path(self) -> Path:
        return self.root(False) / "code.bundle"

    def remove(self, *, keep_roots: bool) -> None:
        """Delete the staging directories; without ``keep_roots``, also the roots made for them."""
        for path in self._dirs.values():
            shutil.rmtree(path, ignore_errors=True)
        self._dirs.clear()
        if not keep_roots:
            for path in sorted(self._created, key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):  # not empty: someone else uses it now
                    path.rmdir()
        self._created.clear()


def remove_stale_staging(current: Settings) -> list[Path]:
    """Remove staging directories left by imports that crashed; returns what was removed."""
    removed = []
    now = time.time()
    for root in (layout.data_dir(current.data_root), current.artifacts_root):
        try:
            names = os.listdir(root)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            if not (name.startswith(STAGING_PREFIX) and name.endswith(TEMP_MARKER)):
                continue
            path = root / name
            host, _, rest = name[len(STAGING_PREFIX) : -len(TEMP_MARKER)].rpartition("-")[0].rpartition("-")
            try:
                pid, age = int(rest), now - path.stat().st_mtime
            except (ValueError, OSError):
                continue
            if (host == hostname() and not process_alive(pid)) or age > STALE_AFTER_SECS:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def move_into_place(staged: Path, dest: Path) -> bool:
    """Rename a staged artifact to ``dest``; False (nothing moved) when ``dest`` exists by now."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(staged, dest)
    except OSError as error:
        if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return False
        if error.errno == errno.EXDEV:
            raise FuruError(
                f"Cannot move the imported {dest.name} into {dest.parent}: it is on another filesystem than "
                f"the import's staging directory {staged.parent}. Point FURU_PATH (or FURU_ARTIFACTS_PATH) at "
                "one filesystem, or move that class directory back under the data root."
            ) from None
        raise
    return True


def link_in_the_way(dest: Path) -> str | None:
    """Why replacing the artifact at ``dest`` would write through a symlink (its own, or its ``.furu/``), or None.

    Replacing takes the artifact's lock in ``dest/.furu/``; a symlink there
    (planted, or left by hand) would make that write land wherever it points.
    """
    internal = dest / layout.INTERNAL_DIR
    for path in (dest, internal):
        if path.is_symlink():
            return (
                f"{path} is a symlink (to {os.readlink(path)}) and furu never writes through one; "
                f"remove the link (rm {path}) and import again"
            )
    if os.path.lexists(internal) and not internal.is_dir():
        return f"{internal} is not a directory; remove it (rm {internal}) and import again"
    return None


def replace_in_place(staged: Path, dest: Path, current: Settings) -> str | None:
    """Swap the staged artifact in for the one at ``dest`` under its lock.

    Returns None when done, or why it was not (the artifact is being created,
    or a symlink is in the way: see :func:`link_in_the_way`).
    """
    refusal = link_in_the_way(dest)
    if refusal is not None:
        return refusal
    internal = dest / layout.INTERNAL_DIR
    os.makedirs(internal, exist_ok=True)  # neither dest nor its .furu is a link (checked just above)
    lock = ArtifactLock(
        internal / layout.LOCK_FILE, lease_secs=current.lease_secs, heartbeat_secs=current.effective_heartbeat_secs
    )
    busy = lock.acquire_unless_busy()
    if busy is not None:
        return f"it is being created right now (lock {busy.describe()}); import again once it finishes"
    try:
        if _exchange(staged, dest):
            old = staged  # the exchange left the previous artifact where the staged one was
        else:
            old = dest.with_name(f".{dest.name}{TEMP_MARKER}-replaced-{secrets.token_hex(4)}")
            os.rename(dest, old)
            os.rename(staged, dest)
    finally:
        lock.release()  # the lock file went with the old directory; this only stops tracking it
    shutil.rmtree(old, ignore_errors=True)
    return None


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where that is unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # e.g. NFS: fall back to two renames
    raise OSError(code, os.strerror(code), str(second))
