"""Spotting result files whose loading runs pickle (and so can run arbitrary code).

The exporter flags them in the manifest and the importer flags them again
from the bytes it receives (a crafted manifest cannot hide them). Sniffing
works on the chunks that stream through the copy loop, so it costs no extra
read: the first chunk holds the magic numbers, and for zip files (torch) the
last 64 KiB hold the central directory that names ``data.pkl``.

Recognised: pickle protocol 2+ (``\\x80`` + protocol), torch zip archives
(``*/data.pkl`` inside) and legacy torch files (a pickle), NumPy ``.npy``
files of dtype object, and by name ``.pkl``, ``.pickle``, ``.dill``,
``.joblib``, ``.pt``, ``.pth`` (whatever their compression).
"""

from __future__ import annotations

import re
import struct

from furu.share.manifest import PickleFormat

TAIL_BYTES = 1 << 16

_BY_SUFFIX: dict[str, PickleFormat] = {
    ".pkl": "pickle",
    ".pickle": "pickle",
    ".pck": "pickle",
    ".dill": "pickle",
    ".cloudpickle": "pickle",
    ".joblib": "joblib",
    ".jbl": "joblib",
    ".pt": "torch",
    ".pth": "torch",
}
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_CENTRAL = b"PK\x01\x02"
_NPY = b"\x93NUMPY"
_NPY_OBJECT = re.compile(rb"""['"]\|?O['"]""")


class PickleSniffer:
    """Feed the chunks of one file in order; :meth:`result` says how it unpickles, if it does."""

    __slots__ = ("_by_name", "_found", "_first", "_tail", "_zip")

    def __init__(self, name: str) -> None:
        self._by_name = _format_by_name(name)
        self._found: PickleFormat | None = None
        self._first = True
        self._zip = False
        self._tail = b""

    def feed(self, chunk: bytes | memoryview) -> None:
        if self._first:
            self._first = False
            head = bytes(chunk[:4096])
            self._found = _from_head(head)
            self._zip = head.startswith(_ZIP_LOCAL)
        if self._zip:
            self._tail = (self._tail + bytes(chunk[-TAIL_BYTES:]))[-TAIL_BYTES:]

    def result(self) -> PickleFormat | None:
        found = self._found
        if found is None and self._zip:
            found = _from_zip_names(_central_names(self._tail))
        if found == "pickle" and self._by_name is not None:
            return self._by_name  # a .joblib or legacy .pt file is a pickle: say which
        return found or self._by_name


def sniff_bytes(name: str, data: bytes) -> PickleFormat | None:
    """The verdict for a file held in memory (tests, small files)."""
    sniffer = PickleSniffer(name)
    sniffer.feed(data)
    return sniffer.result()


def _format_by_name(name: str) -> PickleFormat | None:
    for suffix in _suffixes(name.lower()):
        if suffix in _BY_SUFFIX:
            return _BY_SUFFIX[suffix]
    return None


def _suffixes(path: str) -> list[str]:
    """``PurePosixPath(path).suffixes``, without building a path object for every file of a bundle."""
    name = path.rstrip("/").rpartition("/")[2]
    if name.endswith("."):
        return []
    return ["." + suffix for suffix in name.lstrip(".").split(".")[1:]]


def _from_head(head: bytes) -> PickleFormat | None:
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return "pickle"
    if head.startswith(_ZIP_LOCAL) and len(head) >= 30:
        name_length = struct.unpack_from("<H", head, 26)[0]
        return _from_zip_names([head[30 : 30 + name_length]])
    if head.startswith(_NPY) and len(head) >= 10:
        major = head[6]
        if major == 1:
            length, start = struct.unpack_from("<H", head, 8)[0], 10
        elif len(head) >= 12:
            length, start = struct.unpack_from("<I", head, 8)[0], 12
        else:
            return None
        header = head[start : start + length]
        match = re.search(rb"""['"]descr['"]\s*:\s*(.*?)(?:,\s*['"]fortran_order|,\s*['"]shape|\}$)""", header)
        if match and _NPY_OBJECT.search(match.group(1)):
            return "numpy-object"
    return None


def _central_names(tail: bytes) -> list[bytes]:
    names = []
    start = tail.find(_ZIP_CENTRAL)
    while start != -1 and start + 46 <= len(tail):
        name_length = struct.unpack_from("<H", tail, start + 28)[0]
        names.append(tail[start + 46 : start + 46 + name_length])
        start = tail.find(_ZIP_CENTRAL, start + 46)
    return names


def _from_zip_names(names: list[bytes]) -> PickleFormat | None:
    for name in names:
        if name == b"data.pkl" or name.endswith(b"/data.pkl"):
            return "torch"
    for name in names:
        if name.endswith((b".pkl", b".pickle")):
            return "pickle"
    return None
