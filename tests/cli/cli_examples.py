"""Pipelines for the CLI tests (beside tests/examples.py, which they also use)."""

from __future__ import annotations

from pathlib import Path

import furu


class Versioned(furu.Furu[int], version="2"):
    x: int = 1

    def _create(self) -> int:
        (self.furu_dir / "x.txt").write_text(str(self.x))
        return self.x

    def _load(self) -> int:
        return int((self.furu_dir / "x.txt").read_text())


class Boom(furu.Furu[int]):
    """Always fails: a failed artifact for listings and gc."""

    why: str = "on purpose"

    def _create(self) -> int:
        raise RuntimeError(f"boom {self.why}")

    def _load(self) -> int:
        raise AssertionError("never created")


class Big(furu.Furu[Path]):
    """Writes ``size`` bytes (for du and sizes)."""

    size: int = 10_000

    def _create(self) -> Path:
        path = self.furu_dir / "blob.bin"
        path.write_bytes(b"x" * self.size)
        return path

    def _load(self) -> Path:
        return self.furu_dir / "blob.bin"
