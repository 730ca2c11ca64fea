"""Fixtures for CLI tests: a runner that invokes `furu` in-process, and real artifacts to list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from examples import Flaky, Pipeline, PrepareData, Summary, Train
from typer.testing import CliRunner

import furu.catalog.catalog as catalog_module
from furu.cli import app


@dataclass
class Furu:
    """Runs the furu CLI in-process, asserting the exit code."""

    runner: CliRunner

    def __call__(self, *args: str, code: int = 0, input: str | None = None) -> Any:
        result = self.runner.invoke(app, list(args), input=input)
        if result.exit_code != code:
            raise AssertionError(
                f"furu {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\n{result.exception!r}"
            )
        return result

    def json(self, *args: str) -> Any:
        """Run with --json and parse stdout (which must hold nothing but the JSON)."""
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def furu_cli() -> Furu:
    return Furu(CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}))


@dataclass
class Made:
    """Artifacts created for a test, by role."""

    toy: PrepareData
    train: Train
    summary: Summary
    pipeline: Pipeline
    a: PrepareData
    b: PrepareData
    failed: Flaky


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    """Summary -> Train -> PrepareData(toy); Pipeline -> PrepareData(a), (b); Flaky failed."""
    Summary().load_or_create()
    Pipeline().load_or_create()
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    with pytest.raises(ValueError):
        Flaky().load_or_create()
    monkeypatch.delenv("FURU_TEST_FAIL")
    return Made(
        toy=PrepareData(), train=Train(), summary=Summary(), pipeline=Pipeline(),
        a=PrepareData(name="a"), b=PrepareData(name="b"), failed=Flaky(),
    )


@pytest.fixture
def short_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust stamps older than 20 ms (the default 2 s would re-read everything a test just made)."""
    monkeypatch.setattr(catalog_module, "RACY_WINDOW_NS", 20_000_000)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The artifact names the catalog reads from disk (not from its index) during the test."""
    seen: list[str] = []
    original = catalog_module.read_entry

    def counting(shard: Any, name: str, racy_after: int) -> Any:
        seen.append(name)
        return original(shard, name, racy_after)

    monkeypatch.setattr(catalog_module, "read_entry", counting)
    return seen
