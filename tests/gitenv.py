"""Git and pygit2 isolated from the machine's git config, for tests that build real repositories.

``HOME``, ``XDG_CONFIG_HOME`` and libgit2's config search paths point into a
temp dir and the system config is disabled, so a developer's global
``core.excludesFile``, ``init.defaultBranch`` or hooks never change a result.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pygit2
import pytest
from pygit2.enums import ConfigLevel

from furu.provenance import clear_capture_cache


@contextmanager
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, ceiling: bool) -> Iterator[Path]:
    """Yield the temp HOME; with ``ceiling``, repository discovery stops at ``tmp_path``."""
    home = tmp_path / "home"
    (home / ".config" / "git").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG_GLOBAL", "GIT_CEILING_DIRECTORIES"):
        monkeypatch.delenv(name, raising=False)
    if ceiling:
        monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    levels = (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM)
    saved = {level: pygit2.settings.search_path[level] for level in levels}
    pygit2.settings.search_path[ConfigLevel.GLOBAL] = str(home)
    pygit2.settings.search_path[ConfigLevel.XDG] = str(home / ".config" / "git")
    pygit2.settings.search_path[ConfigLevel.SYSTEM] = str(tmp_path / "no-system")
    clear_capture_cache()
    try:
        yield home
    finally:
        clear_capture_cache()
        for level, value in saved.items():
            pygit2.settings.search_path[level] = value


def git(cwd: Path, *args: str) -> str:
    """Run the real git CLI in ``cwd``; its stripped output."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def init_project_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    """A new repository on branch main with a committer, and (committed) ``files``."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "t@example.com")
    git(path, "config", "user.name", "Test")
    if files:
        for name, text in files.items():
            (path / name).write_text(text)
        git(path, "add", ".")
        git(path, "commit", "-q", "-m", "first")
    return path
