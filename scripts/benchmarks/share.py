"""Sharing speed: ``furu.share.export`` and ``import_bundle`` of ~1 GB against ``tar -cf`` / ``tar -xf``.

The artifacts are a few large files and many small ones (4 x 192 MiB, and
4 x 1,600 files of 40 KiB), made by real ``load_or_create`` calls. Each side
is timed twice, interleaved so drift hits both alike; the best run counts.

Goal (from the issue): export and import each run at least half as fast as
tar creating and extracting the same directory: speed ratio = tar time /
furu time >= 0.5.

Usage: python scripts/bench.py share   (or: python scripts/benchmarks/share.py)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import furu
from furu.settings import clear_settings_cache

BIG_FILES, BIG_MIB = 4, 192
SMALL_DIRS, SMALL_FILES, SMALL_KIB = 4, 1600, 40
ROUNDS = 2
_BLOCK = os.urandom(4 << 20)


class BigBlob(furu.Furu[int]):
    index: int = 0
    mib: int = BIG_MIB

    def _create(self) -> int:
        with open(self.furu_dir / "weights.bin", "wb") as handle:
            for i in range(self.mib // 4):
                handle.write(i.to_bytes(8, "little") + _BLOCK[8:])
        return self.mib

    def _load(self) -> int:
        return (self.furu_dir / "weights.bin").stat().st_size // 2**20


class SmallFiles(furu.Furu[int]):
    index: int = 0
    count: int = SMALL_FILES
    kib: int = SMALL_KIB

    def _create(self) -> int:
        size = self.kib * 1024
        for i in range(self.count):
            folder = self.furu_dir / f"shard{i % 16:02d}"
            folder.mkdir(exist_ok=True)
            offset = (i * 4096) % (len(_BLOCK) - size)
            (folder / f"item{i:05d}.bin").write_bytes(i.to_bytes(8, "little") + _BLOCK[offset + 8 : offset + size])
        return self.count

    def _load(self) -> int:
        return self.count


def main() -> None:
    from furu.share import export, import_bundle

    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="furu-bench-share-") as tmp:
        root = Path(tmp)
        try:
            source = _project(root / "source")
            os.environ["FURU_LOG_LEVEL"] = "WARNING"
            started = time.perf_counter()
            objects = [BigBlob(index=i) for i in range(BIG_FILES)] + [SmallFiles(index=i) for i in range(SMALL_DIRS)]
            for obj in objects:
                obj.load_or_create()
            total = _size(source / "furu-data" / "data")
            print(
                f"{'share.bytes':<26} {total / 2**30:>8.2f} GiB  "
                f"({BIG_FILES} x {BIG_MIB} MiB + {SMALL_DIRS * SMALL_FILES} x {SMALL_KIB} KiB, made in {time.perf_counter() - started:.1f} s)"
            )

            bundle, tarball, extracted = root / "bundle.furu.tar", root / "reference.tar", root / "extracted"
            export_s, tar_c_s, import_s, tar_x_s = [], [], [], []
            for _ in range(ROUNDS):
                tar_c_s.append(
                    _timed(lambda: _run(["tar", "-cf", str(tarball), "-C", str(source / "furu-data"), "data"]))
                )
                export_s.append(_timed(lambda: export(objects, bundle, code="none")))
                receiver = _project(root / "receiver")
                extracted.mkdir()
                tar_x_s.append(_timed(lambda: _run(["tar", "-xf", str(tarball), "-C", str(extracted)])))
                os.chdir(receiver)
                clear_settings_cache()
                import_s.append(_timed(lambda: import_bundle(bundle)))
                dry_s = _timed(lambda: import_bundle(bundle, dry_run=True))
                os.chdir(source)
                clear_settings_cache()
                shutil.rmtree(receiver)
                shutil.rmtree(extracted)
                tarball.unlink()
            size = bundle.stat().st_size
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            clear_settings_cache()
    _line("share.export_s", min(export_s), "tar -cf", min(tar_c_s), total)
    _line("share.import_s", min(import_s), "tar -xf", min(tar_x_s), total)
    print(f"{'share.import_dry_run_s':<26} {dry_s:>8.2f} s    (verify every digest, write nothing)")
    print(f"{'share.bundle_overhead':<26} {size / total - 1:>8.2%}      (bundle bytes over artifact bytes)")


def _project(path: Path) -> Path:
    path.mkdir()
    (path / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    os.chdir(path)
    clear_settings_cache()
    return path


def _line(name: str, seconds: float, peer: str, peer_seconds: float, total: int) -> None:
    ratio = peer_seconds / seconds
    print(
        f"{name:<26} {seconds:>8.2f} s    ({peer} {peer_seconds:.2f} s, speed ratio {ratio:.2f}, goal >= 0.5; "
        f"{total / seconds / 2**30:.2f} GiB/s)"
    )


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _run(command: list[str]) -> None:
    subprocess.run(command, check=True)


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import benchmarks.share  # the classes need an importable module name, not __main__

    benchmarks.share.main()
