"""Helpers for building real git repositories and comparing trees, file by file."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

Entry = tuple[str, bytes, bool]  # ("file", content, executable) or ("link", target, False)


@dataclass
class Repo:
    """A work tree driven through the real git CLI."""

    path: Path

    def git(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def write(self, rel: str, data: bytes | str, *, executable: bool = False) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        target.chmod(0o755 if executable else 0o644)
        return target

    def commit_all(self, message: str = "commit") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


def init_repo(path: Path) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.git("config", "user.name", "Test User")
    repo.git("config", "user.email", "test@example.com")
    repo.git("config", "commit.gpgsign", "false")
    return repo


def listing(root: Path, paths: list[str] | None = None) -> dict[str, Entry]:
    """Every file and symlink under ``root`` (or just ``paths``), outside ``.git``."""
    if paths is None:
        paths = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            rel_dir = os.path.relpath(dirpath, root)
            links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
            for name in filenames + links:
                if rel_dir == "." and name == ".git":
                    continue  # a linked worktree's pointer file, not content
                paths.append(name if rel_dir == "." else f"{rel_dir}/{name}")
    result: dict[str, Entry] = {}
    for rel in paths:
        full = root / rel
        st = os.lstat(full)
        if stat.S_ISLNK(st.st_mode):
            result[rel] = ("link", os.fsencode(os.readlink(full)), False)
        elif stat.S_ISREG(st.st_mode):
            result[rel] = ("file", full.read_bytes(), bool(st.st_mode & stat.S_IXUSR))
    return result


def visible_files(repo: Repo) -> dict[str, Entry]:
    """What a snapshot must hold: tracked and untracked non-ignored files that exist now."""
    out = repo.git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    paths = sorted({p for p in out.split("\0") if p})
    return listing(repo.path, [p for p in paths if os.path.lexists(repo.path / p)])


def user_state(repo: Repo) -> dict[str, object]:
    """Everything capture promises not to touch."""
    git_dir = repo.path / ".git"
    return {
        "status": repo.git("--no-optional-locks", "status", "--porcelain=v2", "-uall"),
        "index": (git_dir / "index").read_bytes() if (git_dir / "index").exists() else None,
        "HEAD": (git_dir / "HEAD").read_text(),
        "head_commit": repo.git("rev-parse", "--verify", "-q", "HEAD", check=False),
        "stash": repo.git("stash", "list"),
        "files": listing(repo.path),
    }
