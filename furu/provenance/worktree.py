"""Time travel: check a snapshot out as a linked git worktree.

A linked worktree (``git worktree add --detach``) shares the user's object
database, so checking out a snapshot copies no history and leaves the
user's HEAD, index and files alone: the new worktree has its own HEAD and
index under ``.git/worktrees/<name>``. libgit2 cannot create a *detached*
worktree, so this uses the git CLI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from furu.errors import FuruGitError
from furu.provenance.git_command import GitLocation, check_snapshot_id, locate_repository, run_git, worktree_head
from furu.provenance.model import snapshot_ref_name

if TYPE_CHECKING:  # pygit2 is imported only where a snapshot needs finding, repairing or explaining
    import pygit2


def has_snapshot(snapshot_id: str, *, repo_path: Path) -> bool:
    """Whether the repository containing ``repo_path`` holds the snapshot commit."""
    from furu.provenance.repository import find_snapshot, open_repository_at

    repo = open_repository_at(Path(repo_path))
    return find_snapshot(repo, snapshot_id) is not None


def materialize_snapshot(
    snapshot_id: str, dest: Path, *, repo_path: Path, force: bool = False
) -> Path:
    """Check the snapshot out at ``dest`` as a worktree detached at the snapshot commit.

    ``repo_path`` is any path inside the repository the snapshot was taken in
    (or a clone that fetched ``refs/furu/*``). An existing non-empty ``dest``
    is replaced only with ``force=True``; a worktree registered there is
    removed with ``git worktree remove``, anything else is deleted and its
    stale registration pruned. Returns the absolute path of the worktree.

    The usual case (the snapshot's ref ``refs/furu/snapshots/<id>`` is there and
    ``dest`` is free) runs git alone; libgit2 is loaded to find an unreferenced
    snapshot and restore its ref, to explain a missing one, and for ``force``.
    """
    check_snapshot_id(snapshot_id)
    dest = Path(os.path.abspath(dest))
    occupied = os.path.lexists(dest) and not _is_empty_dir(dest)
    location = None if occupied else locate_repository(Path(repo_path))
    if location is not None and _has_snapshot_ref(location, snapshot_id):
        cwd = location.cwd
    else:
        cwd = _prepare_with_libgit2(snapshot_id, dest, Path(repo_path), occupied=occupied, force=force)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # -c core.hooksPath: a user's post-checkout hook has no business in a
    # read-only look at old code. -c checkout.workers=0: write the files with one
    # worker per core (git >= 2.32; older gits ignore the key), which hides the
    # latency of a slow or network disk; the files are the same. --force only
    # overrides a stale registration of this (empty or absent) path.
    result = run_git(
        ["-c", f"core.hooksPath={os.devnull}", "-c", "checkout.workers=0", "worktree", "add", "--detach", "--force",
         str(dest), snapshot_id],
        cwd=cwd,
    )  # fmt: skip
    if result.returncode != 0:
        raise FuruGitError(
            f"`git worktree add` failed to materialise snapshot {snapshot_id} at {dest}: "
            f"{result.stderr.strip()}"
        )
    checked_out = worktree_head(dest)
    if checked_out is None:  # not the plain layout git writes today: ask libgit2
        import pygit2

        checked_out = str(pygit2.Repository(str(dest)).head.target)
    if checked_out != snapshot_id:
        raise FuruGitError(
            f"The worktree at {dest} is at {checked_out}, not at snapshot {snapshot_id}; "
            "remove it with `git worktree remove --force` and try again."
        )
    return dest


def _has_snapshot_ref(location: GitLocation, snapshot_id: str) -> bool:
    """Whether the snapshot's loose ref exists: then git has the commit and nothing needs repairing."""
    return (location.common_dir / snapshot_ref_name(snapshot_id)).is_file()


def _prepare_with_libgit2(snapshot_id: str, dest: Path, repo_path: Path, *, occupied: bool, force: bool) -> Path:
    """Find the snapshot (explaining a missing one), restore its ref, clear ``dest`` for ``force``; git's cwd."""
    from furu.provenance.repository import ensure_snapshot_ref, open_repository_at, require_snapshot

    repo = open_repository_at(repo_path)
    commit = require_snapshot(repo, snapshot_id)
    ensure_snapshot_ref(repo, commit.id)  # a worktree of an unreferenced commit is fragile
    cwd = Path(repo.workdir or repo.path)
    if occupied:
        if not force:
            raise FuruGitError(
                f"Cannot materialise snapshot {snapshot_id} at {dest}: the path exists and is "
                "not empty. Choose another destination, or pass force=True to replace it."
            )
        _remove_destination(repo, dest, cwd)
    return cwd


def _is_empty_dir(path: Path) -> bool:
    if path.is_symlink() or not path.is_dir():
        return False
    with os.scandir(path) as it:
        return next(it, None) is None


def _remove_destination(repo: pygit2.Repository, dest: Path, cwd: Path) -> None:
    """Remove ``dest`` for ``force=True``; never the repository or a branch's worktree.

    A registered worktree is replaced only when detached (as furu's are); a
    worktree with a branch checked out may hold someone's work in progress.
    """
    from furu.provenance.repository import common_dir

    real = Path(os.path.realpath(dest))
    worktrees = _registered_worktrees(cwd)
    git_dirs = {Path(os.path.realpath(p)) for p in (repo.path, common_dir(repo))}
    own = {Path(os.path.realpath(p)) for p in (repo.workdir, next(iter(worktrees), None)) if p}
    for keep in git_dirs | own | set(worktrees):
        inside_git_dir = keep in git_dirs and real.is_relative_to(keep)
        holds_checkout = keep.is_relative_to(real) and (keep != real or keep in git_dirs | own)
        if inside_git_dir or holds_checkout:
            raise FuruGitError(
                f"Refusing to replace {dest}: it is, contains or lies inside the git repository "
                f"or checkout at {keep}. Materialise snapshots into a separate directory."
            )
    branch = worktrees.get(real)
    if branch:
        raise FuruGitError(
            f"Refusing to replace {dest}: it is a worktree with {branch} checked out. "
            f"Remove it yourself with `git worktree remove {dest}` if it is no longer needed."
        )
    if real in worktrees:
        result = run_git(["worktree", "remove", "--force", "--force", str(real)], cwd=cwd)
        if result.returncode == 0 and not os.path.lexists(dest):
            return
    if dest.is_dir() and not dest.is_symlink():
        shutil.rmtree(dest)
    else:
        dest.unlink()
    run_git(["worktree", "prune"], cwd=cwd)  # drop the registration of what we deleted


def _registered_worktrees(cwd: Path) -> dict[Path, str | None]:
    """Registered worktrees (the main one first) and the branch each has checked out."""
    result = run_git(["worktree", "list", "--porcelain", "-z"], cwd=cwd)
    worktrees: dict[Path, str | None] = {}
    current: Path | None = None
    for field in result.stdout.split("\0"):
        if field.startswith("worktree "):
            current = Path(os.path.realpath(field.removeprefix("worktree ")))
            worktrees[current] = None
        elif field.startswith("branch ") and current is not None:
            worktrees[current] = field.removeprefix("branch ")
    return worktrees
