"""``import_bundle``: make a bundle's artifacts (and code) part of this project, safely.

1. Remove staging directories that crashed imports left behind.
2. Read the bundle once, checking every entry and streaming artifact files
   into staging (:mod:`furu.share.extract`); verify sizes, digests and the
   manifest. Any problem refuses the whole bundle; the staging is removed.
3. Decide per artifact: *imported* (new here), *skipped* (an identical
   result is here: same files outside ``.furu/``, same digests), *refused*
   (same hash, different result, unless ``overwrite``; or being created right
   now), *replaced* (``overwrite``, or only an unfinished attempt was here).
4. Fetch the snapshot commits into this project's git repository.
5. Record the origin in each staged ``metadata.json`` and rename each
   artifact into place, dependencies first (:mod:`furu.share.staging`).

A dry run does 2 and 3 without writing anything.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Literal

import xxhash
from pydantic import BaseModel, Field

from furu import layout
from furu import settings as settings_module
from furu.atomic import write_bytes_atomic
from furu.errors import FuruGitError
from furu.layout import ARTIFACTS_ROOT_GITIGNORE, DATA_ROOT_GITIGNORE, ArtifactPaths, prepare_root
from furu.locking import ArtifactLock
from furu.metadata import DependencyRef, ImportOrigin
from furu.settings import Settings
from furu.share import staging as staging_module
from furu.share.errors import FuruBundleCorrupt
from furu.progress import Progress, no_progress
from furu.share.extract import Received, receive, verify
from furu.share.manifest import BundleManifest, ExperimentEntry
from furu.share.staging import Staging, remove_stale_staging
from furu.share.walk import list_artifact
from furu.state import record_event, utcnow

ImportAction = Literal["imported", "replaced", "skipped", "refused"]


class ImportedExperiment(BaseModel):
    fqn: str
    hash: str
    requested: bool = Field(description="Chosen by the exporter (False: a dependency).")
    version_controlled: bool
    dir: str = Field(description="Its directory in this project.")
    action: ImportAction = Field(description="What happened (in a dry run: what would happen).")
    reason: str | None = None
    unpickles_code: list[str] = Field(description="Files whose loading runs pickle, as 'path (format)'.")


class CodeImport(BaseModel):
    snapshot_ids: list[str] = Field(description="Snapshots in the bundle.")
    fetched: list[str] = Field(default_factory=list)
    already_present: list[str] = Field(default_factory=list)
    repository: str | None = None
    note: str | None = None


class ImportReport(BaseModel):
    """What ``import_bundle`` did (or, with ``dry_run``, would do)."""

    bundle: str
    dry_run: bool
    exported_at: datetime
    exported_by: str = Field(description="user@host of the export.")
    exporter_furu_version: str
    bytes_read: int
    experiments: list[ImportedExperiment]
    code: CodeImport
    missing_dependencies: list[DependencyRef] = Field(description="Dependencies the exporter did not have.")

    def with_action(self, action: ImportAction) -> list[ImportedExperiment]:
        return [experiment for experiment in self.experiments if experiment.action == action]


def import_bundle(
    path: str | Path, *, dry_run: bool = False, overwrite: bool = False, progress: Progress = no_progress
) -> ImportReport:
    """Import the bundle at ``path`` into the current project (see the module docstring)."""
    bundle = Path(path).absolute()
    current = settings_module.current()
    staging = None if dry_run else Staging(current)
    done = False
    try:
        if staging is not None:
            remove_stale_staging(current)
        size = bundle.stat().st_size if bundle.exists() else 0
        with progress(f"Importing {bundle.name}", size) as advance:
            received = receive(bundle, staging, advance)
        manifest = verify(bundle, received, staging)
        experiments = [_decide(experiment, current, overwrite) for experiment in manifest.experiments]
        _flag_pickles(experiments, manifest, received)
        code = _code_plan(manifest, current)
        if staging is not None:
            code = _fetch_code(bundle, manifest, staging, code)
            origin = _origin(bundle, manifest)
            for experiment, entry in zip(experiments, manifest.experiments, strict=True):
                if experiment.action in ("imported", "replaced"):
                    _place(experiment, entry, staging, origin, current)
            _prepare_roots(current, experiments)
        done = True
    finally:
        if staging is not None:
            staging.remove(keep_roots=done)
    return ImportReport(
        bundle=str(bundle),
        dry_run=dry_run,
        exported_at=manifest.exported_at,
        exported_by=f"{manifest.user}@{manifest.host}",
        exporter_furu_version=manifest.furu_version,
        bytes_read=received.bytes_read,
        experiments=experiments,
        code=code,
        missing_dependencies=manifest.missing_dependencies,
    )


def destination(entry: ExperimentEntry, current: Settings) -> Path:
    """Where an experiment of a bundle lives in this project."""
    root = current.artifacts_root if entry.version_controlled else layout.data_dir(current.data_root)
    return root.joinpath(*entry.location.split("/"))


def _decide(entry: ExperimentEntry, current: Settings, overwrite: bool) -> ImportedExperiment:
    dest = destination(entry, current)
    action, reason = _action(entry, dest, current, overwrite)
    return ImportedExperiment(
        fqn=entry.fqn,
        hash=entry.hash,
        requested=entry.requested,
        version_controlled=entry.version_controlled,
        dir=str(dest),
        action=action,
        reason=reason,
        unpickles_code=[],
    )


def _action(entry: ExperimentEntry, dest: Path, current: Settings, overwrite: bool) -> tuple[ImportAction, str | None]:
    if not os.path.lexists(dest):
        return "imported", None
    paths = ArtifactPaths(dest)
    in_the_way = staging_module.link_in_the_way(dest)
    if paths.success.exists():
        difference = result_difference(entry, dest)
        if difference is None:
            return "skipped", "an identical result is already here"
        if overwrite:
            if in_the_way is not None:
                return "refused", in_the_way
            return "replaced", f"replaced a different result ({difference})"
        return (
            "refused",
            f"a different result with the same hash is already here ({difference}); --overwrite replaces it",
        )
    if in_the_way is not None:
        return "refused", in_the_way
    lock = ArtifactLock(paths.lock, lease_secs=current.lease_secs, heartbeat_secs=current.effective_heartbeat_secs)
    holder = lock.holder()
    if holder is not None and holder.stale_reason is None:
        return "refused", f"it is being created right now (lock {holder.describe()}); import again once it finishes"
    return "replaced", "replaced an unfinished attempt (there was no result)"


def result_difference(entry: ExperimentEntry, dest: Path) -> str | None:
    """The first way the results (files outside ``.furu/``) at ``dest`` differ from ``entry``'s, or None."""
    internal = layout.INTERNAL_DIR
    theirs = {f.path: f for f in entry.files if f.path != internal and not f.path.startswith(internal + "/")}
    ours = {f.path: f for f in list_artifact(str(dest), internal=False).entries}
    for name in sorted(set(theirs) | set(ours)):
        if name not in ours:
            return f"{name} is only in the bundle"
        if name not in theirs:
            return f"{name} is only here"
        mine, other = ours[name], theirs[name]
        if (mine.kind, mine.size, mine.target) != (other.kind, other.size, other.target):
            return f"{name} differs"
    for name, other in sorted(theirs.items()):
        if other.kind == "file" and _digest(ours[name].source) != other.xxh3_128:
            return f"{name} differs"
    return None


