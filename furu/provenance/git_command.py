"""The git CLI: running it, and finding a repository the way git itself does.

Kept apart from :mod:`furu.provenance.repository` because that module imports
pygit2, which takes longer to import than ``git rev-parse`` takes to run. Time
travel (a whole ``furu timetravel`` process racing ``git worktree add``) finds
the repository and checks the snapshot out with these alone, and imports pygit2
only when something needs repairing or explaining.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from furu.errors import FuruGitError

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
# Variables that would point git at another repository than the one around ``cwd``.
_REDIRECTS = frozenset({"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX"})


def run_git(
    args: list[str], *, cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the git CLI (used where libgit2 lacks the feature: detached worktrees, clean filters)."""
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTS}
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            input=stdin,
            env={**env, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except FileNotFoundError as exc:
        raise FuruGitError(
            "The `git` command was not found; install git (https://git-scm.com): furu needs it "
            "to materialise snapshots and to apply clean filters named in .gitattributes."
        ) from exc


def check_snapshot_id(snapshot_id: str) -> str:
    """Reject anything that is not a full object id, before it reaches git."""
    if not isinstance(snapshot_id, str) or not _OBJECT_ID.fullmatch(snapshot_id):
        raise FuruGitError(
            f"{snapshot_id!r} is not a snapshot id; expected the full 40-character commit id "
            "stored in the artifact's metadata.json under git.snapshot_id."
        )
    return snapshot_id


@dataclass(frozen=True)
class GitLocation:
    """A repository found from some path: where to run git, its git dir and its common dir."""

    cwd: Path
    git_dir: Path
    common_dir: Path  # refs and objects (the main repository's .git for a linked worktree)


def locate_repository(start: Path) -> GitLocation | None:
    """The repository containing ``start`` as ``git`` finds it, or None outside any.

    Discovery is git's own (``git rev-parse``): ``GIT_CEILING_DIRECTORIES``,
    ``.git`` files of worktrees and submodules, and no crossing of filesystems,
    as :func:`furu.provenance.repository.discover_git_dir` does with libgit2.
    """
    if not start.exists():
        raise FuruGitError(
            f"Cannot look for a git repository from {start}: the path does not exist. "
            "Pass an existing directory inside your project."
        )
    cwd = start if start.is_dir() else start.parent
    result = run_git(["rev-parse", "--git-dir", "--git-common-dir"], cwd=cwd)
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) < 2:
        if "dubious ownership" in result.stderr:
            raise FuruGitError(
                f"The git repository around {start} belongs to another user; if you trust it, run "
                f"`git config --global --add safe.directory <its work tree>` ({result.stderr.strip()})."
            )
        return None
    here = os.path.realpath(cwd)  # git prints paths relative to its physical working directory
    git_dir, common_dir = (Path(os.path.realpath(os.path.join(here, line))) for line in lines[:2])
    return GitLocation(cwd=cwd, git_dir=git_dir, common_dir=common_dir)


def worktree_head(worktree: Path) -> str | None:
    """The commit id a linked worktree's HEAD is detached at, read from its files; None if not that simple.

    A linked worktree's ``.git`` is a file naming its git dir, whose ``HEAD``
    holds the commit id when detached. Anything else (a symbolic HEAD, another
    layout) is None, and the caller asks libgit2.
    """
    try:
        pointer = (worktree / ".git").read_text(encoding="utf-8").strip()
        if not pointer.startswith("gitdir:"):
            return None
        git_dir = Path(worktree, pointer.removeprefix("gitdir:").strip())
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return head if _OBJECT_ID.fullmatch(head) else None
