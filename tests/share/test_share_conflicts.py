"""Entries that collide on disk (a file where a directory goes, or below a file) are refused by name.

The importer remembers the directories it made in staging instead of asking the
filesystem again for every file; these bundles check that remembering never lets
a collision through, whichever comes first in the archive.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from furu.share import FuruBundleUnsafe

from .conftest import Shared
from .test_share_bad_input import Members, assert_refused, corpus_dir, crafted, entry, index_of

__all__ = ["crafted"]  # the fixture, used here by name


def _after(members: Members, suffix: str, *added: tuple[tarfile.TarInfo, bytes | None]) -> None:
    at = index_of(members, suffix) + 1
    members[at:at] = list(added)


@pytest.mark.parametrize(
    ("added", "refused"),
    [
        (lambda d: [entry(f"{d}/corpus.txt/inner.txt")], "corpus.txt/inner.txt"),
        (lambda d: [entry(f"{d}/corpus.txt/sub", tarfile.DIRTYPE)], "corpus.txt/sub"),
        (lambda d: [entry(f"{d}/made/x.txt"), entry(f"{d}/made")], "made"),
        (lambda d: [entry(f"{d}/made", tarfile.DIRTYPE), entry(f"{d}/made/x.txt"), entry(f"{d}/made/x.txt/y")], "made/x.txt/y"),
    ],
    ids=["file-below-a-file", "dir-below-a-file", "file-over-a-made-dir", "below-a-file-in-a-made-dir"],
)
def test_a_collision_on_disk_is_refused_and_nothing_is_written(
    added: Callable[[str], list[tuple[tarfile.TarInfo, bytes | None]]],
    refused: str,
    shared: Shared,
    crafted: Callable[[Callable[[Members], None]], Path],
) -> None:
    where = corpus_dir(shared)
    bundle = crafted(lambda members: _after(members, "corpus.txt", *added(where)))
    assert_refused(bundle, FuruBundleUnsafe, f"entry '{where}/{refused}' conflicts with an earlier entry.")
