"""Symlinks in bundles, as a user relies on them: links that stay inside travel and round-trip, whatever their
shape; links that lead out (even through other links) stay behind on export; an existing directory at the
destination never makes an import write through a link planted in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import furu
from examples import PrepareData
from furu.settings import clear_settings_cache
from furu.share import import_bundle

from .conftest import Shared

LEGIT = {
    "nested/up": "..",  # a directory link that climbs, but only to the artifact itself
    "via_up": "nested/up/data.csv",
    "jump": "nested/deep",
    "back": "jump/../../data.csv",  # lexically outside; really jump/.. is nested, so this is data.csv
    "chain1": "chain2",
    "chain2": "data.csv",
    "dangling": "not-yet/there",
}
HOSTILE = {
    "out": "nested/up/../..",  # lexically the artifact itself; really its parent
    "peek": ".furu/metadata.json",
    "loop": "loop",
}


def test_links_that_stay_inside_round_trip_and_the_others_stay_behind(
    furu_tmp_root: Path, tmp_path: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = PrepareData(name="links")
    data.load_or_create()
    (data.furu_dir / "nested" / "deep").mkdir(parents=True)
    for path, target in {**LEGIT, **HOSTILE}.items():
        os.symlink(target, data.furu_dir / path)

    report = furu.export([data], tmp_path / "links.furu.tar", code="none")

    label = f"examples.PrepareData {data.furu_hash[:8]}"
    assert report.warnings == [
        f"{label}: loop: a symlink to loop, a loop of symlinks; left out",
        f"{label}: out: a symlink to nested/up/../.., outside the artifact through nested/up -> ..; left out",
        f"{label}: peek: a symlink to .furu/metadata.json, into furu's own .furu/ records; left out",
    ]

    other = tmp_path / "other-root"
    monkeypatch.setenv("FURU_PATH", str(other))
    monkeypatch.setenv("FURU_ARTIFACTS_PATH", str(other / "artifacts"))
    clear_settings_cache()
    imported = import_bundle(report.path)
    assert [(e.action, e.reason) for e in imported.experiments] == [("imported", None)]
    dest = Path(imported.experiments[0].dir)
    assert dest == other / "data" / "examples" / "PrepareData" / data.furu_hash
    links = {path: os.readlink(dest / path) for path in [*LEGIT, *HOSTILE] if os.path.islink(dest / path)}
    assert links == LEGIT
    rows = "0\n1\n2\n3\n4\n"
    for path in ("via_up", "back", "chain1"):
        assert (dest / path).read_text() == rows
    assert PrepareData(name="links").load_or_create() == dest / "data.csv"
    assert [line.split()[0] for line in calls_file.read_text().splitlines()] == ["PrepareData:links"]  # before export

    again = import_bundle(report.path)
    assert [(e.action, e.reason) for e in again.experiments] == [("skipped", "an identical result is already here")]


def _corpus_dest(shared: Shared, project: Path) -> Path:
    return project / "furu-data" / "data" / "sharepipe" / "Corpus" / shared.hashes["Corpus"]


def test_a_link_planted_in_an_existing_directory_is_replaced_not_written_through(
    shared: Shared, project_b: Path, tmp_path: Path
) -> None:
    sentinel = tmp_path / "outside.txt"
    sentinel.write_bytes(b"the sentinel\n")
    stamp = (sentinel.read_bytes(), sentinel.stat().st_mtime_ns)
    dest = _corpus_dest(shared, project_b)
    (dest / ".furu").mkdir(parents=True)  # an unfinished attempt, with a planted link where the result goes
    os.symlink(sentinel, dest / "corpus.txt")

    report = import_bundle(shared.bundle)

    assert [(e.fqn, e.action) for e in report.experiments][0] == ("sharepipe.Corpus", "replaced")
    assert not os.path.islink(dest / "corpus.txt")
    assert (dest / "corpus.txt").read_text() == "word word word "
    assert (sentinel.read_bytes(), sentinel.stat().st_mtime_ns) == stamp


@pytest.mark.parametrize("overwrite", [False, True], ids=["import", "overwrite"])
@pytest.mark.parametrize("where", [".furu", "artifact"])
def test_an_import_never_takes_a_lock_through_a_planted_link(
    where: str, overwrite: bool, shared: Shared, project_b: Path, tmp_path: Path
) -> None:
    """Replacing takes the artifact's lock in its .furu/: a link there (or the artifact being one) is refused."""
    outside = tmp_path / "outside"
    (outside / ".furu").mkdir(parents=True)
    dest = _corpus_dest(shared, project_b)
    dest.parent.mkdir(parents=True)
    if where == ".furu":
        dest.mkdir()
        os.symlink(outside / ".furu", dest / ".furu")
        link = dest / ".furu"
        target = outside / ".furu"
    else:
        os.symlink(outside, dest)
        link, target = dest, outside
    reason = (
        f"{link} is a symlink (to {target}) and furu never writes through one; remove the link (rm {link}) "
        "and import again"
    )

    for dry_run in (True, False):
        report = import_bundle(shared.bundle, dry_run=dry_run, overwrite=overwrite)
        assert [(e.fqn, e.action, e.reason) for e in report.experiments][0] == ("sharepipe.Corpus", "refused", reason)
    assert [e.action for e in report.experiments][1:] == ["imported", "imported"]
    assert sorted(str(p.relative_to(outside)) for p in outside.rglob("*")) == [".furu"]  # no lock, claim, or file
    assert os.readlink(link) == str(target)
