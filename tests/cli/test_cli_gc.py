"""One bad artifact never breaks `furu gc`, `rm`, `invalidate`, `tag` or `name` (the real command, real files)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from throwaway import artifact_dir, create, furu, furu_json, make_project, python


@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / "lab")


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``error:`` line (warnings, e.g. about the catalog index, may come before it)."""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("warning: ") for line in lines[:-1]), result.stderr
    assert lines[-1].startswith("error: ")
    return lines[-1]


def test_a_success_whose_state_json_is_a_directory(lab):
    hashes = create(lab, "Data(name='bad')", "Data(name='good')")
    bad = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='bad')"])
    (bad / ".furu" / "state.json").unlink()
    (bad / ".furu" / "state.json").mkdir()
    result = furu_json(lab, "gc", "--yes", "--stale")
    assert result["removal"]["removed"] == []
    assert [(k["record"]["hash"], k["kind"]) for k in result["plan"]["kept"]] == [(bad.name, "damaged")]
    assert "state.json" in result["plan"]["kept"][0]["detail"]
    assert bad.is_dir()
    furu(lab, "tag", bad.name[:8], "keep")
    assert furu(lab, "tag", hashes["Data(name='good')"][:8], "fine").returncode == 0
    invalidated = furu(lab, "invalidate", bad.name[:8])
    assert invalidated.stdout == f"invalidated lab.steps.Data {bad.name[:8]}\n"
    assert "could not record it in state.json" in invalidated.stderr and "Traceback" not in invalidated.stderr
    assert not (bad / ".furu" / "success.json").exists()
    furu(lab, "rm", bad.name[:8], "--force")
    assert not bad.exists()


def test_an_artifact_whose_furu_dir_is_a_regular_file(lab):
    hashes = create(lab, "Data(name='bad')", "Data(name='good')")
    bad = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='bad')"])
    good = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='good')"])
    subprocess.run(["rm", "-r", str(bad / ".furu")], check=True)
    (bad / ".furu").write_text("not a directory")
    assert "is not a directory" in one_error_line(furu(lab, "invalidate", bad.name[:8], code=1))
    one_error_line(furu(lab, "tag", bad.name[:8], "x", code=1))
    one_error_line(furu(lab, "name", bad.name[:8], "x", code=1))
    assert furu_json(lab, "tag", good.name[:8], "fine")["tags"] == ["fine"]
    result = furu_json(lab, "gc", "--yes")
    assert [r["hash"] for r in result["removal"]["removed"]] == [bad.name]  # no result can live there
    assert not bad.exists() and good.is_dir()


@pytest.fixture
def read_only(lab: Path) -> Iterator[Path]:
    """``lab/furu-data`` bind-mounted read-only over itself (root only)."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (and as root, file modes do not stop writes)")
    failed = python(lab, "from lab.steps import Broken\nBroken().load_or_create()")
    assert "broken on purpose" in failed.stderr
    create(lab, "Data()")
    data = lab / "furu-data"
    bound = subprocess.run(["mount", "--bind", str(data), str(data)], capture_output=True, text=True)
    if bound.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bound.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(data)], check=True, capture_output=True)
        yield data
    finally:
        subprocess.run(["umount", "-l", str(data)], check=False)


def test_a_read_only_data_root(lab, read_only):
    broken = next((read_only / "data" / "lab" / "steps" / "Broken").iterdir())
    data = next((read_only / "data" / "lab" / "steps" / "Data").iterdir())
    plan = furu_json(lab, "gc")["plan"]
    assert [(c["record"]["hash"], c["reason"]) for c in plan["candidates"]] == [(broken.name, "failed")]
    collected = furu(lab, "gc", "--yes", code=1)
    assert "Traceback" not in collected.stderr
    assert f"not removed lab.steps.Broken {broken.name[:8]}: Cannot take the lock" in collected.stdout
    assert "Read-only file system" in collected.stdout
    assert "Read-only file system" in one_error_line(furu(lab, "rm", broken.name[:8], code=1))
    assert "Read-only file system" in one_error_line(furu(lab, "invalidate", data.name[:8], code=1))
    assert "Read-only file system" in one_error_line(furu(lab, "tag", data.name[:8], "x", code=1))
    assert broken.is_dir() and (data / ".furu" / "success.json").exists()


def test_an_unreadable_state_file(lab):
    if os.geteuid() == 0:
        pytest.skip("root reads mode-000 files, and this interpreter is not reachable by an unprivileged user")
    hashes = create(lab, "Data(name='bad')")
    bad = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='bad')"])
    (bad / ".furu" / "state.json").chmod(0)
    try:
        result = furu_json(lab, "gc", "--yes")
        assert result["removal"]["removed"] == []
        assert [k["kind"] for k in result["plan"]["kept"]] == ["damaged"]
        assert bad.is_dir()
    finally:
        (bad / ".furu" / "state.json").chmod(0o644)
