"""Fixtures for the terminal UI: a real project built once, copied fresh for each test, and the app over it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from furu.project import clear_project_cache
from furu.settings import clear_settings_cache
from tests.tui.lab import build, copy, pin

pytest.importorskip("textual")


@pytest.fixture(scope="session")
def built_lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("tui") / "lab")


@pytest.fixture(scope="session")
def pinned_lab(tmp_path_factory: pytest.TempPathFactory, built_lab: Path) -> Path:
    pinned = copy(built_lab, tmp_path_factory.mktemp("tui-pinned") / "lab")
    pin(pinned)
    return pinned


def _enter(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Work in ``project`` as a user in its directory would, in UTC (times on screen do not depend on the machine)."""
    monkeypatch.chdir(project)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    clear_settings_cache()
    clear_project_cache()
    yield project
    monkeypatch.undo()
    time.tzset()
    clear_settings_cache()
    clear_project_cache()


@pytest.fixture
def lab(built_lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the real project, as the working directory."""
    yield from _enter(copy(built_lab, tmp_path / "lab"), monkeypatch)


@pytest.fixture
def pinned(pinned_lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh copy of the pinned project (same bytes on every machine), as the working directory."""
    yield from _enter(copy(pinned_lab, tmp_path / "lab"), monkeypatch)
