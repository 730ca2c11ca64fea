"""Finding and opening the user's repository, and reading what HEAD points at.

Every pygit2 failure is turned into a :class:`FuruGitError` here, with a
message naming the repository and the fix, so callers never see a bare
``pygit2.GitError``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pygit2

from furu.errors import FuruGitError
from furu.provenance.git_command import check_snapshot_id as check_snapshot_id  # re-exported
from furu.provenance.git_command import run_git as run_git  # re-exported
from furu.provenance.model import snapshot_ref_name


def discover_git_dir(start: Path) -> str | None:
    """Return the git dir of the repository containing ``start``, or None.

    Honours ``GIT_CEILING_DIRECTORIES`` like git itself, so users (and tests)
    can stop discovery from wandering into an unrelated parent repository.
    """
    if not start.exists():
        raise FuruGitError(
            f"Cannot look for a git repository from {start}: the path does not exist. "
            "Pass an existing directory inside your project."
        )
    ceiling = os.environ.get("GIT_CEILING_DIRECTORIES", "")
    try:
        return pygit2.discover_repository(str(start), False, ceiling)
    except pygit2.GitError as exc:
        raise FuruGitError(f"Could not search for a git repository from {start}: {exc}") from exc


def open_repository(git_dir: str) -> pygit2.Repository:
    """Open a discovered repository, explaining the usual failures."""
    try:
        return pygit2.Repository(git_dir)
    except pygit2.GitError as exc:
        hint = ""
        if "owner" in str(exc) or "safe" in str(exc):
            hint = (
                " The repository belongs to another user; if you trust it, run "
                f"`git config --global --add safe.directory {Path(git_dir).parent}`."
            )
        raise FuruGitError(
            f"The git repository at {git_dir} could not be opened: {exc}.{hint} "
            "To run without git provenance, work outside the repository and unset FURU_REQUIRE_GIT."
        ) from exc


def open_repository_at(repo_path: Path) -> pygit2.Repository:
    """Open the repository containing ``repo_path`` (a work tree or git dir path)."""
    git_dir = discover_git_dir(Path(repo_path))
    if git_dir is None:
        raise FuruGitError(
            f"{repo_path} is not inside a git repository, so it holds no furu snapshots. "
            "Pass the project's work tree (the artifact's git.repo_root) as repo_path."
        )
    return open_repository(git_dir)


def common_dir(repo: pygit2.Repository) -> Path:
    """The directory holding refs, objects and config (shared by linked worktrees)."""
    return common_dir_of(repo.path)


def common_dir_of(git_dir_path: str) -> Path:
    """Like :func:`common_dir`, from a git dir path (no need to open the repository)."""
    git_dir = Path(git_dir_path)
    pointer = git_dir / "commondir"
    if pointer.is_file():
        return (git_dir / pointer.read_text().strip()).resolve()
    return git_dir


@dataclass(frozen=True)
class HeadState:
    """What HEAD points at; ``commit`` is None in a repository with no commits yet."""

    commit: pygit2.Oid | None
    branch: str | None
    detached: bool
    ref_name: str | None  # e.g. refs/heads/main, for stat-based cache checks


def read_head(repo: pygit2.Repository) -> HeadState:
    """Resolve HEAD without touching it (unborn and detached HEADs included)."""
    try:
        head_ref = repo.references["HEAD"]
        if head_ref.type == pygit2.enums.ReferenceType.SYMBOLIC:
            ref_name = str(head_ref.target)
            branch = ref_name.removeprefix("refs/heads/")
            if repo.head_is_unborn:
                return HeadState(commit=None, branch=branch, detached=False, ref_name=ref_name)
            return HeadState(
                commit=repo.head.peel(pygit2.Commit).id,
                branch=branch,
                detached=False,
                ref_name=ref_name,
            )
        return HeadState(
            commit=repo.head.peel(pygit2.Commit).id, branch=None, detached=True, ref_name=None
        )
    except (pygit2.GitError, KeyError) as exc:
        raise FuruGitError(
            f"HEAD of the git repository at {repo.path} cannot be read: {exc}. "
            "Check `git status` there; to skip provenance, unset FURU_REQUIRE_GIT and run "
            "outside the repository."
        ) from exc


def remote_url(repo: pygit2.Repository) -> str | None:
    """URL of 'origin' (else the first remote), with any password stripped.

    The URL ends up in metadata.json, which people share; a token embedded
    in an https URL must not travel with it.
    """
    try:
        names = [name for name in repo.remotes.names() if name]
    except pygit2.GitError:
        return None
    if not names:
        return None
    name = "origin" if "origin" in names else names[0]
    url = repo.remotes[name].url
    return _redact(url) if url else None


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=host))
    return url


def find_snapshot(repo: pygit2.Repository, snapshot_id: str) -> pygit2.Commit | None:
    """The snapshot commit if this repository has it (by ref or by object), else None."""
    check_snapshot_id(snapshot_id)
    try:
        obj = repo.get(snapshot_id)
    except (ValueError, pygit2.GitError):
        return None
    if obj is None or obj.type != pygit2.enums.ObjectType.COMMIT:
        return None
    return obj.peel(pygit2.Commit)


def require_snapshot(repo: pygit2.Repository, snapshot_id: str) -> pygit2.Commit:
    """Like :func:`find_snapshot`, but explain how to get a missing snapshot."""
    commit = find_snapshot(repo, snapshot_id)
    if commit is None:
        raise FuruGitError(
            f"Snapshot {snapshot_id} is not in the git repository at {repo.workdir or repo.path}; "
            "it was probably created in another clone. Fetch it with "
            "`git fetch origin 'refs/furu/*:refs/furu/*'` (after pushing it from that clone with "
            "`git push origin 'refs/furu/*'`), or import the furu export bundle that contains it."
        )
    return commit


def ensure_snapshot_ref(repo: pygit2.Repository, commit_id: pygit2.Oid) -> str:
    """Point ``refs/furu/snapshots/<id>`` at the commit, tolerating concurrent writers.

    Many processes (a SLURM array, joblib workers) capture the same tree at
    once; they all write the same ref with the same target, so losing the
    lock race to another writer is success, not an error.
    """
    name = snapshot_ref_name(str(commit_id))
    loose = common_dir(repo) / name
    if loose.is_file():
        return name
    last_error: Exception | None = None
    for _ in range(20):
        try:
            repo.references.create(name, commit_id, force=True)
            return name
        except (pygit2.GitError, OSError) as exc:  # libgit2's "failed to create locked file" is an OSError
            last_error = exc
            existing = repo.references.get(name)
            if existing is not None and existing.target == commit_id and loose.is_file():
                return name
            time.sleep(0.01)
    raise FuruGitError(
        f"Could not write the snapshot ref {name} in {repo.path}: {last_error}. "
        "Check that the repository is writable and that no stale "
        f"{name}.lock file is left over from a killed process."
    )
