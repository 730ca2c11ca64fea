"""Real git repositories in temp dirs, isolated from the machine's git config.

``HOME``, ``XDG_CONFIG_HOME`` and libgit2's config search paths point into a
temp dir and the system config is disabled, so a developer's global
``core.excludesFile``, ``init.defaultBranch`` or hooks never change a result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pygit2
import pytest
from pygit2.enums import ConfigLevel

from furu.provenance import clear_capture_cache

from .gitrepo import Repo, init_repo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL"):
        monkeypatch.delenv(name, raising=False)
    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved = {level: pygit2.settings.search_path[level] for level in levels}
    pygit2.settings.search_path[ConfigLevel.GLOBAL] = str(home)
    pygit2.settings.search_path[ConfigLevel.XDG] = str(home / ".config" / "git")
    pygit2.settings.search_path[ConfigLevel.SYSTEM] = str(tmp_path / "no-system")
    clear_capture_cache()
    yield home
    clear_capture_cache()
    for level, value in saved.items():
        pygit2.settings.search_path[level] = value


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
