"""furu never writes through a symbolic link planted inside an artifact's ``.furu/`` (issue 9).

Each test builds a real artifact, points a link in its ``.furu/`` (or ``.furu``
itself) at a file outside the data root, runs a real write, and checks the
outside file is byte for byte what it was.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from examples import PrepareData
from furu.atomic import SymlinkRefusedError, write_bytes_atomic
from furu.catalog import Catalog
from furu.invalidate import invalidate_artifact
from furu.layout import ArtifactPaths
from furu.logs import artifact_log
from furu.state import read_state, record_event, write_state

OUTSIDE_BYTES = b"precious outside file\n"


def built(name: str = "toy") -> tuple[PrepareData, ArtifactPaths]:
    data = PrepareData(name=name)
    data.load_or_create()
    return data, ArtifactPaths(data.furu_dir)


@pytest.fixture
def outside(tmp_path: Path, furu_tmp_root: Path) -> Path:
    """A file outside the data root that an attacker would like furu to write to."""
    path = tmp_path / "outside" / "victim.txt"
    path.parent.mkdir()
    path.write_bytes(OUTSIDE_BYTES)
    assert not path.is_relative_to(furu_tmp_root)
    return path


def plant(link: Path, target: Path) -> None:
    link.unlink()
    link.symlink_to(target)


def test_event_append_refuses_a_linked_events_file(outside: Path) -> None:
    _, paths = built()
    plant(paths.events, outside)
    with pytest.raises(SymlinkRefusedError) as raised:
        record_event(paths, "invalidated", reason="test")
    assert str(raised.value) == (
        f"Refusing to write {paths.events}: it is a symbolic link, and furu never writes through a link "
        "inside an artifact's .furu/ directory. Remove the link, then check the artifact with "
        "`furu show` or reset it with `furu invalidate`."
    )
    assert outside.read_bytes() == OUTSIDE_BYTES
    assert paths.events.is_symlink()


def test_a_dangling_link_is_not_created_through(tmp_path: Path, furu_tmp_root: Path) -> None:
    _, paths = built()
    target = tmp_path / "would-be-created.jsonl"
    plant(paths.events, target)
    with pytest.raises(SymlinkRefusedError, match="events.jsonl: it is a symbolic link"):
        record_event(paths, "invalidated", reason="test")
    assert not target.exists()


def test_artifact_log_refuses_a_linked_log_and_leaves_logging_alone(outside: Path) -> None:
    _, paths = built()
    plant(paths.log, outside)
    root_level, root_handlers = logging.root.level, list(logging.root.handlers)
    with pytest.raises(SymlinkRefusedError, match=f"Refusing to write {paths.log}: it is a symbolic link"):
        with artifact_log(paths.log, "DEBUG"):
            logging.getLogger("examples").warning("must not reach the outside file")
    assert outside.read_bytes() == OUTSIDE_BYTES
    assert (logging.root.level, logging.root.handlers) == (root_level, root_handlers)


def test_state_rename_replaces_the_link_not_its_target(outside: Path) -> None:
    data, paths = built()
    state = read_state(paths, "examples.PrepareData", data.furu_hash)
    plant(paths.state, outside)
    write_state(paths, state)
    assert outside.read_bytes() == OUTSIDE_BYTES
    assert not paths.state.is_symlink()
    assert read_state(paths, "examples.PrepareData", data.furu_hash) == state


def test_a_linked_furu_dir_is_refused_for_every_kind_of_write(tmp_path: Path, outside: Path) -> None:
    data, paths = built()
    state = read_state(paths, "examples.PrepareData", data.furu_hash)
    planted = tmp_path / "planted"
    planted.mkdir()
    for name in ("events.jsonl", "furu.log", "state.json"):
        (planted / name).write_bytes(OUTSIDE_BYTES)
    before = sorted(os.listdir(planted))
    os.rename(paths.internal, tmp_path / "real-internal")
    paths.internal.symlink_to(planted, target_is_directory=True)

    writes = {
        paths.events: lambda: record_event(paths, "invalidated", reason="test"),
        paths.state: lambda: write_state(paths, state),
        paths.log: lambda: artifact_log(paths.log, "INFO").__enter__(),
    }
    for path, write in writes.items():
        with pytest.raises(SymlinkRefusedError) as raised:
            write()
        assert str(raised.value).startswith(
            f"Refusing to write {path}: its directory {paths.internal} is a symbolic link"
        )
    assert sorted(os.listdir(planted)) == before  # no temp file was left there either
    for name in before:
        assert (planted / name).read_bytes() == OUTSIDE_BYTES


def test_load_or_create_after_invalidation_never_appends_outside(outside: Path) -> None:
    data, paths = built()
    entry = Catalog().entry_at(data.furu_dir)
    assert entry is not None
    assert invalidate_artifact(entry) is None
    assert not data.exists()
    plant(paths.events, outside)
    with pytest.raises(SymlinkRefusedError, match=f"Refusing to write {paths.events}: it is a symbolic link"):
        PrepareData(name="toy").load_or_create()
    assert outside.read_bytes() == OUTSIDE_BYTES
    assert not paths.lock.exists()


def test_load_or_create_refuses_a_linked_log(outside: Path) -> None:
    data, paths = built()
    paths.success.unlink()
    plant(paths.log, outside)
    with pytest.raises(SymlinkRefusedError, match=f"Refusing to write {paths.log}: it is a symbolic link"):
        PrepareData(name="toy").load_or_create()
    assert outside.read_bytes() == OUTSIDE_BYTES
    state = read_state(paths, "examples.PrepareData", data.furu_hash)
    assert state.attempts[-1].status == "failed"
    assert state.attempts[-1].error is not None
    assert state.attempts[-1].error.type == "furu.atomic.SymlinkRefusedError"


def test_links_outside_furu_dirs_still_work(tmp_path: Path) -> None:
    """A linked data root (e.g. furu-data -> /scratch) must keep working: only .furu is checked."""
    real = tmp_path / "scratch"
    real.mkdir()
    linked = tmp_path / "linked-root"
    linked.symlink_to(real, target_is_directory=True)
    write_bytes_atomic(linked / ".gitignore", b"*\n")
    assert (real / ".gitignore").read_bytes() == b"*\n"


def test_load_or_create_with_a_linked_furu_dir_leaves_the_target_as_it_was(tmp_path: Path, outside: Path) -> None:
    data, paths = built()
    os.rename(paths.internal, tmp_path / "real-internal")
    paths.internal.symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(SymlinkRefusedError, match=f"its directory {paths.internal} is a symbolic link"):
        PrepareData(name="toy").load_or_create()
    assert os.listdir(outside.parent) == [outside.name]
    assert outside.read_bytes() == OUTSIDE_BYTES


def test_invalidate_with_a_linked_events_file_warns_and_leaves_the_target_alone(furu_tmp_root: Path, tmp_path: Path) -> None:
    obj = PrepareData(name="linked-events")
    obj.load_or_create()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    events = obj._paths().events
    events.unlink()
    events.symlink_to(outside)
    entry = Catalog().entry_at(obj.furu_dir)
    assert entry is not None
    warning = invalidate_artifact(entry)
    assert warning is not None and "could not record it in events.jsonl" in warning
    assert "a symbolic link is in the way" in warning
    assert outside.read_text() == "keep me\n"
    assert not obj._paths().success.exists()


def test_invalidate_never_unlinks_through_a_linked_furu_dir(tmp_path: Path, furu_tmp_root: Path) -> None:
    data, paths = built("linked-dir")
    entry = Catalog().entry_at(data.furu_dir)
    assert entry is not None
    elsewhere = tmp_path / "elsewhere"
    paths.internal.rename(elsewhere)
    paths.internal.symlink_to(elsewhere)
    before = sorted(os.listdir(elsewhere))
    with pytest.raises(SymlinkRefusedError, match=f"its directory {paths.internal} is a symbolic link"):
        invalidate_artifact(entry)
    assert sorted(os.listdir(elsewhere)) == before and "success.json" in before


def test_rm_of_a_linked_artifact_dir_removes_the_link_and_leaves_its_target(tmp_path: Path, furu_tmp_root: Path) -> None:
    from furu.removal import remove_artifact

    data, paths = built("linked-artifact")
    catalog = Catalog()
    entry = catalog.entry_at(data.furu_dir)
    assert entry is not None
    [record] = catalog.records([entry])
    target = tmp_path / "scratch" / "moved"
    target.parent.mkdir()
    data.furu_dir.rename(target)
    data.furu_dir.symlink_to(target)
    removal = remove_artifact(record)
    assert not os.path.lexists(data.furu_dir)
    assert (target / ".furu" / "success.json").exists()
    assert removal.leftover == f"it was a symbolic link: the link is removed, and its target {target} is left alone"
