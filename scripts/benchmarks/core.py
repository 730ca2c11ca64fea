"""Core speed figures: a cache hit against joblib.Memory, and hashing a big array against joblib.hash."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import furu


class PrepareData(furu.Furu[Path]):
    name: str = "toy"
    rows: int = 1000

    def _create(self) -> Path:
        out = self.furu_dir / "data.csv"
        out.write_text("x\n")
        return out

    def _load(self) -> Path:
        return self.furu_dir / "data.csv"


class Train(furu.Furu[dict], version="2"):
    data: PrepareData = PrepareData()
    lr: float = 1e-3

    def _create(self) -> dict:
        self.data.load_or_create()
        return {"lr": self.lr}

    def _load(self) -> dict:
        return {"lr": self.lr}


class Weights(furu.Furu[None]):
    array: object = None

    def _create(self) -> None:
        return None

    def _load(self) -> None:
        return None


def best_per_call(function: Callable[[], object], number: int, repeat: int = 5) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def report(name: str, value: float, unit: str, peer_name: str, peer: float, target: str) -> None:
    print(f"{name:<34} {value:>10.2f} {unit:<3} {peer_name} {peer:.2f} {unit}  ratio {value / peer:.3f}  ({target})")


def bench_cache_hit() -> None:
    import joblib

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FURU_PATH"] = str(Path(tmp) / "furu-data")
        Train(lr=3e-4).load_or_create()
        with open(os.devnull, "w") as devnull:  # default settings; any console line is sent nowhere
            saved, sys.stderr = sys.stderr, devnull
            try:
                furu_hit = best_per_call(lambda: Train(lr=3e-4).load_or_create(), number=20000)
                os.environ["FURU_LOG_LEVEL"] = "DEBUG"
                furu_logged_hit = best_per_call(lambda: Train(lr=3e-4).load_or_create(), number=20000)
            finally:
                sys.stderr = saved
        os.environ["FURU_LOG_LEVEL"] = "INFO"
        same = Train(lr=3e-4)
        same_instance_hit = best_per_call(same.load_or_create, number=20000)

        memory = joblib.Memory(Path(tmp) / "joblib", verbose=0)

        @memory.cache
        def train(lr: float, data: str = "toy", rows: int = 1000) -> dict:
            return {"lr": lr}

        train(lr=3e-4)
        joblib_hit = best_per_call(lambda: train(lr=3e-4), number=2000)
        del os.environ["FURU_PATH"], os.environ["FURU_LOG_LEVEL"]
    goal = "goal: ratio <= 0.1"
    report("core.cache_hit_us", furu_hit * 1e6, "us", "joblib.Memory hit", joblib_hit * 1e6, goal + ", fresh config, default settings")
    report("core.cache_hit_logged_us", furu_logged_hit * 1e6, "us", "joblib.Memory hit", joblib_hit * 1e6, "FURU_LOG_LEVEL=DEBUG prints each hit; no goal")
    print(f"{'core.cache_hit_same_instance_us':<34} {same_instance_hit * 1e6:>10.2f} us   (goal: <= 5 us)")


def bench_big_array_hash() -> None:
    """A 512 MiB array hashed through a config, against xxh3-128 over the same buffer and joblib.hash.

    Rounds alternate furu and raw xxh3 (each a fresh config, so nothing is cached); the best
    round of each counts, as the array is in memory and only noise makes a round slower.
    """
    import joblib
    import numpy as np
    import xxhash

    array = np.random.default_rng(0).random(64 * 2**20)  # 512 MiB of float64
    furu_s, raw_s = [], []
    for _ in range(5):
        furu_s.append(_time(lambda: Weights(array=array).furu_hash))
        raw_s.append(_time(lambda: xxhash.xxh3_128(memoryview(array).cast("B")).hexdigest()))
    furu_seconds, raw_seconds = min(furu_s), min(raw_s)
    joblib_seconds = min(_time(lambda: joblib.hash(array)) for _ in range(2))
    mib = array.nbytes / 2**20
    print(
        f"{'core.hash_512mib_array_ms':<34} {furu_seconds * 1e3:>10.2f} ms  raw xxh3_128 {raw_seconds * 1e3:.2f} ms  "
        f"throughput ratio {raw_seconds / furu_seconds:.3f} ({mib / furu_seconds:.0f} vs {mib / raw_seconds:.0f} MiB/s; "
        "goal: ratio >= 0.6)"
    )
    report("core.hash_512mib_vs_joblib_ms", furu_seconds * 1e3, "ms", "joblib.hash", joblib_seconds * 1e3, "goal: ratio <= 0.1")
    fortran = np.asfortranarray(array.reshape(8192, 8192))  # the same values, column-major: hashed in C order
    furu_f = min(_time(lambda: Weights(array=fortran).furu_hash) for _ in range(3))
    copy_f = min(_time(lambda: xxhash.xxh3_128(np.ascontiguousarray(fortran)).hexdigest()) for _ in range(3))
    report("core.hash_512mib_fortran_ms", furu_f * 1e3, "ms", "C-order copy + xxh3_128", copy_f * 1e3,
           "no goal; furu copies 8 MiB blocks, never the whole array")


def _time(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


STARTUP_ROUNDS = 11

_SMALL_PROJECT_STEPS = """
import furu


