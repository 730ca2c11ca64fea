"""Where a data root's catalog index lives: on a local disk, always.

SQLite's locking is unreliable on network filesystems (NFS, Lustre, SMB...),
and a cache shared by machines that see the tree at different moments would be
wrong for all of them. So the index sits beside the data root only when that
is on a local disk; otherwise it goes under the user's cache directory, one
per data root (keyed by its path), and each machine keeps its own.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

import xxhash

INDEX_DIR = ".catalog"
INDEX_FILE = "catalog.sqlite3"
INDEX_PATH_ENV = "FURU_CATALOG_PATH"

NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "lustre", "gpfs", "beegfs", "ceph",
    "glusterfs", "cvfs", "panfs", "pvfs2", "orangefs", "ocfs2", "gfs2", "davfs", "fuse.sshfs",
    "fuse.s3fs", "fuse.glusterfs", "fuse.ceph-fuse", "fuse.rclone", "fuse.gcsfuse", "fuse.juicefs",
})


def index_path(data_root: Path) -> Path:
    """The SQLite file of ``data_root``'s index (``FURU_CATALOG_PATH`` overrides it)."""
    override = os.environ.get(INDEX_PATH_ENV)
    if override:
        return Path(override).expanduser().absolute()
    root = data_root.absolute()
    if not is_network_filesystem(root):
        return root / INDEX_DIR / INDEX_FILE
    key = xxhash.xxh3_64_hexdigest(str(root).encode("utf-8", "surrogateescape"))
    return user_cache_dir() / "catalog" / f"{root.name or 'root'}-{key}" / INDEX_FILE


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/furu`` (``~/.cache/furu``), or ``~/Library/Caches/furu`` on macOS."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "furu"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "furu"
    return Path.home() / ".cache" / "furu"


def is_network_filesystem(path: Path) -> bool:
    """Whether ``path`` (or its nearest existing parent) is on a network filesystem (Linux: mountinfo)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return filesystem_type(str(path.resolve())) in NETWORK_FILESYSTEMS


def filesystem_type(path: str) -> str | None:
    """The type of the filesystem mounted deepest above ``path``; None where mountinfo is not available."""
    best, kind = "", None
    for mount_point, fs_type in _mounts():
        if (path == mount_point or path.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) >= len(best):
            best, kind = mount_point, fs_type
    return kind


@cache
def _mounts() -> tuple[tuple[str, str], ...]:
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return ()
    found = []
    for line in lines:
        before, _, after = line.partition(" - ")
        fields, rest = before.split(), after.split()
        if len(fields) >= 5 and rest:
            mount_point = fields[4].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
            found.append((mount_point, rest[0]))
    return tuple(found)
