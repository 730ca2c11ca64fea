"""Git provenance speed: a capture against ``git status`` + ``git diff HEAD`` on 20,000 files.

Goals (from the issue): the first capture in a process costs at most 1.5x
the two git commands measured in the same run; a second capture of an
unchanged tree costs under 10 ms. ``furu timetravel <hash>`` of an artifact
made in that repository, as a whole process, at most 1.3x ``git worktree add``
of the same snapshot commit (issue 12).

Usage: python scripts/benchmarks/provenance.py   (or: python scripts/bench.py provenance)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pygit2
from pygit2.enums import ConfigLevel

from furu.provenance import (
    capture_cache_stats,
    capture_git_provenance,
    clear_capture_cache,
    materialize_snapshot,
)

TOP_DIRS, SUB_DIRS, FILES_PER_DIR = 20, 20, 50  # 20,000 files in 420 directories
ROUNDS = 7


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="furu-bench-provenance-") as tmp,
        _isolated_git(Path(tmp)),
    ):
        root = Path(tmp) / "repo"
        started = time.perf_counter()
        files = _build_repo(root)
        built_s = time.perf_counter() - started
        print(f"{'provenance.files':<36} {files:>10}   (built and committed in {built_s:.1f} s)")
        _make_dirty(root)
        _run_git(root, "status", "--porcelain=v2")  # warm the page cache for both sides

        clear_capture_cache()
        very_first = _ms(lambda: capture_git_provenance(root))
        git_ms, first_ms, second_ms, nowatch_ms = [], [], [], []
        for _ in range(ROUNDS):  # interleaved, so drift hits both sides alike
            git_ms.append(_ms(lambda: _git_status_and_diff(root)))
            clear_capture_cache()
            first_ms.append(_ms(lambda: capture_git_provenance(root)))
            second_ms.append(_ms(lambda: capture_git_provenance(root)))
            nowatch_ms.append(_ms(lambda: capture_git_provenance(root, watch=False)))
        hits = capture_cache_stats()["hits"]
        edit_ms = _ms_after_edit(root)
        dest = Path(tmp) / "time-travel"
        snapshot_id = capture_git_provenance(root).snapshot_id or ""
        materialize_ms = _ms(lambda: materialize_snapshot(snapshot_id, dest, repo_path=root))
        _set_aside(root, [dest], Path(tmp) / "trash")
        travel_ms, worktree_ms, travel_cpu_ms, worktree_cpu_ms, travelled = _bench_timetravel(root, Path(tmp))

    git = statistics.median(git_ms)
    first = statistics.median(first_ms)
    second = statistics.median(second_ms)
    _line(
        "provenance.git_status_diff_ms",
        git,
        f"git status --porcelain=v2 + git diff HEAD, median of {ROUNDS}",
    )
    _line(
        "provenance.capture_first_ms",
        first,
        f"{first / git:.2f}x git status+diff: {git:.1f} ms; goal <= 1.5x",
    )
    _line(
        "provenance.capture_very_first_ms",
        very_first,
        f"{very_first / git:.2f}x git status+diff; the first of the process also writes the snapshot objects",
    )
    _line(
        "provenance.capture_second_ms",
        second,
        f"unchanged tree, {hits} cache hits; goal < 10 ms",
        digits=3,
    )
    _line(
        "provenance.capture_no_watch_ms",
        statistics.median(nowatch_ms),
        "watch=False: what NFS/Lustre users pay per capture",
    )
    _line("provenance.capture_after_edit_ms", edit_ms, "one file edited since the last capture")
    _line(
        "provenance.materialize_ms",
        materialize_ms,
        f"git worktree add of the snapshot ({files} files)",
    )
    worktree, travel = statistics.median(worktree_ms), statistics.median(travel_ms)
    _line("provenance.git_worktree_add_ms", worktree, f"git worktree add --detach of the snapshot, median of {TRAVEL_ROUNDS}")
    _line(
        "provenance.timetravel_ms",
        travel,
        f"furu timetravel <hash>: {travel / worktree:.2f}x git worktree add: {worktree:.1f} ms; goal <= 1.3x; "
        f"whole processes, {travelled} files",
    )
    travel_cpu, worktree_cpu = statistics.median(travel_cpu_ms), statistics.median(worktree_cpu_ms)
    _line(
        "provenance.timetravel_cpu_ms",
        travel_cpu,
        f"CPU of the process and its git: {travel_cpu / worktree_cpu:.2f}x git worktree add's {worktree_cpu:.1f} ms",
    )


TRAVEL_ROUNDS = 7

_STEP_MODULE = """
import furu


class Step(furu.Furu[int]):
    rows: int = 3

    def _create(self) -> int:
        (self.furu_dir / "out.txt").write_text(str(self.rows))
        return self.rows

    def _load(self) -> int:
        return int((self.furu_dir / "out.txt").read_text())
