"""One migration step: carry a stored result to a config's new identity, under both locks, crash-safe.

Policies: ``alias`` links each of the old artifact's result files into the new
directory (nothing is copied; the old artifact stays, and is kept by ``gc`` and
``furu rm`` while a link points at it); ``copy`` duplicates them; ``move``
renames them, leaving the old artifact without a result.

The steps, in order, each leaving a state the next run finishes from:

1. both locks are taken (in path order, so two migrations never deadlock);
2. the target may not hold a result (unless ``overwrite``, which sets it aside
   in ``.furu/leftovers/``); one that this same migration made is finished instead;
3. the payload: links (``alias``, and ``move`` at first) or copies made under a
   temporary name and renamed into place;
4. the target's records, the success marker last: this is the commit point.
   Before it the target holds no result and the source is untouched;
5. the source's ``metadata.json`` gets a ``migrated_to`` record;
6. ``move`` only: the source's success marker goes, then each entry is renamed
   over its link, so the target is whole at every instant (each entry is its
   link or itself); a crash leaves links that the next run renames.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any, Literal

from furu.atomic import read_model, write_model
from furu.configs import Config
from furu.dependencies import declared_dependencies
from furu.dependency_ref import DependencyRef
from furu.errors import FuruError
from furu.layout import INTERNAL_DIR, ArtifactPaths, shown_path
from furu.leftovers import set_aside_leftovers
from furu.locking import idle_artifact
from furu.metadata import ConfigRecord, Metadata, MigrationPolicy, MigrationRecord, dependency_ref
from furu.namespace import class_fqn
from furu.serialization import to_python
from furu.settings import Settings
from furu.state import (
    ArtifactState,
    Attempt,
    SuccessMarker,
    hostname,
    read_state,
    record_event,
    username,
    utcnow,
    write_state,
)

POLICIES: tuple[MigrationPolicy, ...] = ("alias", "move", "copy")
CarryOutcome = Literal["migrated", "finished", "already"]
_TEMP_SUFFIX = ".furu-tmp-migrate"


class FuruMigrationConflict(FuruError):
    """The target already holds a result that did not come from this migration."""


def carry(
    source_dir: str,
    target: Config[Any],
    *,
    policy: MigrationPolicy,
    changes: Sequence[str],
    by: str,
    settings: Settings,
    cascaded_from: str | None = None,
    overwrite: bool = False,
    renamed_dependencies: dict[str, DependencyRef] | None = None,
) -> CarryOutcome:
    """Carry the result in ``source_dir`` to ``target``'s directory (see the module docstring).

    Returns what it did: ``migrated``; ``finished`` an interrupted run of this step; or found it ``already`` done.
    """
    source = ArtifactPaths(source_dir)
    paths = target._paths(settings)
    label = f"{class_fqn(type(target))} {target.furu_hash[:8]}"
    if policy == "alias" and _under_artifacts_root(source, settings) != _under_artifacts_root(paths, settings):
        raise FuruError(
            f"Cannot alias {shown_path(source_dir)} as {label}: one is version-controlled and the other is not, "
            "and a link between them would break in a clone of the repository. Use --policy copy (or move)."
        )
    paths.internal.mkdir(parents=True, exist_ok=True)
    with _both_locked(source, paths, settings):
        done = migrated_from(paths) if paths.has_success() else None
        if done is not None and done.dir == source.root_str:  # this same migration, run before
            metadata = read_model(source.metadata, Metadata)
            finished = _record_at_source(source, metadata, paths, target)
            finished = _finish_move(source, metadata, paths, done.policy) or finished
            return "finished" if finished else "already"
        metadata = _source_metadata(source, policy)
        if paths.has_success():
            if not overwrite:
                raise FuruMigrationConflict(
                    f"{label} already holds a result ({shown_path(paths.root_str)}), not one migrated from "
                    f"{metadata.fqn} {metadata.hash[:8]}. Add --overwrite to set it aside (into its "
                    ".furu/leftovers/) and migrate over it."
                )
            paths.success.unlink()
        state = read_state(paths, class_fqn(type(target)), target.furu_hash)
        attempt = _migration_attempt(state, policy, metadata)
        set_aside_leftovers(paths, state, attempt)  # e.g. what an interrupted run of this step placed
        write_state(paths, state)
        _place_payload(source, paths, policy)
        record = MigrationRecord(
            fqn=metadata.fqn, hash=metadata.hash, dir=source.root_str, policy=policy, changes=list(changes),
            cascaded_from=cascaded_from, by=by, at=utcnow(), host=hostname(), user=username(),
        )
        _write_target(target, paths, metadata, state, attempt, record, renamed_dependencies or {})
        _record_at_source(source, metadata, paths, target, record)
        owner = files_owner(metadata)
        if policy == "alias" and owner is not None:  # an alias of an alias links to the files' owner, who keeps them
            _record_at_source(owner, read_model(owner.metadata, Metadata), paths, target, record)
        _finish_move(source, metadata, paths, policy)
    return "migrated"


def links_into(source_dir: str) -> list[str]:
    """The artifact directories whose result files are links into ``source_dir`` (its aliases).

    Read from the source's ``migrated_to`` records, then checked on disk: only a
    target that still exists and still links here counts.
    """
    try:
        metadata = read_model(ArtifactPaths(source_dir).metadata, Metadata)
    except (OSError, FuruError):
        return []
    real = os.path.realpath(source_dir)
    found = []
    for record in metadata.migrated_to:
        if record.policy == "copy" or not os.path.isdir(record.dir):
            continue
        if any(_points_into(os.path.join(record.dir, name), real) for name in _payload_names(record.dir)):
            found.append(record.dir)
    return found


# -- the steps -----------------------------------------------------------------------


@contextmanager
def _both_locked(source: ArtifactPaths, target: ArtifactPaths, settings: Settings) -> Iterator[None]:
    with ExitStack() as stack:
        for paths in sorted((source, target), key=lambda p: p.root_str):
            stack.enter_context(idle_artifact(paths, settings))
        yield


def _source_metadata(source: ArtifactPaths, policy: MigrationPolicy) -> Metadata:
    label = shown_path(source.root_str)
    if not source.has_success():
        raise FuruError(f"{label} holds no result (no success marker), so there is nothing to migrate.")
    try:
        metadata = read_model(source.metadata, Metadata)
    except (OSError, FuruError) as error:
        raise FuruError(
            f"Cannot migrate {label}: its metadata.json cannot be read ({error}); without it furu cannot say "
            "what the result is. `furu show` on it says more."
        ) from None
    if policy == "move" and files_owner(metadata) is not None:
        raise FuruError(
            f"Cannot move {metadata.fqn} {metadata.hash[:8]}: its files are links into the artifact it was "
            "aliased from, so there is nothing of its own to move. Use --policy alias or copy."
        )
    return metadata


def files_owner(metadata: Metadata) -> ArtifactPaths | None:
    """For an alias: the artifact that holds its files (an alias of an alias leads back to the first)."""
    origin = metadata.migrated_from
    seen: set[str] = set()
    owner: ArtifactPaths | None = None
    while origin is not None and origin.policy == "alias" and origin.dir not in seen and os.path.isdir(origin.dir):
        seen.add(origin.dir)
        owner = ArtifactPaths(origin.dir)
        try:
            origin = read_model(owner.metadata, Metadata).migrated_from
        except (OSError, FuruError):
            break
    return owner


def _migration_attempt(state: ArtifactState, policy: MigrationPolicy, metadata: Metadata) -> Attempt:
    """A new attempt that carries the result over; earlier unfinished ones died (we hold the lock)."""
    now = utcnow()
    for earlier in state.attempts:
        if earlier.status in ("queued", "running"):
            earlier.status, earlier.ended_at = "crashed", earlier.ended_at or now
            earlier.reason = earlier.reason or "its process stopped without recording an outcome"
    attempt = Attempt(
        id=secrets.token_hex(8), number=len(state.attempts) + 1, status="running", backend="migration",
        host=hostname(), pid=os.getpid(), user=username(), started_at=now,
        reason=f"migrated from {metadata.fqn} {metadata.hash[:8]} ({policy})",
    )
    state.attempts.append(attempt)
    return attempt


def _place_payload(source: ArtifactPaths, target: ArtifactPaths, policy: MigrationPolicy) -> None:
    for name in _payload_names(source.root_str):
        origin = os.path.join(source.root_str, name)
        placed = os.path.join(target.root_str, name)
        if policy == "copy":
            temporary = placed + _TEMP_SUFFIX
            if os.path.lexists(temporary):
                _remove(temporary)
            if os.path.isdir(origin) and not os.path.islink(origin):
                shutil.copytree(origin, temporary, symlinks=True)
            else:
                shutil.copy2(origin, temporary, follow_symlinks=False)
            os.rename(temporary, placed)
        elif policy == "alias":  # to the files themselves: an alias of an alias does not need the one between
            _link(os.path.realpath(origin), placed)
        else:
            _link(origin, placed)  # replaced by the entry itself once the target is committed


def _write_target(
    target: Config[Any],
    paths: ArtifactPaths,
    source: Metadata,
    state: ArtifactState,
    attempt: Attempt,
    record: MigrationRecord,
    renamed: dict[str, DependencyRef],
) -> None:
    cls = type(target)
    config = target.to_dict()
    python = to_python(target)  # type: ignore[arg-type]  # every config is a pydantic model
    declared = [dependency_ref(d) for d in declared_dependencies(target)]
    write_model(paths.config, ConfigRecord(
        fqn=class_fqn(cls), hash=target.furu_hash, version=cls.furu_version, config=config, python=python,
        declared_dependencies=declared,
    ), fsync=False)
    metadata = source.model_copy(update={
        "fqn": class_fqn(cls), "hash": target.furu_hash, "version": cls.furu_version,
        "version_controlled": cls.furu_version_controlled, "config": config, "python": python,
        "attempt_id": attempt.id, "declared_dependencies": declared,
        "loaded_dependencies": [renamed.get(ref.hash, ref) for ref in source.loaded_dependencies],
        "migrated_from": record, "migrated_to": [],
    })
    write_model(paths.metadata, metadata)
    attempt.status, attempt.ended_at = "success", utcnow()
    state.result = "success"
    write_state(paths, state)
    write_model(paths.success, SuccessMarker(fqn=metadata.fqn, hash=metadata.hash, attempt_id=attempt.id, created_at=utcnow()))
    record_event(paths, "migrated_from", attempt.id, fqn=source.fqn, hash=source.hash, policy=record.policy)


def _record_at_source(
    source: ArtifactPaths,
    metadata: Metadata,
    target_paths: ArtifactPaths,
    target: Config[Any],
    record: MigrationRecord | None = None,
) -> bool:
    """Append the target to the source's ``migrated_to`` unless it is there; whether it was written.

    ``record`` is the target's ``migrated_from``; a run finishing an interrupted
    migration reads it back from the target.
    """
    if any(earlier.dir == target_paths.root_str for earlier in metadata.migrated_to):
        return False
    record = record or migrated_from(target_paths)
    assert record is not None
    back = record.model_copy(update={"fqn": class_fqn(type(target)), "hash": target.furu_hash, "dir": target_paths.root_str})
    write_model(source.metadata, metadata.model_copy(update={"migrated_to": [*metadata.migrated_to, back]}))
    record_event(source, "migrated_to", fqn=back.fqn, hash=back.hash, policy=back.policy)
    return True


def _finish_move(source: ArtifactPaths, metadata: Metadata, target: ArtifactPaths, policy: MigrationPolicy) -> bool:
    """``move``: the source stops being a result, then each link becomes the entry itself; whether anything was left."""
    if policy != "move":
        return False
    did = False
    if source.success.exists():
        source.success.unlink()
        state = read_state(source, metadata.fqn, metadata.hash)
        state.result = "absent"
        write_state(source, state)
        did = True
    for name in _payload_names(target.root_str):
        placed = os.path.join(target.root_str, name)
        origin = os.path.join(source.root_str, name)
        if _link_target(placed) == os.path.abspath(origin):
            if os.path.islink(origin):  # the user's own link: recreate it from here, pointing where it did
                _link(_link_target(origin) or origin, placed)
                os.unlink(origin)
            else:
                os.replace(origin, placed)
            did = True
    return did


# -- small helpers -------------------------------------------------------------------


def migrated_from(paths: ArtifactPaths) -> MigrationRecord | None:
    """The artifact's ``migrated_from`` record (None when it was computed here, or its metadata is unreadable)."""
    try:
        return read_model(paths.metadata, Metadata).migrated_from
    except (OSError, FuruError):
        return None