class Data(furu.Furu[str]):
    name: str = "d"

    def _create(self) -> str:
        (self.furu_dir / "out.txt").write_text(self.name)
        return self.name

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Model(furu.Furu[str]):
    data: Data = Data()

    def _create(self) -> str:
        return "model of " + self.data.load_or_create()

    def _load(self) -> str:
        return "model of " + self.data.load_or_create()
"""


def _small_project(root: Path, env: dict[str, str]) -> None:
    """A project (not installed) with four artifacts, as a user's first experiments leave it."""
    import subprocess

    (root / "lab").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "lab"\nversion = "0"\n')
    (root / "lab" / "__init__.py").write_text("")
    (root / "lab" / "steps.py").write_text(_SMALL_PROJECT_STEPS)
    create = "from lab.steps import Data, Model\nfor obj in (Data(), Data(name='e'), Model(), Model(data=Data(name='e'))): obj.load_or_create()"
    subprocess.run([sys.executable, "-c", create], check=True, cwd=root, env=env, capture_output=True)


# Not passed to the measured processes: PYTHONDONTWRITEBYTECODE would make every process compile
# each module it imports, which a user's second run never does.
_DROPPED_FROM_STARTUP_ENV = ("PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")


def _startup_env(pycache: Path) -> dict[str, str]:
    """The shell's environment without FURU_* (the data root is the project's own), PYTHONPATH or
    PYTHONDONTWRITEBYTECODE, with bytecode cached under ``pycache``: a new directory, so an edited
    module counts as a user's second run after the edit (compiled once, in the warm-up round)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FURU_") and k not in _DROPPED_FROM_STARTUP_ENV}
    return {**env, "PYTHONPYCACHEPREFIX": str(pycache)}


def bench_startup() -> None:
    """Whole processes against the import of what they stand on, from a small project's directory.

    The commands take turns round by round, so drift on a busy machine hits a command and its peer
    alike; each figure is a median. A first round, not counted, writes the bytecode every later
    round reads. ``furu`` is the console script beside this interpreter, as in the tests: a version
    manager's shim in front of it (pyenv's costs ~0.1 s) would count on furu's side only.
    """
    import statistics
    import subprocess

    python = sys.executable
    furu_command = str(Path(python).parent / "furu")
    with tempfile.TemporaryDirectory(prefix="furu-bench-startup-") as tmp, tempfile.TemporaryDirectory(
        prefix="furu-bench-pycache-"
    ) as pycache:
        project = Path(tmp)
        env = {**_startup_env(Path(pycache)), "COLUMNS": "120"}
        _small_project(project, env)
        commands = {
            "floor": [python, "-c", "import pydantic, typer, rich.console"],
            "help": [furu_command, "--help"],
            "ls": [furu_command, "ls"],
            "pydantic": [python, "-c", "import pydantic"],
            "furu": [python, "-c", "import furu"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_number in range(1 + STARTUP_ROUNDS):  # round 0 is the warm-up
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, check=True, cwd=project, env=env, stdout=subprocess.DEVNULL)
                if round_number:
                    times[name].append(time.perf_counter() - started)
    ms = {name: statistics.median(values) * 1e3 for name, values in times.items()}
    floor = "import pydantic, typer, rich.console"
    report("core.furu_help_ms", ms["help"], "ms", floor, ms["floor"], "goal: ratio <= 1.5")
    report("core.furu_ls_small_project_ms", ms["ls"], "ms", floor, ms["floor"], "goal: ratio <= 1.5; 4 artifacts")
    report("core.import_furu_ms", ms["furu"], "ms", "import pydantic", ms["pydantic"], "goal: ratio <= 2")


def main() -> None:
    bench_cache_hit()
    bench_big_array_hash()
    bench_startup()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
