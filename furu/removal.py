"""Deleting one artifact directory: never one being created, never a result that appeared since it was judged.

Under the artifact's lock the reason for deleting it is checked again on disk
(a gc plan can be minutes old), then the directory is renamed to a hidden
tombstone in the same class directory, so no reader ever sees half of it, and
the tombstone is deleted. Neither step needs a free byte: a rename and
unlinks only, so ``furu rm`` and ``furu gc --yes`` work on a full disk.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from typing import Any

from pydantic import BaseModel

from furu.atomic import read_model
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.errors import FuruError
from furu.locking import idle_artifact
from furu.layout import ArtifactPaths
from furu.migration import links_into
from furu.state import SuccessMarker

NOT_SUCCESS_REASONS = frozenset({"failed", "crashed", "incomplete", "corrupt"})
"""Reasons that say "there is no result here": any success marker on disk refutes them."""


class FuruRemovalKept(FuruError):
    """The artifact changed since it was judged removable, so it was kept."""


class Removal(BaseModel):
    """One removed artifact; ``leftover`` says what could not be deleted after it was renamed away."""

    record: ArtifactRecord
    leftover: str | None = None


def remove(entry: Entry, catalog: Catalog, *, force: bool = False) -> Removal:
    """``furu rm``: delete one artifact the user named, and forget it in the catalog.

    A tagged or version-controlled artifact is kept unless ``force``: a tag
    says someone wants it, and a version-controlled one is meant to be committed.
    """
    record = catalog.records([entry], details=False, sizes=True)[0]
    if not force and (record.tags or record.version_controlled):
        why = f"tagged {', '.join(record.tags)}" if record.tags else "version-controlled (meant to be committed)"
        raise FuruRemovalKept(f"{record.label} is {why}; add --force to remove it anyway.")
    removal = remove_artifact(record)
    catalog.forget(entry)
    catalog.save()
    return removal


def success_attempt(artifact_dir: str) -> str | None:
    """The attempt id in the artifact's success marker (None when absent or unreadable)."""
    try:
        return read_model(ArtifactPaths(artifact_dir).success, SuccessMarker).attempt_id
    except (OSError, FuruError):
        return None


def remove_artifact(
    record: ArtifactRecord, *, expect_reason: str | None = None, planned_success: str | None = None
) -> Removal:
    """Delete ``record``'s directory (see the module docstring).

    With ``expect_reason`` (from a gc plan) the reason is checked again under
    the lock: for failed, crashed, incomplete and corrupt there must be no
    success marker at all, readable or not (``load_or_create`` would load
    it); for stale and unused the success marker must still be the one the
    plan saw (``planned_success``). Otherwise :class:`FuruRemovalKept`.
    """
    paths = ArtifactPaths(record.dir)
    if not os.path.lexists(paths.root_str):
        return Removal(record=record)
    tombstone = f"{os.path.dirname(paths.root_str)}/.{os.path.basename(paths.root_str)}.furu-deleting-{secrets.token_hex(4)}"
    if paths.internal.is_dir() and not paths.internal.is_symlink():
        with idle_artifact(paths, label=record.label):  # FuruArtifactBusy when a live process is creating it
            _recheck(record, paths, expect_reason, planned_success)
            _check_not_aliased(record)
            _rename(record, paths.root_str, tombstone)
    else:  # no .furu/ directory: no lock to take, and no success marker can be there
        if expect_reason is not None and expect_reason not in NOT_SUCCESS_REASONS:
            raise FuruRemovalKept(f"{record.label} has no .furu/ directory any more; kept (`furu rm` removes it).")
        _rename(record, paths.root_str, tombstone)
    return Removal(record=record, leftover=_delete_tree(tombstone))


def _recheck(record: ArtifactRecord, paths: ArtifactPaths, reason: str | None, planned_success: str | None) -> None:
    if reason is None:
        return  # `furu rm`: the user named it
    if reason in NOT_SUCCESS_REASONS:
        if os.path.lexists(paths.success_str):
            raise FuruRemovalKept(
                f"{record.label} has a success marker now, so load_or_create would load it; kept "
                f"(it was {reason} when gc looked)."
            )
        return
    current = success_attempt(record.dir)
    if current is None or current != planned_success:
        raise FuruRemovalKept(f"{record.label} changed since gc looked at it (its success marker is not the same); kept.")


def _check_not_aliased(record: ArtifactRecord) -> None:
    """A migrated artifact whose files are links into this one still loads through them: never break it."""
    aliases = links_into(record.dir)
    if aliases:
        shown = ", ".join(os.path.basename(path)[:8] for path in aliases)
        raise FuruRemovalKept(
            f"{record.label} holds the files of {len(aliases)} migrated artifact(s) ({shown}, migrated with "
            "--policy alias), which load through links into it; kept. Remove those first, or migrate again "
            "with --policy copy or move."
        )


def _rename(record: ArtifactRecord, source: str, target: str) -> None:
    try:
        os.rename(source, target)
    except OSError as error:
        raise FuruError(
            f"Cannot remove {record.label}: renaming {source} away failed ({error.strerror}). "
            f"Check that {os.path.dirname(source)} is writable by you and not on a read-only mount."
        ) from None


def _delete_tree(path: str) -> str | None:
    """Delete a tombstone; return what could not be deleted (a dot name: no listing shows it)."""
    if os.path.islink(path):  # the artifact directory was a link: furu deletes nothing outside its data root
        target = os.readlink(path)
        os.unlink(path)
        return f"it was a symbolic link: the link is removed, and its target {target} is left alone"
    failures: list[str] = []

    def note(_function: Any, failed_path: str, error: BaseException) -> None:
        failures.append(f"{failed_path}: {getattr(error, 'strerror', None) or error}")

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=note)
    else:
        shutil.rmtree(path, onerror=lambda function, failed_path, info: note(function, failed_path, info[1]))
    if not failures:
        return None
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"renamed to {path}, but could not delete {failures[0]}{more}; delete it by hand"