def _digest(path: str) -> str:
    hasher = xxhash.xxh3_128()
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(1 << 20):
            hasher.update(chunk)
    return hasher.hexdigest()


def _flag_pickles(experiments: list[ImportedExperiment], manifest: BundleManifest, received: Received) -> None:
    """Files that unpickle code, by the manifest's word or by the bytes received, whichever says so."""
    for experiment, entry in zip(experiments, manifest.experiments, strict=True):
        for file in entry.files:
            seen = received.entries.get(entry.member_prefix + file.path)
            found = (seen.pickled if seen is not None else None) or file.pickle_format
            if found is not None:
                experiment.unpickles_code.append(f"{file.path} ({found})")


def _code_plan(manifest: BundleManifest, current: Settings) -> CodeImport:
    ids = manifest.code.snapshot_ids if manifest.code is not None else []
    plan = CodeImport(snapshot_ids=ids)
    if not ids:
        plan.note = "the bundle holds no code (exported with --code none, or made outside git)"
        return plan
    from furu.provenance.repository import discover_git_dir  # pygit2: only for a bundle with code

    start = current.project_root or Path.cwd()
    git_dir = discover_git_dir(start)
    if git_dir is None:
        plan.note = (
            f"{start} is not inside a git repository, so the snapshots were not fetched; "
            "import inside a clone of the project to time-travel"
        )
    else:
        plan.repository = str(start)
    return plan


