"""Sharing speed: ``furu export`` and ``furu import`` as whole processes against ``tar -cf`` / ``tar -xf``.

A realistic experiment, made by real ``load_or_create`` calls: two trained
models (a 96 MiB checkpoint and a few small files each) that both depend on
the same features (one 96 MiB array) computed from one corpus (1,024 shards
of 64 KiB): four artifacts, about 350 MiB, exported by the models' hashes so
the dependencies are found and followed. The peer is tar packing and
unpacking exactly the same artifact directories. Every side runs as its own
process (``furu`` and ``tar`` alike), after ``sync`` so no writeback of an
earlier round lands in its time; the rounds alternate which side goes first,
and the medians count.

Goal (issue 12): export and import each at least 0.8x as fast as tar:
speed ratio = tar time / furu time >= 0.8. Beside the goal lines: each side's CPU
time (steadier than wall time on a busy machine), the start-up every ``furu``
process pays before it reads a byte, and the library calls in a running process
(the same work without that start-up).

Every process runs with its byte code cached (as an installed furu does), in a
private ``PYTHONPYCACHEPREFIX``, so a sandbox's ``PYTHONDONTWRITEBYTECODE`` does
not make furu recompile its modules in every round.

Usage: python scripts/bench.py share   (or: python scripts/benchmarks/share.py)
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import furu
from furu.settings import clear_settings_cache

CHECKPOINT_MIB, FEATURES_MIB, SHARDS, SHARD_KIB = 96, 96, 1024, 64
ROUNDS = 5
LIBRARY_ROUNDS = 3
GOAL = 0.8
_BLOCK = os.urandom(4 << 20)


def _write_blob(path: Path, mib: int, seed: int) -> None:
    with open(path, "wb") as handle:
        for i in range(mib // 4):
            handle.write((seed * 1_000_003 + i).to_bytes(8, "little") + _BLOCK[8:])


class Corpus(furu.Furu[int]):
    """The shared root dependency: many small shards."""

    shards: int = SHARDS
    kib: int = SHARD_KIB

    def _create(self) -> int:
        size = self.kib * 1024
        for i in range(self.shards):
            folder = self.furu_dir / f"shard{i % 16:02d}"
            folder.mkdir(exist_ok=True)
            offset = (i * 4096) % (len(_BLOCK) - size)
            (folder / f"part{i:05d}.bin").write_bytes(b"SH" + i.to_bytes(6, "little") + _BLOCK[offset + 8 : offset + size])
        return self.shards

    def _load(self) -> int:
        return self.shards


class Features(furu.Furu[int]):
    corpus: Corpus = Corpus()
    mib: int = FEATURES_MIB

    def _create(self) -> int:
        self.corpus.load_or_create()
        _write_blob(self.furu_dir / "features.npy", self.mib, 1)
        (self.furu_dir / "vocab.json").write_text('{"size": 50000}\n')
        return self.mib

    def _load(self) -> int:
        return self.mib


class Model(furu.Furu[int]):
    features: Features = Features()
    lr: float = 1e-3
    mib: int = CHECKPOINT_MIB

    def _create(self) -> int:
        self.features.load_or_create()
        _write_blob(self.furu_dir / "checkpoint.bin", self.mib, int(self.lr * 1e6))
        (self.furu_dir / "metrics.json").write_text('{"loss": 0.25}\n')
        logs = self.furu_dir / "logs"
        logs.mkdir()
        for step in range(20):
            (logs / f"step{step:03d}.txt").write_text(f"step {step} loss {1 / (step + 1):.4f}\n" * 50)
        return self.mib

    def _load(self) -> int:
        return self.mib


def main() -> None:
    from furu.share import export as export_bundle
    from furu.share import import_bundle

    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="furu-bench-share-") as tmp:
        root = Path(tmp)
        try:
            source = _project(root / "source")
            os.environ["FURU_LOG_LEVEL"] = "WARNING"
            started = time.perf_counter()
            models = [Model(lr=lr) for lr in (1e-3, 3e-4)]
            for model in models:
                model.load_or_create()
            data = source / "furu-data" / "data"
            dirs = sorted({os.path.relpath(obj.furu_dir, data) for m in models for obj in (m, m.features, m.features.corpus)})
            total = sum(_size(data / d) for d in dirs)
            files = sum(_count(data / d) for d in dirs)
            print(
                f"{'share.bytes':<26} {total / 2**20:>8.0f} MiB  ({len(dirs)} artifacts, {files} files; "
                f"2 models exported by hash, their 2 dependencies followed; made in {time.perf_counter() - started:.1f} s)"
            )
            furu_cli = _furu_command()
            _child_env(root)
            _process([*furu_cli, "--help"], source)  # warm-up: writes the byte-code caches
            hashes = [model.furu_hash for model in models]
            export_s, tar_c_s, import_s, tar_x_s, dry_s, startup_s = [], [], [], [], [], []
            library_export_s: list[float] = []
            library_import_s: list[float] = []
            for round_ in range(ROUNDS):
                # Fresh names every round, nothing deleted until the end: ext4 allocates new inodes
                # slowly right after many were freed, which would time the previous round's rm -rf.
                bundle, tarball = root / f"bundle{round_}.furu.tar", root / f"reference{round_}.tar"
                extracted, receiver = root / f"extracted{round_}", _project(root / f"receiver{round_}", chdir=False)
                extracted.mkdir()
                export = [*furu_cli, "export", *hashes, "-o", str(bundle), "--code", "none"]
                pack = [
                    (tar_c_s, ["tar", "-cf", str(tarball), "-C", str(data), *dirs], source),
                    (export_s, export, source),
                ]
                unpack = [
                    (tar_x_s, ["tar", "-xf", str(tarball), "-C", str(extracted)], root),
                    (import_s, [*furu_cli, "import", str(bundle)], receiver),
                ]
                order = 1 if round_ % 2 else -1  # alternate which side goes first
                for times, command, cwd in [*pack[::order], *unpack[::order]]:
                    times.append(_process(command, cwd))
                dry_s.append(_process([*furu_cli, "import", "--dry-run", str(bundle)], receiver))
                startup_s.append(_process([sys.executable, "-c", STARTUP], source))
                size = bundle.stat().st_size
            for round_ in range(LIBRARY_ROUNDS):  # the library calls in this process: the same work, no start-up
                library_export_s.append(_in_process(source, lambda: export_bundle(hashes, root / f"lib{round_}.tar", code="none")))
                library = _project(root / f"library{round_}", chdir=False)
                library_import_s.append(_in_process(library, lambda: import_bundle(root / f"lib{round_}.tar")))
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            clear_settings_cache()
    _line("share.export_s", export_s, "tar -cf", tar_c_s, total)
    _line("share.import_s", import_s, "tar -xf", tar_x_s, total)
    print(
        f"{'share.import_dry_run_s':<26} {statistics.median(wall for wall, _ in dry_s):>8.2f} s    "
        "(furu import --dry-run: verify every digest, write nothing; no goal)"
    )
    print(
        f"{'share.startup_s':<26} {statistics.median(wall for wall, _ in startup_s):>8.2f} s    "
        "(a process that imports what `furu export` imports and stops: the fixed part of both lines above)"
    )
    tar_c, tar_x = (statistics.median(wall for wall, _ in runs) for runs in (tar_c_s, tar_x_s))
    for name, times, peer, peer_s in (
        ("share.export_library_s", library_export_s, "tar -cf", tar_c),
        ("share.import_library_s", library_import_s, "tar -xf", tar_x),
    ):
        seconds = statistics.median(times)
        print(
            f"{name:<26} {seconds:>8.2f} s    ({peer} {peer_s:.2f} s, speed ratio {peer_s / seconds:.2f}; "
            "the library call in a running process, no start-up; no goal)"
        )
    print(f"{'share.bundle_overhead':<26} {size / total - 1:>8.2%}      (bundle bytes over artifact bytes)")


STARTUP = "import furu.cli, furu.share.export, furu.share.importing"


def _in_process(project: Path, work: Callable[[], object]) -> float:
    """Seconds of ``work`` run in this process from ``project`` (after ``sync``, like the processes)."""
    os.chdir(project)
    clear_settings_cache()
    os.sync()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _furu_command() -> list[str]:
    """The installed ``furu`` script itself (not a version manager's shim, which would add its own start-up)."""
    script = Path(sys.executable).with_name("furu")
    if script.exists():
        return [str(script)]
    found = shutil.which("furu")
    return [found] if found else [sys.executable, "-m", "furu"]


def _child_env(root: Path) -> None:
    """Run every process as an installed furu runs: byte code cached (here in a private prefix).

    ``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes and CI images) would make every
    ``furu`` process recompile each module whose cache is stale, which no installed copy does.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(root / "pycache")


def _process(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one whole process, started after ``sync``.

    The ``sync`` keeps an earlier round's writeback off this process's time. CPU time is
    printed beside the wall time: on a busy machine it moves far less.
    """
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def _line(name: str, runs: list[tuple[float, float]], peer: str, peer_runs: list[tuple[float, float]], total: int) -> None:
    seconds, peer_seconds = (statistics.median(wall for wall, _ in r) for r in (runs, peer_runs))
    cpu, peer_cpu = (statistics.median(c for _, c in r) for r in (runs, peer_runs))
    print(
        f"{name:<26} {seconds:>8.2f} s    ({peer} {peer_seconds:.2f} s, speed ratio {peer_seconds / seconds:.2f}, "
        f"goal >= {GOAL}; whole processes, median of {len(runs)}; {total / seconds / 2**20:.0f} MiB/s; "
        f"CPU {cpu:.2f} s vs {peer_cpu:.2f} s, ratio {peer_cpu / cpu:.2f})"
    )


def _project(path: Path, *, chdir: bool = True) -> Path:
    path.mkdir()
    (path / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    if chdir:
        os.chdir(path)
        clear_settings_cache()
    return path


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _count(path: Path) -> int:
    return sum(1 for f in path.rglob("*") if f.is_file())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import benchmarks.share  # the classes need an importable module name, not __main__

    benchmarks.share.main()