def _payload_names(artifact_dir: str) -> list[str]:
    """The result's entries: everything beside ``.furu/`` but furu's own temporary files."""
    with os.scandir(artifact_dir) as items:
        return sorted(i.name for i in items if i.name != INTERNAL_DIR and not i.name.endswith(_TEMP_SUFFIX))


def _points_into(path: str, real_dir: str) -> bool:
    """Whether ``path`` is a link that ends up inside ``real_dir`` (links followed all the way)."""
    if not os.path.islink(path):
        return False
    resolved = os.path.realpath(path)
    return resolved == real_dir or resolved.startswith(real_dir + os.sep)


def _link_target(path: str) -> str | None:
    """Where the link ``path`` points, as an absolute path (not followed further); None if not a link."""
    try:
        pointed = os.readlink(path)
    except OSError:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), pointed))


def _link(destination: str, link: str) -> None:
    """Make (or replace) ``link`` as a relative link to ``destination``, in one rename."""
    temporary = link + _TEMP_SUFFIX
    if os.path.lexists(temporary):
        os.unlink(temporary)
    os.symlink(os.path.relpath(destination, os.path.dirname(link)), temporary)
    os.replace(temporary, link)


def _under_artifacts_root(paths: ArtifactPaths, settings: Settings) -> bool:
    """Whether the artifact is under the version-controlled root."""
    root = os.path.realpath(settings.artifacts_root)
    return os.path.realpath(paths.root_str).startswith(root + os.sep)


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)
