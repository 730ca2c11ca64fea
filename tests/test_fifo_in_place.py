"""A FIFO planted in place of a furu file is an unreadable file, never a read that blocks the command forever."""

from __future__ import annotations

import os
from pathlib import Path

from tests.throwaway import create, furu, furu_json, make_project


def test_a_fifo_as_state_or_log_is_reported_not_waited_on(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    made = create(project, "Data(name='a')", "Data(name='b')")
    root = project / "furu-data" / "data" / "lab" / "steps" / "Data"
    state, log = root / made["Data(name='a')"] / ".furu" / "state.json", root / made["Data(name='b')"] / ".furu" / "furu.log"
    state.unlink()
    os.mkfifo(state)
    log.unlink(missing_ok=True)
    os.mkfifo(log)
    listed = {r["hash"]: r for r in furu_json(project, "ls")}  # the helper's subprocess has a timeout: a hang fails
    assert listed[made["Data(name='a')"]]["status"] == "damaged"  # its success marker is there: it loads
    assert "not a regular file" in listed[made["Data(name='a')"]]["problem"]
    shown = furu(project, "show", made["Data(name='b')"][:8]).stdout
    assert "not a regular file" in shown and "success" in shown
