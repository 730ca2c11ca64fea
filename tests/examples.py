"""Pipelines used by the tests, importable by the subprocesses the tests start."""

from __future__ import annotations

import dataclasses
import enum
import logging
import os
import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel

import furu

log = logging.getLogger("examples")


def record_call(name: str) -> None:
    """Append one line per _create call to $FURU_TEST_CALLS (shared by all processes)."""
    calls = os.environ.get("FURU_TEST_CALLS")
    if calls:
        fd = os.open(calls, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.write(fd, f"{name} {os.getpid()}\n".encode())
        os.close(fd)


def calls(path: Path) -> list[str]:
    return path.read_text().split("\n")[:-1] if path.exists() else []


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass(frozen=True)
class Window:
    start: int
    stop: int


class Optimizer(BaseModel):
    name: str = "adam"
    betas: tuple[float, float] = (0.9, 0.999)


class PrepareData(furu.Furu[Path]):
    name: str = "toy"
    rows: int = 5

    def _create(self) -> Path:
        record_call(f"PrepareData:{self.name}")
        log.info("writing %d rows", self.rows)
        out = self.furu_dir / "data.csv"
        out.write_text("".join(f"{i}\n" for i in range(self.rows)))
        return out

    def _load(self) -> Path:
        return self.furu_dir / "data.csv"


class PrepareDataShuffled(PrepareData):
    seed: int = 0


class Train(furu.Furu[dict], version="2"):
    data: PrepareData = PrepareData()
    lr: float = 1e-3
    note: Annotated[str, furu.skip_hash] = ""

    def _create(self) -> dict:
        record_call("Train")
        rows = self.data.load_or_create().read_text().split()
        log.info("training on %d rows with lr=%s", len(rows), self.lr)
        result = {"rows": len(rows), "lr": self.lr}
        (self.furu_dir / "result.txt").write_text(repr(result))
        return result

    def _load(self) -> dict:
        return eval((self.furu_dir / "result.txt").read_text())  # noqa: S307 - test fixture


class Slow(furu.Furu[str]):
    """Takes $FURU_TEST_SLOW_SECS seconds; used for racing and takeover tests."""

    name: str = "slow"

    def _create(self) -> str:
        record_call("Slow")
        Path(self.furu_dir / "started").write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("FURU_TEST_SLOW_SECS", "1")))
        (self.furu_dir / "out.txt").write_text("done")
        return "created"

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Flaky(furu.Furu[int]):
    """Fails while $FURU_TEST_FAIL is set, then succeeds."""

    def _create(self) -> int:
        record_call("Flaky")
        if os.environ.get("FURU_TEST_FAIL"):
            raise ValueError("flaky failure on purpose")
        (self.furu_dir / "value").write_text("42")
        return 42

    def _load(self) -> int:
        return int((self.furu_dir / "value").read_text())


class Picky(furu.Furu[str]):
    """Valid only while its result file says 'good'."""

    def _create(self) -> str:
        record_call("Picky")
        (self.furu_dir / "quality").write_text("good")
        return "good"

    def _load(self) -> str:
        return (self.furu_dir / "quality").read_text()

    def _validate(self) -> bool:
        return (self.furu_dir / "quality").read_text() == "good"


class Summary(furu.Furu[str], version_controlled=True):
    train: Train = Train()

    def _create(self) -> str:
        result = self.train.load_or_create()
        text = f"rows={result['rows']} lr={result['lr']}\n"
        (self.furu_dir / "summary.txt").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "summary.txt").read_text()


class Everything(furu.Furu[None]):
    """A field of every supported kind (for hashing and round-trips)."""

    flag: bool = True
    count: int = 3
    ratio: float = 0.5
    text: str = "héllo"
    blob: bytes = b"\x00\xff"
    path: Path = Path("data/x.csv")
    color: Color = Color.RED
    when: Any = None
    items: list[int] = [1, 2]
    pair: tuple[int, str] = (1, "a")
    tags: frozenset[str] = frozenset({"b", "a"})
    table: dict[str, float] = {"a": 1.0}
    optimizer: Optimizer = Optimizer()
    window: Window = Window(0, 10)
    maybe: int | None = None

    def _create(self) -> None:
        return None

    def _load(self) -> None:
        return None


class Pipeline(furu.Furu[list]):
    """Depends on a list of datasets and one extra dependency from _dependencies()."""

    datasets: list[PrepareData] = [PrepareData(name="a"), PrepareData(name="b")]

    def _dependencies(self) -> list[furu.Furu[Any]]:
        return [PrepareData(name="extra")]

    def _create(self) -> list:
        return [d.load_or_create().name for d in self.datasets]

    def _load(self) -> list:
        return ["data.csv", "data.csv"]
