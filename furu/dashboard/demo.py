"""``furu dashboard --demo``: a temporary data root holding a realistic pipeline, so a fresh clone shows everything.

Everything here is made by furu itself, through ``load_or_create``: datasets,
a sweep of training runs (two of them fail), evaluations, a preempted run
(interrupted, as Ctrl-C would), a version-controlled report, and one training
that keeps running (and logging, for the live tail) while the server lives.
Only the queued run is written by hand, as a cluster backend would record a
job waiting in its queue. The results hold a file of every kind the viewer
shows: JSON, JSONL, CSV, Markdown, text, an image, HTML, and Parquet when
pyarrow is installed.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pygit2

import furu
from furu import settings as settings_module
from furu.annotations import add_tags, set_name
from furu.state import ArtifactState, Attempt, hostname, username, utcnow, write_state

_log = logging.getLogger(__name__)
DEMO_LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)


class Dataset(furu.Furu[Path]):
    name: str = "mnist-small"
    rows: int = 200

    def _create(self) -> Path:
        _log.info("writing %d rows of %s", self.rows, self.name)
        lines = ["x,y,label"] + [f"{i * 0.1:.1f},{(i * 7) % 13},{i % 3}" for i in range(self.rows)]
        (self.furu_dir / "data.csv").write_text("\n".join(lines) + "\n")
        (self.furu_dir / "stats.json").write_text(json.dumps({"rows": self.rows, "classes": 3, "name": self.name}, indent=2))
        (self.furu_dir / "README.md").write_text(f"# {self.name}\n\n{self.rows} rows, 3 classes.\n\n* x: a feature\n* y: another\n")
        (self.furu_dir / "sample.png").write_bytes(_png(32, 32))
        return self.furu_dir / "data.csv"

    def _load(self) -> Path:
        return self.furu_dir / "data.csv"


class Train(furu.Furu[dict[str, float]]):
    data: Dataset = Dataset()
    lr: float = 0.01
    epochs: int = 5
    seed: int = 0
    seconds_per_epoch: float = 0.0

    def _create(self) -> dict[str, float]:
        rows = len(self.data.load_or_create().read_text().splitlines()) - 1
        _log.info("training on %d rows of %s", rows, self.data.name)
        if self.lr >= 0.3:
            raise FloatingPointError(f"loss diverged to nan at epoch 2 (lr={self.lr} is too high)")
        history = []
        for epoch in range(1, self.epochs + 1):
            loss = round(1.0 / (epoch * (1 + self.lr * 100)) + self.seed * 0.001, 4)
            history.append({"epoch": epoch, "loss": loss})
            _log.info("epoch %d/%d loss %.4f", epoch, self.epochs, loss)
            time.sleep(self.seconds_per_epoch)
        with (self.furu_dir / "history.jsonl").open("w") as out:
            out.writelines(json.dumps(row) + "\n" for row in history)
        _write_parquet(self.furu_dir / "history.parquet", history)
        _write_steps(self.furu_dir / "steps.csv", self.lr, self.seed)
        metrics = {"loss": history[-1]["loss"], "accuracy": round(1 - history[-1]["loss"] / 2, 4)}
        (self.furu_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
        return metrics

    def _load(self) -> dict[str, float]:
        return json.loads((self.furu_dir / "metrics.json").read_text())  # type: ignore[no-any-return]


class Interrupted(Train):
    """A training stopped half-way (what Ctrl-C or a SIGTERM from the scheduler records as preempted)."""

    def _create(self) -> dict[str, float]:
        _log.info("epoch 1/%d", self.epochs)
        raise KeyboardInterrupt


class Evaluate(furu.Furu[dict[str, float]]):
    model: Train = Train()
    split: str = "test"

    def _create(self) -> dict[str, float]:
        metrics = self.model.load_or_create()
        score = round(metrics["accuracy"] - 0.02, 4)
        (self.furu_dir / "scores.csv").write_text(f"split,accuracy\n{self.split},{score}\n")
        (self.furu_dir / "summary.txt").write_text(f"{self.split} accuracy {score}\n")
        _write_per_class(self.furu_dir / "per_class.csv", score)
        return {"accuracy": score}

    def _load(self) -> dict[str, float]:
        return {"accuracy": float((self.furu_dir / "scores.csv").read_text().splitlines()[1].split(",")[1])}


class Report(furu.Furu[str], version_controlled=True):
    evaluations: list[Evaluate] = []

    def _create(self) -> str:
        rows = "".join(f"<tr><td>{e.model.lr}</td><td>{e.load_or_create()['accuracy']}</td></tr>" for e in self.evaluations)
        (self.furu_dir / "report.html").write_text(f"<h1>Sweep</h1><table><tr><th>lr</th><th>accuracy</th></tr>{rows}</table>")
        (self.furu_dir / "report.md").write_text("# Sweep\n\n" + "\n".join(f"- lr {e.model.lr}" for e in self.evaluations))
        return "report.html"

    def _load(self) -> str:
        return "report.html"


def demo_settings(say: Callable[[str], None] = print) -> settings_module.Settings:
    """Make the demo data root (in a new temporary directory, its own project) and point this process's furu at it."""
    root = Path(tempfile.mkdtemp(prefix="furu-demo-"))
    (root / "pyproject.toml").write_text('[project]\nname = "furu-demo"\nversion = "0"\n')
    pygit2.init_repository(str(root))  # its own repository: the runs' snapshots go there, never into one it sits in
    os.chdir(root)
    os.environ["FURU_PATH"] = str(root / "furu-data")
    os.environ["FURU_ARTIFACTS_PATH"] = str(root / "furu-data" / "artifacts")
    settings_module.clear_settings_cache()
    _remove_when_gone(root)
    say(f"furu dashboard: filling a demo data root at {root} (removed when the server stops) ...")
    _quiet_console()
    fill_demo()
    return settings_module.current()


