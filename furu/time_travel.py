"""Time travel: bring back the exact source tree an artifact was created from.

The artifact's metadata names a snapshot commit (the working tree at
creation, uncommitted edits included). Time travel checks it out as a linked
git worktree of the project's repository, by default under
``<FURU_PATH>/timetravel/<hash>/`` (git-ignored), and reports how to rerun:
the command line, the working directory and how to rebuild the environment.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from furu import settings
from furu.atomic import read_model
from furu.environment import PackageEnvironment
from furu.errors import FuruGitError, FuruNotFound
from furu.layout import ArtifactPaths
from furu.metadata import Metadata, recorded_provenance
from furu.provenance.model import GitProvenance

if TYPE_CHECKING:
    from furu.core import Furu
    from furu.report import ArtifactReport

TIMETRAVEL_DIR = "timetravel"

_ENVIRONMENT_COMMANDS = {
    "uv.lock": "uv sync --frozen",
    "poetry.lock": "poetry install --sync",
    "pdm.lock": "pdm sync",
    "pixi.lock": "pixi install --frozen",
    "requirements.lock": "pip install -r requirements.lock",
    "requirements.txt": "pip install -r requirements.txt",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrival:
    """Where time travel went and how to rerun the artifact there (a dataclass, like every result)."""

    fqn: str
    hash: str
    path: Path
    commit: str | None
    branch: str | None
    snapshot_id: str
    dirty: bool
    argv: list[str]
    cwd: str
    cwd_in_worktree: Path | None
    environment_command: str | None

    @property
    def command_line(self) -> str:
        return shlex.join(self.argv)


def timetravel(target: Furu[Any] | str, path: Path | str | None = None, *, force: bool = False) -> Path:
    """Materialise the code of ``target`` (an object, a hash or unique prefix, or a path); return where."""
    return travel(target, Path(path) if path is not None else None, force=force).path


def travel(
    target: Furu[Any] | str, path: Path | None = None, *, force: bool = False, force_hint: str = "pass force=True"
) -> Arrival:
    """Like :func:`timetravel`, returning everything the CLI prints.

    ``force_hint`` is how the caller's user asks to replace an existing
    directory (the CLI passes "add --force"), named in the error.
    """
    metadata = _metadata_of(target)
    git = recorded_provenance(metadata)
    assert git.snapshot_id is not None
    current = settings.current()
    destination = path if path is not None else current.data_root / TIMETRAVEL_DIR / metadata.hash
    if not force and _occupied(destination):
        raise FuruGitError(
            f"Cannot restore the code of {metadata.fqn} {metadata.hash[:8]} to {destination.absolute()}: the path "
            f"exists and is not empty. Choose another destination, or {force_hint} to replace it."
        )
    repository = _repository_for(git, current)
    from furu.provenance import materialize_snapshot  # pygit2: imported when travelling only

    materialize_snapshot(git.snapshot_id, destination, repo_path=repository, force=force)
    return Arrival(
        fqn=metadata.fqn,
        hash=metadata.hash,
        path=destination,
        commit=git.head_commit,
        branch=git.branch,
        snapshot_id=git.snapshot_id,
        dirty=git.dirty,
        argv=metadata.host.argv,
        cwd=metadata.host.cwd,
        cwd_in_worktree=_mapped_cwd(metadata.host.cwd, git.repo_root, destination),
        environment_command=environment_command(metadata.environment),
    )


def uncommitted_patch(target: Furu[Any] | str) -> str:
    """The uncommitted changes ``target`` was made with: a diff from its commit to its snapshot."""
    metadata = _metadata_of(target)
    git = recorded_provenance(metadata)
    assert git.snapshot_id is not None
    from furu.provenance.patch import snapshot_patch

    return snapshot_patch(git.snapshot_id, repo_path=_repository_for(git, settings.current()))


def report_patch(report: ArtifactReport) -> str | None:
    """The uncommitted changes the artifact of ``report`` was made with, as a diff; None for a clean tree or no git.

    What a detail view shows under provenance. When the snapshot cannot be read
    (a clone without ``refs/furu/*``), the report's ``problems`` says why and
    None comes back: the rest of the detail is still worth showing.
    """
    from furu.errors import FuruError

    git = report.metadata.git if report.metadata is not None else None
    if git is None or not git.dirty or not git.snapshot_id:
        return None
    try:
        return uncommitted_patch(report.record.dir)
    except FuruError as error:
        report.problems.append(f"the uncommitted changes cannot be shown: {error}")
        return None


def environment_command(environment: PackageEnvironment) -> str | None:
    """The command that rebuilds the recorded environment from its lock file, if one was recorded."""
    for lock_file in environment.lock_files:
        command = _ENVIRONMENT_COMMANDS.get(lock_file.path)
        if command is not None:
            return command
    return None


def _metadata_of(target: Furu[Any] | str) -> Metadata:
    if isinstance(target, str):
        from furu.refs import resolve_ref

        record = resolve_ref(target)
        return _read_metadata(record.paths, record.label)
    return _read_metadata(target._paths(), f"{target.furu_fqn()} {target.furu_hash[:8]}")


def _read_metadata(paths: ArtifactPaths, label: str) -> Metadata:
    try:
        return read_model(paths.metadata, Metadata)
    except FileNotFoundError:
        raise FuruNotFound(
            f"{label} has no metadata.json: it was never created successfully, so there is no "
            "code to travel to. Create it with load_or_create() (or `furu run`) first."
        ) from None


def _repository_for(git: GitProvenance, current: settings.Settings) -> Path:
    """The repository to materialise from: this project's, else the one recorded at capture."""
    from furu.provenance.git_command import locate_repository  # git rev-parse: no pygit2 to import

    for candidate in (current.project_root, Path(git.repo_root) if git.repo_root else None):
        if candidate is not None and locate_repository(candidate) is not None:
            return candidate
    raise FuruGitError(
        f"No git repository found to restore snapshot {git.snapshot_id} into: run "
        "`furu timetravel` inside a clone of the project's repository."
    )


def _occupied(path: Path) -> bool:
    """Whether ``path`` exists as anything but an empty directory (a file, a link, a non-empty directory)."""
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_dir():
        return True
    with os.scandir(path) as entries:
        return next(entries, None) is not None


def _mapped_cwd(cwd: str, repo_root: str | None, destination: Path) -> Path | None:
    if repo_root is None:
        return None
    relative = os.path.relpath(cwd, repo_root)
    return None if relative.startswith("..") else destination / relative
