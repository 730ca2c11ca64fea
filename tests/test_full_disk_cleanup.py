"""On a disk with zero free bytes or zero free inodes, `furu gc --yes`, `furu rm` and `furu invalidate` still work (a real tmpfs)."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from throwaway import STEPS, create, furu, furu_json, make_project, python


def mount_tmpfs(tmp_path: Path, options: str) -> Iterator[Path]:
    """A tmpfs mounted for the test (needs root and mount rights)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """2 MiB."""
    yield from mount_tmpfs(tmp_path, "size=2m")


@pytest.fixture
def few_inodes(tmp_path: Path) -> Iterator[Path]:
    """2 MiB and 400 inodes: enough for the project's artifacts, then used up by the test."""
    yield from mount_tmpfs(tmp_path, "size=2m,nr_inodes=400")


def use_up_inodes(disk: Path) -> None:
    """Create empty files until the filesystem has no inode left."""
    for number in range(100_000):
        try:
            (disk / f"inode-{os.getpid()}-{number}-{os.urandom(4).hex()}").touch()
        except OSError as error:
            assert error.errno == errno.ENOSPC
            break
    assert os.statvfs(disk).f_favail == 0


def fill(disk: Path) -> None:
    """Write until the filesystem has no free byte left."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        for size in (1 << 16, 1 << 12, 1 << 8, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    assert os.statvfs(disk).f_bavail == 0


def test_cleanup_needs_no_free_byte(small_disk, tmp_path):
    lab = make_project(tmp_path / "lab")
    data_root = small_disk / "furu-data"
    hashes = create(lab, "Report()", "Data(name='spare')", FURU_PATH=str(data_root))
    failed = python(lab, "from lab.steps import Broken\nBroken().load_or_create()", FURU_PATH=str(data_root))
    assert "broken on purpose" in failed.stderr
    classes = data_root / "data" / "lab" / "steps"
    broken = next((classes / "Broken").iterdir())
    report = classes / "Report" / hashes["Report()"]
    spare = classes / "Data" / hashes["Data(name='spare')"]
    fill(small_disk)

    collected = furu_json(lab, "gc", "--yes", FURU_PATH=str(data_root))
    assert [r["hash"] for r in collected["removal"]["removed"]] == [broken.name]
    assert not broken.exists()
    # A second link keeps the marker's page allocated, so unlinking it frees nothing for state.json.
    os.link(report / ".furu" / "success.json", small_disk / "marker-link")
    fill(small_disk)  # what gc freed

    invalidated = furu(lab, "invalidate", report.name[:8], FURU_PATH=str(data_root))
    assert invalidated.stdout == f"invalidated lab.steps.Report {report.name[:8]}\n"
    lines = invalidated.stderr.splitlines()
    journal_warning = next(line for line in lines if "cannot write the change journal" in line)
    assert journal_warning.endswith("the next `furu ls` checks every artifact instead.")
    index_warning, warning = [line for line in lines if line != journal_warning]
    assert index_warning.endswith("listing from the artifact directories instead (slower). Free some space (`furu gc` lists what can go).")
    assert warning.startswith(f"warning: invalidated lab.steps.Report {report.name[:8]}, but could not record it in state.json")
    assert warning.endswith("(No space left on device); it counts as absent all the same: its success marker is gone.")
    assert not (report / ".furu" / "success.json").exists() and (report / "report.txt").exists()
    statuses = {r["hash"]: r["status"] for r in furu_json(lab, "ls", FURU_PATH=str(data_root))}
    assert statuses[report.name] == "absent"

    removed = furu(lab, "rm", spare.name[:8], FURU_PATH=str(data_root))
    assert removed.stdout.startswith(f"removed lab.steps.Data {spare.name[:8]} ")
    assert not spare.exists()
    leftovers = [p for p in data_root.rglob("*") if ".claim." in p.name or "furu-deleting" in p.name or ".furu-tmp" in p.name]
    assert leftovers == []


FILLER = STEPS + '''

class Filler(furu.Furu[str]):
    """Writes until the disk is full, as a run whose output outgrew the disk does."""

    def _create(self) -> str:
        with open(self.furu_dir / "big.bin", "wb") as handle:
            while True:
                handle.write(b"x" * 65536)
                handle.flush()

    def _load(self) -> str:
        return ""
'''


def test_a_create_that_fills_the_disk_is_recorded_as_failed(small_disk, tmp_path):
    lab = make_project(tmp_path / "lab", FILLER)
    data_root = small_disk / "furu-data"
    result = python(lab, "from lab.steps import Filler\nFiller().load_or_create()", FURU_PATH=str(data_root))
    assert result.returncode == 1
    furu_lines = [line for line in result.stderr.splitlines() if line.startswith("furu: ") and not line.startswith("furu: create ")]
    [failed] = furu_lines
    assert failed.startswith("furu: failed lab.steps.Filler ")
    assert "OSError: [Errno 28] No space left on device" in failed
    assert failed.endswith("(the disk is full: free some space, e.g. with `furu gc`, and run again)")
    assert "During handling" not in result.stderr and "Logging error" not in result.stderr
    [record] = furu_json(lab, "ls", FURU_PATH=str(data_root))
    assert record["status"] == "failed"
    assert "No space left on device" in record["problem"]
    leftovers = [p for p in data_root.rglob("*") if ".claim." in p.name or ".furu-tmp" in p.name or p.name == "reserve"]
    assert leftovers == []


def test_cleanup_needs_no_free_inode(few_inodes, tmp_path):
    lab = make_project(tmp_path / "lab")
    data_root = few_inodes / "furu-data"
    hashes = create(lab, "Report()", "Data(name='spare')", FURU_PATH=str(data_root))
    python(lab, "from lab.steps import Broken\nBroken().load_or_create()", FURU_PATH=str(data_root))
    classes = data_root / "data" / "lab" / "steps"
    broken = next((classes / "Broken").iterdir())
    report = classes / "Report" / hashes["Report()"]
    spare = classes / "Data" / hashes["Data(name='spare')"]
    furu(lab, "ls", FURU_PATH=str(data_root))  # the index exists: listing needs no new file
    fill(few_inodes)
    use_up_inodes(few_inodes)

    collected = furu_json(lab, "gc", "--yes", FURU_PATH=str(data_root))
    assert [r["hash"] for r in collected["removal"]["removed"]] == [broken.name]
    use_up_inodes(few_inodes)  # the ones gc freed
    invalidated = furu(lab, "invalidate", report.name[:8], FURU_PATH=str(data_root))
    assert invalidated.stdout == f"invalidated lab.steps.Report {report.name[:8]}\n"
    assert not (report / ".furu" / "success.json").exists()
    removed = furu(lab, "rm", spare.name[:8], FURU_PATH=str(data_root))
    assert removed.stdout.startswith(f"removed lab.steps.Data {spare.name[:8]} ")
    assert not spare.exists()
    assert [p for p in data_root.rglob("*") if ".claim." in p.name or "furu-deleting" in p.name] == []
