"""The git provenance record stored in every artifact's ``metadata.json``.

This is the on-disk format (under the ``"git"`` key), so it carries a
``schema_version`` and is defined once, here, for both writer and reader.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SNAPSHOT_REF_PREFIX = "refs/furu/snapshots/"
"""Snapshots live under this namespace so ``git push origin 'refs/furu/*'`` shares them."""

DEFAULT_MAX_FILE_BYTES = 10 * 2**20
"""Untracked files larger than this are left out of a snapshot (10 MiB)."""

SkipReason = Literal["too_large", "nested_repository", "not_a_file", "unreadable"]


class SkippedFile(BaseModel):
    """A path whose content is *not* in the snapshot, so a time-travel checkout lacks it.

    Recorded so nobody mistakes the snapshot for the complete working tree.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)  # built on first use, as furu.schema.Record explains

    path: str = Field(description="Path relative to the work tree root, '/'-separated.")
    size_bytes: int = Field(description="Size on disk when the snapshot was taken.")
    reason: SkipReason = Field(
        default="too_large",
        description=(
            "too_large: an untracked file over the size limit (FURU_SNAPSHOT_MAX_FILE_BYTES); "
            "nested_repository: an untracked directory holding its own git repository; "
            "not_a_file: a socket, FIFO or device (git cannot store them); "
            "unreadable: permission denied."
        ),
    )


class SubmoduleRecord(BaseModel):
    """A submodule is recorded by the commit checked out in it, never by its files."""

    model_config = ConfigDict(extra="ignore", defer_build=True)  # built on first use, as furu.schema.Record explains

    path: str = Field(description="Path of the submodule relative to the work tree root.")
    commit: str | None = Field(
        description="Commit checked out in the submodule (the gitlink in the snapshot tree); "
        "None when the superproject records no commit for it."
    )


class GitProvenance(BaseModel):
    """Where the code that produced an artifact came from, exactly.

    ``snapshot_id`` names a commit in the user's own repository whose tree is
    the whole working tree (committed, staged, unstaged and untracked
    non-ignored files) at capture time; ``materialize_snapshot`` checks it out.
    """

    model_config = ConfigDict(extra="ignore", defer_build=True)  # built on first use, as furu.schema.Record explains

    schema_version: int = 1
    in_repository: bool
    note: str | None = Field(
        default=None,
        description="Why something is missing, e.g. 'not inside a git repository'.",
    )
    repo_root: str | None = Field(
        default=None,
        description="Path of the work tree that was snapshotted: the one holding the created "
        "class's source file (a linked worktree included), else the working directory's.",
    )
    head_commit: str | None = Field(
        default=None, description="HEAD commit; None in a repository with no commits yet."
    )
    branch: str | None = Field(
        default=None, description="Branch checked out in that work tree; None when detached."
    )
    detached: bool = False
    remote_url: str | None = Field(
        default=None,
        description="URL of the 'origin' remote (else the first remote), credentials removed.",
    )
    dirty: bool = Field(
        default=False,
        description="True when the working tree differs from HEAD (staged, unstaged or "
        "untracked changes, or files left out of the snapshot).",
    )
    snapshot_id: str | None = Field(default=None, description="Commit id of the snapshot commit.")
    snapshot_ref: str | None = Field(
        default=None, description="Ref keeping the snapshot alive: refs/furu/snapshots/<id>."
    )
    snapshot_tree: str | None = Field(
        default=None, description="Tree id of the snapshot (equal to HEAD's tree when clean)."
    )
    skipped_untracked: list[SkippedFile] = Field(default_factory=list)
    submodules: list[SubmoduleRecord] = Field(default_factory=list)
    excluded_paths: list[str] = Field(
        default_factory=list,
        description="Work-tree-relative directories whose uncommitted changes were left out "
        "on purpose (e.g. furu's own artifact directories); their committed state is kept.",
    )
    linked_worktree: bool = Field(
        default=False,
        description="True when repo_root is a linked worktree (`git worktree add`, or one "
        "made by `furu timetravel`) rather than the repository's main work tree.",
    )
    main_worktree: str | None = Field(
        default=None,
        description="For a linked worktree, the repository's main work tree (where the shared "
        "cache lives); None otherwise, or when the repository is bare.",
    )


def snapshot_ref_name(snapshot_id: str) -> str:
    """The ref that keeps ``snapshot_id`` reachable (so ``git gc`` never drops it)."""
    return f"{SNAPSHOT_REF_PREFIX}{snapshot_id}"
