"""The bundle's tar headers: written directly when plain ustar holds them, byte for byte tarfile's."""

from __future__ import annotations

import itertools
import tarfile
from pathlib import Path

import pytest

from furu.share.tarwriter import TarWriter, ustar_header

NAMES = ["a", "data/m/Train/" + "0" * 32 + "/x.bin", "d" * 99, "d" * 100, "d" * 101, "é.txt", "dir", "dir/"]
KINDS = [tarfile.REGTYPE, tarfile.DIRTYPE, tarfile.SYMTYPE]
SIZES = [0, 1, 511, 512, 8**11 - 1, 8**11]
MODES = [0o644, 0o755, 0o100644]
MTIMES = [0, 1_700_000_000, 8**11 - 1, 8**11, -1]
LINKS = ["", "target", "t" * 100, "t" * 101, "ü"]


def _tarfile_header(name: str, kind: bytes, size: int, mode: int, mtime: int, linkname: str) -> bytes:
    info = tarfile.TarInfo(name)
    info.type, info.size, info.mode, info.mtime, info.linkname = kind, size, mode, mtime, linkname
    return info.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def test_direct_headers_are_tarfiles_and_the_rest_is_left_to_it() -> None:
    direct = []
    for name, kind, size, mode, mtime, link in itertools.product(NAMES, KINDS, SIZES, MODES, MTIMES, LINKS):
        header = ustar_header(name, kind, size=size, mode=mode, mtime=mtime, linkname=link)
        expected = _tarfile_header(name, kind, size, mode, mtime, link)
        if header is None:  # needs a pax record: a long or non-ASCII name or target, a huge size or time
            assert len(expected) > tarfile.BLOCKSIZE
        else:
            assert header == expected, (name, kind, size, mode, mtime, link)
            direct.append((name, kind, size, mode, mtime, link))
    assert (NAMES[1], tarfile.REGTYPE, 512, 0o644, 1_700_000_000, "") in direct  # a bundle's usual file
    assert (NAMES[6], tarfile.DIRTYPE, 0, 0o755, 0, "") in direct
    assert (NAMES[0], tarfile.SYMTYPE, 0, 0o644, 0, "target") in direct


@pytest.mark.parametrize("long_names", [False, True])
def test_what_the_writer_writes_reads_back(tmp_path: Path, long_names: bool) -> None:
    stem = "n" * 120 if long_names else "n"
    source = tmp_path / "payload.bin"
    source.write_bytes(b"payload " * 100)
    bundle = tmp_path / "out.tar"
    with TarWriter(bundle) as writer:
        writer.add_dir(f"{stem}/sub", mode=0o755, mtime=1_700_000_000.7)
        size, digest, _ = writer.add_file(f"{stem}/sub/ünï.bin", str(source))
        writer.add_symlink(f"{stem}/link", "sub/ünï.bin", mtime=1_700_000_001)
        writer.add_bytes(f"{stem}/small.json", b"{}", mtime=5)
    with tarfile.open(bundle) as tar:
        members = {m.name: m for m in tar.getmembers()}
        assert sorted(members) == sorted(f"{stem}/{p}" for p in ("sub", "sub/ünï.bin", "link", "small.json"))
        assert members[f"{stem}/sub"].isdir() and members[f"{stem}/sub"].mtime == 1_700_000_000
        assert members[f"{stem}/link"].issym() and members[f"{stem}/link"].linkname == "sub/ünï.bin"
        data = tar.extractfile(members[f"{stem}/sub/ünï.bin"])
        assert data is not None and data.read() == source.read_bytes() and size == 800
        small = tar.extractfile(members[f"{stem}/small.json"])
        assert small is not None and small.read() == b"{}" and members[f"{stem}/small.json"].mtime == 5
    assert bundle.stat().st_size % tarfile.RECORDSIZE == 0
    assert len(digest) == 32
