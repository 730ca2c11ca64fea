"""Writing the bundle's tar stream, hashing each file in the same pass that copies it.

``tarfile`` writes the headers (POSIX pax format: long names, big files and
UTF-8 names all fit); the data is copied here in 1 MiB chunks through one
reused buffer, each chunk hashed (xxh3-128) and sniffed for pickles on its
way to the output, so every file is read exactly once.
"""

from __future__ import annotations

import os
import stat
import tarfile
from collections.abc import Callable
from pathlib import Path

import xxhash

from furu.share.errors import FuruExportError
from furu.share.manifest import PickleFormat
from furu.share.sniff import PickleSniffer

CHUNK = 1 << 20
_NUL_BLOCK = bytes(tarfile.BLOCKSIZE)


def _nothing(n: int) -> None:
    return None


class TarWriter:
    """An uncompressed pax tar file, written front to back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._out = open(path, "xb", buffering=CHUNK)  # noqa: SIM115 - closed in close()
        self._buffer = bytearray(CHUNK)
        self._view = memoryview(self._buffer)
        self.bytes_written = 0

    def __enter__(self) -> TarWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(finish=exc[0] is None)

    def add_bytes(self, name: str, data: bytes, *, mtime: float) -> str:
        """A regular file holding ``data``; returns its digest."""
        self._header(name, tarfile.REGTYPE, size=len(data), mode=0o644, mtime=mtime)
        self._write(data)
        self._pad(len(data))
        return xxhash.xxh3_128_hexdigest(data)

    def add_dir(self, name: str, *, mode: int, mtime: float) -> None:
        self._header(name, tarfile.DIRTYPE, mode=mode, mtime=mtime)

    def add_symlink(self, name: str, target: str, *, mtime: float) -> None:
        self._header(name, tarfile.SYMTYPE, mode=0o777, mtime=mtime, linkname=target)

    def add_file(
        self, name: str, source: str, *, advance: Callable[[int], None] = _nothing
    ) -> tuple[int, str, PickleFormat | None]:
        """Copy the regular file ``source``; returns ``(size, xxh3-128 digest, pickle format)``."""
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as error:
            raise FuruExportError(f"Cannot read {source} for the bundle: {error.strerror}.") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise FuruExportError(f"{source} is not a regular file any more; export again.")
            size = info.st_size
            self._header(name, tarfile.REGTYPE, size=size, mode=_file_mode(info.st_mode), mtime=info.st_mtime)
            hasher = xxhash.xxh3_128()
            sniffer = PickleSniffer(name)
            view, out, left = self._view, self._out, size
            while left:
                n = os.readv(fd, [view[: min(CHUNK, left)]])
                if n == 0:
                    raise FuruExportError(
                        f"{source} shrank while it was exported ({size} bytes when started); "
                        "export again once nothing writes to it."
                    )
                chunk = view[:n]
                hasher.update(chunk)
                sniffer.feed(chunk)
                out.write(chunk)
                left -= n
                advance(n)
            self.bytes_written += size
            self._pad(size)
            return size, hasher.hexdigest(), sniffer.result()
        finally:
            os.close(fd)

    def close(self, *, finish: bool = True) -> None:
        """End the archive (two zero blocks, padded to a whole record) and close the file."""
        if self._out.closed:
            return
        try:
            if finish:
                self._write(_NUL_BLOCK * 2)
                remainder = self.bytes_written % tarfile.RECORDSIZE
                if remainder:
                    self._write(bytes(tarfile.RECORDSIZE - remainder))
                self._out.flush()
        finally:
            self._out.close()

    def _header(self, name: str, kind: bytes, *, size: int = 0, mode: int, mtime: float, linkname: str = "") -> None:
        header = ustar_header(name, kind, size=size, mode=mode, mtime=int(mtime), linkname=linkname)
        if header is not None:
            self._write(header)
            return
        info = tarfile.TarInfo(name)
        info.type = kind
        info.size = size
        info.mode = mode
        info.mtime = int(mtime)
        info.linkname = linkname
        self._write(info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape"))

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self.bytes_written += len(data)

    def _pad(self, size: int) -> None:
        remainder = size % tarfile.BLOCKSIZE
        if remainder:
            self._write(_NUL_BLOCK[: tarfile.BLOCKSIZE - remainder])


_USTAR_MAGIC = tarfile.POSIX_MAGIC  # b"ustar\x0000"
_NUMBER_LIMIT = 8**11  # what 11 octal digits hold: sizes and times below it need no pax record


def ustar_header(name: str, kind: bytes, *, size: int, mode: int, mtime: int, linkname: str = "") -> bytes | None:
    """The header ``tarfile`` writes in pax format for an entry that needs no pax record, or None.

    Byte for byte what ``TarInfo.tobuf(PAX_FORMAT)`` gives for such an entry (a plain ustar
    block; pinned by tests/share/test_share_tarwriter.py), built directly because a bundle of
    many small files spent more time in ``tarfile``'s general header code than copying them.
    Entries with long or non-ASCII names or targets, or huge sizes, get None: tarfile writes those.
    """
    if kind == tarfile.DIRTYPE and not name.endswith("/"):
        name += "/"
    if not (
        len(name) <= 100 and len(linkname) <= 100 and name.isascii() and linkname.isascii()
        and 0 <= size < _NUMBER_LIMIT and 0 <= mtime < _NUMBER_LIMIT
    ):
        return None
    header = bytearray(tarfile.BLOCKSIZE)
    header[0 : len(name)] = name.encode("ascii")
    header[100:148] = b"%07o\x000000000\x000000000\x00%011o\x00%011o\x00" % (mode & 0o7777, size, mtime)
    header[148:157] = b"        " + kind  # the checksum counts its own field as eight spaces
    header[157 : 157 + len(linkname)] = linkname.encode("ascii")
    header[257:265] = _USTAR_MAGIC
    header[148:155] = b"%06o\x00" % sum(header)
    return bytes(header)


def _file_mode(mode: int) -> int:
    """0o755 for executables, else 0o644: permissions travel, ownership and odd bits do not."""
    return 0o755 if mode & 0o111 else 0o644
