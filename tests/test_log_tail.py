"""furu.report's live tail: whole lines after an offset (read_log), then what a finished writer left unfinished (tail_after)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from furu.report import MAX_CHUNK_BYTES, read_log, tail_after


def test_a_follower_gets_every_line_once_and_the_unfinished_one_after_the_end(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"one\ntwo\nthr")
    first = read_log(log, offset=0)
    assert first.lines == ["one", "two"] and first.offset == 8  # "thr" is still being written
    with log.open("ab") as handle:
        handle.write(b"ee\nfour")
    second = read_log(log, offset=first.offset)
    assert second.lines == ["three"] and second.offset == 14
    assert read_log(log, offset=second.offset).lines == []
    assert tail_after(log, second.offset) == "four"  # the writer ended without a newline
    assert tail_after(log, 19) == ""


def test_a_burst_comes_in_chunks_and_a_missing_log_is_empty(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"x" * 100 + b"\n" + (b"y" * 99 + b"\n") * (MAX_CHUNK_BYTES // 100))
    offset, lines = 0, 0
    while chunk := read_log(log, offset=offset).lines:
        lines += len(chunk)
        offset = read_log(log, offset=offset).offset
    assert lines == 1 + MAX_CHUNK_BYTES // 100 and offset == log.stat().st_size
    assert tail_after(tmp_path / "gone.log", 0) == "" and read_log(tmp_path / "gone.log", offset=0).lines == []


def test_never_through_a_symlink_planted_at_the_log(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    os.symlink(secret, tmp_path / "output.log")
    with pytest.raises(OSError):
        read_log(tmp_path / "output.log", offset=0)
    with pytest.raises(OSError):
        tail_after(tmp_path / "output.log", 0)
