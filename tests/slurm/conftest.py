"""The real SLURM cluster (scripts/local-slurm.sh) and a git project whose steps run on it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gitenv import init_project_repo

from .support import STEPS, cluster_is_up


@pytest.fixture(scope="session", autouse=True)
def _cluster() -> None:
    if not cluster_is_up():
        message = "the local SLURM cluster is not running: start it with `bash scripts/local-slurm.sh start`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI starts it; a silent skip there would hide a broken cluster
        pytest.skip(message, allow_module_level=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git repository holding cluster_steps.py, as the working directory; its modules importable."""
    repo = init_project_repo(
        tmp_path / "repo",
        {"pyproject.toml": '[project]\nname = "cluster-demo"\n', ".gitignore": "__pycache__/\n", "cluster_steps.py": STEPS},
    )
    monkeypatch.chdir(repo)
    monkeypatch.syspath_prepend(str(repo))
    monkeypatch.setenv("FURU_POLL_INTERVAL_SECS", "0.2")
    sys.modules.pop("cluster_steps", None)  # each test imports the module from its own repository
    yield repo
    sys.modules.pop("cluster_steps", None)


@pytest.fixture
def executor(tmp_path: Path) -> Any:
    import submitit

    executor = submitit.AutoExecutor(folder=tmp_path / "jobs", cluster="slurm")
    executor.update_parameters(timeout_min=60, slurm_partition="debug", cpus_per_task=1)
    return executor
