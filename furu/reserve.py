"""Space held back while an attempt runs, so its outcome can be recorded on a full disk.

When ``_create`` fills the disk, recording that it failed needs a new
``state.json`` (written beside the old one and renamed), which needs free
blocks. So each attempt allocates a small ``.furu/reserve`` file as it
starts and removes it right before it records its outcome, whatever the
outcome. On a disk already too full for the reserve the attempt runs
without one: it fails early there anyway.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from furu.atomic import DISK_FULL
from furu.layout import INTERNAL_DIR

RESERVE_FILE = "reserve"
_MIN_BYTES = 256 * 1024


class SpaceReserve:
    def __init__(self, artifact_dir: str, *, state_bytes: int) -> None:
        self.path = Path(artifact_dir, INTERNAL_DIR, RESERVE_FILE)
        # Enough for the state rewrite with one more traceback in it, and its event line.
        self.size = max(_MIN_BYTES, 4 * state_bytes)

    def hold(self) -> bool:
        """Allocate the reserve; False (and nothing left behind) when the disk has no room for it."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        except OSError as error:
            if error.errno in DISK_FULL:
                return False
            raise
        try:
            _allocate(fd, self.size)
            return True
        except OSError as error:
            self.release()
            if error.errno in DISK_FULL:
                return False
            raise
        finally:
            os.close(fd)

    def release(self) -> None:
        self.path.unlink(missing_ok=True)


def _allocate(fd: int, size: int) -> None:
    """Really allocate ``size`` bytes (not a sparse file, which would free nothing when removed)."""
    fallocate = getattr(os, "posix_fallocate", None)  # not on macOS
    try:
        if fallocate is not None:
            fallocate(fd, 0, size)
            return
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise
    block = b"\0" * 65536
    for _ in range(0, size, len(block)):
        os.write(fd, block)