def _fetch_code(bundle: Path, manifest: BundleManifest, staging: Staging, plan: CodeImport) -> CodeImport:
    if plan.repository is None or manifest.code is None:
        return plan
    from furu.share.gitbundle import bundle_snapshot_ids, fetch_code_bundle

    ids, prerequisites = bundle_snapshot_ids(staging.code_path)
    try:
        result = fetch_code_bundle(staging.code_path, ids, prerequisites, Path(plan.repository))
    except (ValueError, FuruGitError) as error:
        raise FuruBundleCorrupt(bundle, f"code.bundle cannot be fetched into {plan.repository}: {error}.") from None
    plan.fetched, plan.already_present = result.fetched, result.already_present
    return plan


def _origin(bundle: Path, manifest: BundleManifest) -> ImportOrigin:
    return ImportOrigin(
        bundle=bundle.name,
        exported_at=manifest.exported_at,
        exported_by_host=manifest.host,
        exported_by_user=manifest.user,
        exporter_furu_version=manifest.furu_version,
        exported_from_dir="",
        imported_at=utcnow(),
    )


def _place(
    experiment: ImportedExperiment, entry: ExperimentEntry, staging: Staging, origin: ImportOrigin, current: Settings
) -> None:
    staged = staging.artifact_dir(entry.version_controlled, entry.location)
    paths = ArtifactPaths(staged)
    stamped = origin.model_copy(update={"exported_from_dir": entry.exported_from_dir})
    document = json.loads(paths.metadata.read_bytes())
    document["imported_from"] = stamped.model_dump(mode="json")
    write_bytes_atomic(paths.metadata, (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    record_event(
        paths, "imported", bundle=origin.bundle, exported_by=f"{origin.exported_by_user}@{origin.exported_by_host}"
    )
    dest = Path(experiment.dir)
    if experiment.action == "imported":
        if staging_module.move_into_place(staged, dest):
            return
        # Created here since we looked (a concurrent load_or_create or import): judge it again.
        action, reason = _action(entry, dest, current, overwrite=False)
        if action == "imported" and staging_module.move_into_place(staged, dest):
            return  # it was gone again
        if action == "imported":
            action, reason = "refused", "another process keeps creating and removing it; import again"
        experiment.action, experiment.reason = action, f"appeared here during the import: {reason}"
        if action != "replaced":
            return
    refusal = staging_module.replace_in_place(staged, dest, current)
    if refusal is not None:
        experiment.action, experiment.reason = "refused", refusal


def _prepare_roots(current: Settings, experiments: list[ImportedExperiment]) -> None:
    placed = [e for e in experiments if e.action in ("imported", "replaced")]
    if placed:
        prepare_root(current.data_root, DATA_ROOT_GITIGNORE)
    if any(e.version_controlled for e in placed):
        prepare_root(current.artifacts_root, ARTIFACTS_ROOT_GITIGNORE)