def fill_demo() -> None:
    """The demo pipeline, in the data root furu's settings point at."""
    datasets = [Dataset(), Dataset(name="cifar-tiny", rows=120)]
    evaluations = []
    for data in datasets:
        for lr in DEMO_LRS:
            train = Train(data=data, lr=lr)
            try:
                train.load_or_create()
            except FloatingPointError:
                continue  # recorded as failed: the dashboard shows its traceback
            evaluation = Evaluate(model=train)
            evaluation.load_or_create()
            evaluations.append(evaluation)
    tagged = Train(data=datasets[0], lr=0.003)
    add_tags(tagged.furu_dir, ["best", "paper"])
    set_name(tagged.furu_dir, "baseline")
    Report(evaluations=evaluations[:4]).load_or_create()
    try:
        Interrupted(data=datasets[0], lr=0.01, seed=7).load_or_create()
    except KeyboardInterrupt:
        pass  # recorded as preempted
    _queue(Train(data=datasets[1], lr=0.01, seed=3, epochs=50))
    live = Train(data=datasets[0], lr=0.002, epochs=100_000, seconds_per_epoch=1.0)
    threading.Thread(target=live.load_or_create, name="furu-demo-running", daemon=True).start()


_REMOVER = """
import shutil, sys
sys.stdin.buffer.read()  # end of file: the server's end of the pipe closed, so it is gone
shutil.rmtree(sys.argv[1], ignore_errors=True)
"""

_removers: list[subprocess.Popen[bytes]] = []
"""The removers, and with them the server's ends of their pipes, held open for as long as it lives."""


def _remove_when_gone(root: Path) -> None:
    """Remove the demo root once this process is gone, however it ends (Ctrl-C, SIGTERM, kill -9).

    The remover waits on a pipe rather than polling the pid: the kernel closes
    the pipe when the process ends, even while it stays a zombie nobody reaps,
    and a pid reused by another process cannot keep the remover waiting.
    """
    remover = subprocess.Popen(
        [sys.executable, "-c", _REMOVER, str(root)], start_new_session=True,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _removers.append(remover)


def _quiet_console() -> None:
    """The demo's runs log to their artifacts' logs (the live tail shows them), not over the server's output."""
    from furu.logs import configure, set_console_level

    configure(settings_module.current().log_level)
    set_console_level("ERROR")


def _queue(train: Train) -> None:
    """Record a job waiting in a cluster's queue, as the SLURM backend does when it submits one."""
    paths = train._paths()
    paths.internal.mkdir(parents=True, exist_ok=True)
    attempt = Attempt(
        id="demo-queued", number=1, status="queued", backend="slurm", job_id="4242", host=hostname(), pid=os.getpid(),
        user=username(), started_at=utcnow(), reason="submitted to the demo cluster's queue",
    )
    write_state(paths, ArtifactState(fqn=train.furu_fqn(), hash=train.furu_hash, result="incomplete", attempts=[attempt]))


def _write_parquet(path: Path, rows: list[dict[str, float]]) -> None:
    """The same rows as Parquet, when pyarrow is installed (the viewer previews Parquet only then)."""
    try:
        import pyarrow as pa  # type: ignore[import-not-found, import-untyped, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return
    pq.write_table(pa.Table.from_pylist(rows), path)


def _png(width: int, height: int) -> bytes:
    """A small gradient PNG, made here so nothing is downloaded."""
    rows = (b"\x00" + bytes(v for x in range(width) for v in (x * 8 % 256, y * 8 % 256, 160)) for y in range(height))
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


DEMO_STEPS = 10_000
DEMO_CLASSES = ("cat", "dog", "bird")


def _write_steps(path: Path, lr: float, seed: int) -> None:
    """A loss per optimizer step, 10,000 of them: the long series the charts overlay across runs."""
    rows = (f"{step},{0.05 + 2.0 / (1 + step * lr * 0.5) + ((step * 7919 + seed) % 97) / 2000:.5f}" for step in range(DEMO_STEPS))
    path.write_text("step,loss\n" + "\n".join(rows) + "\n")


def _write_per_class(path: Path, score: float) -> None:
    """Accuracy per class, for the bar chart of metrics per class."""
    rows = (f"{name},{min(1.0, score + (index - 1) * 0.03):.4f}" for index, name in enumerate(DEMO_CLASSES))
    path.write_text("class,accuracy\n" + "\n".join(rows) + "\n")