"""


def _bench_timetravel(root: Path, tmp: Path) -> tuple[list[float], list[float], list[float], list[float], int]:
    """``furu timetravel <hash>`` against ``git worktree add`` of the same snapshot, both whole processes.

    The artifact is made by a real ``load_or_create`` inside the dirty repository (so its
    snapshot holds the uncommitted edits); the rounds alternate which side goes first, and
    both worktrees are removed from git (untimed) after every round.
    """
    (root / "pyproject.toml").write_text('[project]\nname = "benchrepo"\nversion = "0"\n')
    (root / "benchsteps.py").write_text(_STEP_MODULE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FURU_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed furu has its byte code cached
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    made = subprocess.run(
        [sys.executable, "-c", "import benchsteps; s = benchsteps.Step(); s.load_or_create(); "
         "print(s.furu_hash, s.provenance().snapshot_id)"],
        cwd=root, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    artifact, snapshot_id = made.stdout.split()
    furu_cli = str(Path(sys.executable).with_name("furu"))
    subprocess.run([furu_cli, "--help"], cwd=root, env=env, check=True, capture_output=True)  # warm-up
    travel_ms: list[float] = []
    worktree_ms: list[float] = []
    travel_cpu_ms: list[float] = []  # user + system time of each process, its git children included
    worktree_cpu_ms: list[float] = []
    for round_ in range(TRAVEL_ROUNDS):
        by_git, by_furu = tmp / f"worktree{round_}", tmp / f"travel{round_}"
        sides = [
            (worktree_ms, worktree_cpu_ms, ["git", "worktree", "add", "--detach", str(by_git), snapshot_id]),
            (travel_ms, travel_cpu_ms, [furu_cli, "timetravel", artifact, "--path", str(by_furu)]),
        ]
        for times, cpu_times, command in sides[:: 1 if round_ % 2 else -1]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
            times.append((time.perf_counter() - started) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_times.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
        travelled = sum(1 for _ in by_furu.rglob("*.py"))
        _set_aside(root, [by_git, by_furu], tmp / "trash")
    return travel_ms, worktree_ms, travel_cpu_ms, worktree_cpu_ms, travelled


def _set_aside(root: Path, worktrees: list[Path], trash: Path) -> None:
    """Remove worktrees from git (moved away, then pruned); their files are deleted with the temp dir.

    Not ``git worktree remove``: on ext4 without a journal, creating files within a minute of
    deleting as many makes every new inode skip the freed ones (``recently_deleted``), which
    made the next round's checkouts 2-6x slower, on both sides, by chance.
    """
    trash.mkdir(exist_ok=True)
    for worktree in worktrees:
        worktree.rename(trash / f"{worktree.name}-{time.time_ns()}")
    _run_git(root, "worktree", "prune")


def _line(name: str, value: float, note: str, digits: int = 1) -> None:
    print(f"{name:<36} {value:>10.{digits}f}   ({note})")


def _build_repo(root: Path) -> int:
    root.mkdir()
    _run_git(root, "init", "-q", "-b", "main")
    _run_git(root, "config", "user.name", "Bench")
    _run_git(root, "config", "user.email", "bench@example.com")
    count = 0
    for a in range(TOP_DIRS):
        for b in range(SUB_DIRS):
            directory = root / f"pkg{a:02d}" / f"mod{b:02d}"
            directory.mkdir(parents=True)
            for c in range(FILES_PER_DIR):
                (directory / f"file{c:02d}.py").write_text(f"# {a}/{b}/{c}\n" + "VALUE = 1\n" * 20)
                count += 1
    (root / ".gitignore").write_text("*.log\noutputs/\n")
    _run_git(root, "add", "-A")
    _run_git(root, "commit", "-q", "-m", "initial")
    return count


def _make_dirty(root: Path) -> None:
    """A few dirty files: one modified, one staged, one new untracked."""
    with open(root / "pkg00/mod00/file00.py", "a") as f:
        f.write("MODIFIED = True\n")
    with open(root / "pkg01/mod01/file01.py", "a") as f:
        f.write("STAGED = True\n")
    _run_git(root, "add", "pkg01/mod01/file01.py")
    (root / "pkg02/new_module.py").write_text("NEW = True\n")


def _ms_after_edit(root: Path) -> float:
    capture_git_provenance(root)
    with open(root / "pkg03/mod03/file03.py", "a") as f:
        f.write("EDITED = True\n")
    return _ms(lambda: capture_git_provenance(root))


def _ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def _git_status_and_diff(root: Path) -> None:
    """The peer: what a shell script would run to record the same information."""
    _run_git(root, "status", "--porcelain=v2")
    _run_git(root, "diff", "HEAD")


def _run_git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@contextmanager
def _isolated_git(tmp: Path) -> Iterator[None]:
    """Keep the machine's git config out of the figures, and restore everything after."""
    home = tmp / "home"
    home.mkdir()
    saved_env = {k: os.environ.get(k) for k in ("HOME", "GIT_CONFIG_NOSYSTEM", "XDG_CONFIG_HOME")}
    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved_paths = {level: pygit2.settings.search_path[level] for level in levels}
    os.environ.update(
        HOME=str(home), GIT_CONFIG_NOSYSTEM="1", XDG_CONFIG_HOME=str(home / ".config")
    )
    for level in levels:
        pygit2.settings.search_path[level] = str(home)
    try:
        yield
    finally:
        clear_capture_cache()
        for level, path in saved_paths.items():
            if path is not None:
                pygit2.settings.search_path[level] = path
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


if __name__ == "__main__":
    main()
