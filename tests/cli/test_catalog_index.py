"""The SQLite index and the change journal: a cache that is rebuilt, reconciled and shared safely."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from examples import PrepareData

import furu.catalog.catalog as catalog_module
from furu import journal
from furu.catalog import Catalog, scan
from furu.catalog import location
from furu.settings import current



pytestmark = pytest.mark.usefixtures("short_racy_window")


def make(n: int) -> list[PrepareData]:
    made = [PrepareData(name=f"d{i}") for i in range(n)]
    for obj in made:
        obj.load_or_create()
    time.sleep(0.05)
    return made


def journal_files() -> list[Path]:
    return [file for day in journal.journal_dir(current().data_root).iterdir() if day.is_dir() for file in day.iterdir()]


def checks_everything_once(why: str) -> Catalog:
    """The next catalog checks every artifact, saying ``why``; the one after trusts the journal again."""
    catalog = Catalog()
    catalog.refresh()
    assert catalog.checked_all is not None and why in catalog.checked_all
    again = Catalog()
    again.refresh()
    assert again.checked_all is None
    return catalog


def statuses() -> dict[str, str]:
    return {record.hash: record.status for record in scan()}


def test_each_transition_is_journaled_and_read_without_checking_every_artifact(reads: list[str]) -> None:
    made = make(5)
    scan()
    reads.clear()
    newer = PrepareData(name="newer")
    newer.load_or_create()
    time.sleep(0.05)
    catalog = Catalog()
    entries = catalog.refresh()
    assert catalog.checked_all is None  # the journal vouched for the tree
    assert len(entries) == 6 and reads == [newer.furu_hash]
    lines = [line for file in journal_files() for line in file.read_text().splitlines()]
    assert any(made[0].furu_hash in line for line in lines)
    assert all(line.split(" ")[1] == "d" and not line.split(" ")[2].startswith("/") for line in lines)


def test_changes_made_behind_furus_back_show_after_a_rescan(furu_cli) -> None:  # type: ignore[no-untyped-def]
    made = make(3)
    assert set(statuses().values()) == {"success"}
    state = made[0].furu_dir / ".furu" / "state.json"
    data = json.loads(state.read_text())
    data["result"] = "failed"
    data["attempts"][-1]["status"] = "failed"
    with open(state, "r+") as handle:  # edited in place, as another tool would: no furu write, no journal line
        handle.write(json.dumps(data).ljust(len(state.read_text())))
        handle.truncate()
    (made[0].furu_dir / ".furu" / "success.json").unlink()  # else the result still loads: damaged, not failed
    assert statuses()[made[0].furu_hash] == "success"  # nothing told the catalog
    listed = furu_cli.json("ls", "--rescan")
    assert {row["hash"]: row["status"] for row in listed}[made[0].furu_hash] == "failed"
    assert statuses()[made[0].furu_hash] == "failed"


def test_artifacts_copied_in_by_hand_show_up(tmp_path: Path) -> None:
    import shutil

    made = make(2)
    scan()
    copy = made[0].furu_dir.parent / ("f" * 32)
    shutil.copytree(made[0].furu_dir, copy)
    assert "f" * 32 in statuses()
    shutil.rmtree(copy)
    assert "f" * 32 not in statuses()


def test_a_journal_file_that_shrank_makes_the_catalog_check_everything() -> None:
    make(2)
    scan()
    files = journal_files()
    files[0].write_text("")
    checks_everything_once("shrank")


def test_an_index_older_than_the_journal_keeps_checks_everything() -> None:
    make(2)
    scan()
    catalog = Catalog()
    store = catalog._store()
    assert store is not None
    with store.transaction() as db:
        old = time.time_ns() - journal.RETENTION_DAYS * 86_400 * 10**9
        store.set_meta(db, catalog_module.SYNCED_AT, str(old))
    catalog = Catalog()
    catalog.refresh()
    assert catalog.checked_all is not None and "longer ago" in catalog.checked_all


def test_old_journal_days_are_pruned() -> None:
    make(1)
    base = journal.journal_dir(current().data_root)
    old = base / "20000101"
    old.mkdir()
    (old / "host-1-abcd.log").write_text("1 d x/y\n")
    scan()
    assert not old.exists()


def test_a_deleted_index_is_rebuilt_and_a_stale_schema_is_dropped(reads: list[str]) -> None:
    make(3)
    scan()
    path = Catalog().index_path
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 1")
    reads.clear()
    assert len(scan()) == 3 and len(reads) == 3  # another schema: dropped and rebuilt
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    reads.clear()
    assert len(scan()) == 3 and len(reads) == 3


def test_an_unwritable_index_location_warns_once_and_lists_anyway(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    make(2)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the index directory should be")
    monkeypatch.setenv("FURU_CATALOG_PATH", str(blocked / "catalog.sqlite3"))
    warnings: list[str] = []
    catalog = Catalog(warn=warnings.append)
    assert len(catalog.records(catalog.refresh())) == 2
    assert len(warnings) == 1 and "FURU_CATALOG_PATH" in warnings[0]


def test_on_a_network_filesystem_the_index_goes_to_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(location, "filesystem_type", lambda path: "nfs4")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    make(1)
    path = Catalog().index_path
    assert path.is_relative_to(tmp_path / "cache" / "furu" / "catalog")
    assert len(scan()) == 1 and path.is_file()
    assert not (current().data_root / ".catalog").exists()
    other = location.index_path(tmp_path / "elsewhere")
    assert other.parent != path.parent  # one index per data root


def test_two_processes_creating_and_listing_at_once_agree(tmp_path: Path) -> None:
    code = (
        "import sys, time\n"
        "from examples import PrepareData\n"
        "from furu.catalog import scan\n"
        "for i in range(15):\n"
        "    PrepareData(name=f'{sys.argv[1]}{i}').load_or_create()\n"
        "    scan()\n"
    )
    tests_dir = Path(__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": f"{tests_dir}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    workers = [
        subprocess.Popen([sys.executable, "-c", code, side], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for side in ("a", "b")
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert "cannot use the catalog index" not in err
    time.sleep(0.05)
    catalog = Catalog()
    assert len(catalog.refresh()) == 30
    assert catalog.checked_all is None
    assert os.path.isfile(catalog.index_path)


def test_a_new_index_opened_while_another_process_writes_it_waits_instead_of_giving_up(tmp_path: Path) -> None:
    # SQLite refuses the switch to WAL at once, without its busy timeout, while another
    # connection holds a write lock: how two processes opening a new index at once collided.
    import threading

    from furu.catalog.store import open_store

    path = tmp_path / "catalog.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other (x)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other VALUES (1)")
    threading.Timer(0.3, lambda: writer.execute("COMMIT")).start()
    store = open_store(path)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    writer.close()


def test_a_change_that_could_not_be_journaled_makes_the_next_listing_check_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import errno

    make(2)
    scan()
    assert Catalog().refresh() and journal.seal_token(journal.journal_dir(current().data_root)) is not None

    def full(path: Path, line: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    working = journal._append
    monkeypatch.setattr(journal, "_append", full)
    late = PrepareData(name="late")
    late.load_or_create()
    monkeypatch.setattr(journal, "_append", working)
    catalog = checks_everything_once("could not be written")
    assert late.furu_hash in {entry.hash for entry in catalog.entries()}


def test_a_seal_remade_by_another_catalog_still_makes_this_one_check_everything(tmp_path: Path) -> None:
    make(2)
    scan()
    base = journal.journal_dir(current().data_root)
    (base / journal.INTACT_FILE).unlink()  # a writer could not journal a change
    journal.seal(base)  # another machine's catalog checked everything and sealed it again
    checks_everything_once("seal")
