"""A small but real pipeline: make a dataset, fit ridge regressions, evaluate, report.

Run it from the repository root:

    furu run docs.examples.pipeline:Report          # first run: creates every step
    furu run docs.examples.pipeline:Report          # second run: one cache hit
    furu run docs.examples.pipeline:Evaluate --sweep model.alpha=0.1,1,10

Each step is a frozen, typed config. furu hashes it into a directory under
``furu-data/``, runs ``_create`` exactly once, and records the code (git
snapshot), environment and resources in ``.furu/metadata.json``. ``Report`` is
version-controlled: it lands in ``furu-data/artifacts/`` for you to commit.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

import furu

log = logging.getLogger(__name__)


class MakeDataset(furu.Furu[Path]):
    """A synthetic linear regression problem with noise."""

    samples: int = 2000
    features: int = 20
    noise: float = 0.5
    seed: int = 0

    def _create(self) -> Path:
        rng = np.random.default_rng(self.seed)
        weights = rng.normal(size=self.features)
        x = rng.normal(size=(self.samples, self.features))
        y = x @ weights + rng.normal(scale=self.noise, size=self.samples)
        log.info("made %d samples with %d features", self.samples, self.features)
        path = self.furu_dir / "dataset.npz"
        np.savez(path, x=x, y=y, weights=weights)
        return path

    def _load(self) -> Path:
        return self.furu_dir / "dataset.npz"


class FitRidge(furu.Furu[np.ndarray]):
    """Closed-form ridge regression on the first 80% of the data."""

    data: MakeDataset = MakeDataset()
    alpha: float = 1.0

    def _create(self) -> np.ndarray:
        arrays = np.load(self.data.load_or_create())
        x, y = _train_split(arrays["x"]), _train_split(arrays["y"])
        weights = np.linalg.solve(x.T @ x + self.alpha * np.eye(x.shape[1]), x.T @ y)
        log.info("fitted alpha=%s on %d rows", self.alpha, len(y))
        np.save(self.furu_dir / "weights.npy", weights)
        return weights

    def _load(self) -> np.ndarray:
        return np.load(self.furu_dir / "weights.npy")


class Evaluate(furu.Furu[dict]):
    """R^2 and RMSE on the held-out 20%."""

    model: FitRidge = FitRidge()

    def _create(self) -> dict:
        arrays = np.load(self.model.data.load_or_create())
        weights = self.model.load_or_create()
        x, y = _test_split(arrays["x"]), _test_split(arrays["y"])
        residual = y - x @ weights
        metrics = {
            "alpha": self.model.alpha,
            "r2": float(1 - residual.var() / y.var()),
            "rmse": float(np.sqrt(np.mean(residual**2))),
        }
        (self.furu_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
        return metrics

    def _load(self) -> dict:
        return json.loads((self.furu_dir / "metrics.json").read_text())


class Report(furu.Furu[str], version_controlled=True):
    """A markdown table comparing regularisation strengths; committed with the code."""

    alphas: tuple[float, ...] = (0.1, 100.0, 1000.0)
    data: MakeDataset = MakeDataset()

    def _create(self) -> str:
        rows = [Evaluate(model=FitRidge(data=self.data, alpha=alpha)).load_or_create() for alpha in self.alphas]
        lines = ["| alpha | R^2 | RMSE |", "|---:|---:|---:|"]
        lines += [f"| {r['alpha']:g} | {r['r2']:.4f} | {r['rmse']:.4f} |" for r in rows]
        text = "\n".join(lines) + "\n"
        (self.furu_dir / "report.md").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "report.md").read_text()


def _train_split(array: np.ndarray) -> np.ndarray:
    return array[: int(len(array) * 0.8)]


def _test_split(array: np.ndarray) -> np.ndarray:
    return array[int(len(array) * 0.8) :]
