"""Real git repositories in temp dirs, isolated from the machine's git config.

``HOME``, ``XDG_CONFIG_HOME`` and libgit2's config search paths point into a
temp dir and the system config is disabled, so a developer's global
``core.excludesFile``, ``init.defaultBranch`` or hooks never change a result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitenv import isolated_git as isolated_git_config

from .gitrepo import Repo, init_repo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with isolated_git_config(tmp_path, monkeypatch, ceiling=True) as home:
        yield home


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository with one commit: text, binary, executable, symlink, ignore rules."""
    r = init_repo(tmp_path / "work")
    r.write("README.md", "# demo\n")
    r.write("src/model.py", "def f():\n    return 1\n")
    r.write("src/util.py", "X = 1\n")
    r.write("data/blob.bin", bytes(range(256)) * 4)
    r.write("run.sh", "#!/bin/sh\necho run\n", executable=True)
    r.write(".gitignore", "*.log\noutputs/\n")
    os.symlink("src/model.py", r.path / "model_link")
    r.commit_all("initial")
    return r
