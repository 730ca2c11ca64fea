"""Interrupted imports: a killed process leaves whole artifacts or none, and the next import finishes the job."""

from __future__ import annotations

import os
import signal
import tarfile
from pathlib import Path

import pytest

from furu.share import FuruBundleCorrupt, import_bundle

from .conftest import MODEL_RESULT, Shared, git, tree
from .test_share_bad_input import _replace_code, read_members, write_members

KILL_ON_SECOND_PLACEMENT = """
import os, signal, sys
import furu.share.staging as staging
original = staging.move_into_place
placed = []

def crash_after_first(staged, dest):
    if placed:
        os.kill(os.getpid(), signal.SIGKILL)  # a real crash: no finally blocks, no cleanup
    placed.append(dest)
    return original(staged, dest)

staging.move_into_place = crash_after_first
from furu.share import import_bundle
import_bundle(sys.argv[1])
"""


def staging_dirs(project: Path) -> list[str]:
    found = []
    for root in (project / "furu-data" / "data", project / "furu-data" / "artifacts"):
        if root.exists():
            found += [name for name in os.listdir(root) if name.startswith(".import-staging-")]
    return found


def test_a_crash_between_staging_and_rename_leaves_whole_artifacts_only(shared: Shared, project_b: Path) -> None:
    h = shared.hashes
    crashed = shared.run_in(project_b, KILL_ON_SECOND_PLACEMENT, str(shared.bundle))
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    data = project_b / "furu-data" / "data" / "sharepipe"
    assert os.listdir(data) == ["Corpus"]  # the first artifact appeared whole; the others not at all
    assert sorted(os.listdir(data / "Corpus" / h["Corpus"])) == [".furu", "corpus.txt"]
    assert not (project_b / "furu-data" / "artifacts" / "sharepipe").exists()
    assert len(staging_dirs(project_b)) == 2  # what the crash left: staging for each root, nothing else

    report = import_bundle(shared.bundle)
    assert [e.action for e in report.experiments] == ["skipped", "imported", "imported"]
    assert staging_dirs(project_b) == []  # the dead import's staging was cleaned up
    from sharepipe import Model  # type: ignore[import-not-found]

    assert Model().load_or_create() == MODEL_RESULT


def test_an_interrupted_extraction_removes_its_staging(
    shared: Shared, project_b: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import furu.share.extract as extract

    original = extract._Reader.file
    seen = []

    def interrupt(self: object, member: tarfile.TarInfo, *args: object, **kwargs: object) -> object:
        if member.name.endswith("blob.bin"):
            raise KeyboardInterrupt
        seen.append(member.name)
        return original(self, member, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extract._Reader, "file", interrupt)
    before = tree(project_b)
    with pytest.raises(KeyboardInterrupt):
        import_bundle(shared.bundle)
    assert len(seen) > 5  # it was well into the bundle
    assert tree(project_b) == before


def test_a_broken_code_pack_is_refused_before_any_artifact_appears(
    shared: Shared, project_b: Path, tmp_path: Path
) -> None:
    members = read_members(shared.bundle)
    code = next(data for info, data in members if info.name == "code.bundle")
    assert code is not None
    header_end = code.index(b"\n\n") + 2
    broken = (
        code[: header_end + 40]
        + bytes(b ^ 0xFF for b in code[header_end + 40 : header_end + 80])
        + code[header_end + 80 :]
    )
    _replace_code(members, broken)
    bundle = write_members(tmp_path / "broken-code.tar", members)
    packs_before = sorted(os.listdir(project_b / ".git" / "objects" / "pack"))
    with pytest.raises(
        FuruBundleCorrupt,
        match=r"^Refused bundle broken-code.tar: code.bundle cannot be fetched into .*: its pack is broken",
    ):
        import_bundle(bundle)
    assert not (project_b / "furu-data" / "data").exists()
    assert sorted(os.listdir(project_b / ".git" / "objects" / "pack")) == packs_before
    assert git(project_b, "for-each-ref", "refs/furu") == ""


def test_an_artifact_created_meanwhile_is_judged_again_not_overwritten(
    shared: Shared, project_b: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the decision and the rename, another process finishes the same artifact: the rename yields."""
    import shutil

    import furu.share.staging as staging

    original = staging.move_into_place

    def racing(staged: Path, dest: Path) -> bool:
        if dest.name == shared.hashes["Corpus"]:
            shutil.copytree(staged, dest, symlinks=True)  # the other process's identical result lands first
            (dest / ".furu" / "marker-of-the-other-process").write_text("")
        return original(staged, dest)

    monkeypatch.setattr(staging, "move_into_place", racing)
    report = import_bundle(shared.bundle)
    assert [(e.action, e.reason) for e in report.experiments] == [
        ("skipped", "appeared here during the import: an identical result is already here"),
        ("imported", None),
        ("imported", None),
    ]
    corpus = project_b / "furu-data" / "data" / "sharepipe" / "Corpus" / shared.hashes["Corpus"]
    assert (corpus / ".furu" / "marker-of-the-other-process").exists()  # theirs was kept, not replaced
