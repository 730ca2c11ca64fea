"""``export``: write chosen artifacts, their dependencies and their code into one bundle file.

The artifacts are found through the catalog (a hash prefix, a path, a config
spec, a ``Furu`` object or an ``ArtifactRecord``), their dependencies followed
transitively through the dependency records in ``metadata.json``, and the
result written as the tar stream described in :mod:`furu.share`, dependencies
first. The file appears under its name only when complete (written under a
temp name, then renamed).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from furu import layout
from furu import settings as settings_module
from furu._version import __version__
from furu.progress import Progress, no_progress
from furu.atomic import TEMP_MARKER, read_model
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.configs import Config, is_config
from furu.errors import FuruNotFound
from furu.metadata import DependencyRef, Metadata
from furu.share.errors import FuruExportError
from furu.share.manifest import (
    CODE_MEMBER,
    HEADER_MEMBER,
    MANIFEST_MEMBER,
    BundleHeader,
    BundleManifest,
    CodeEntry,
    ExperimentEntry,
    FileEntry,
)
from furu.share.tarwriter import TarWriter
from furu.share.walk import Listing, list_alias, list_artifact
from furu.state import hostname, username, utcnow

CodeMode = Literal["bundle", "none"]
Target = str | Path | Sequence[str] | Config[Any] | ArtifactRecord  # Config: a furu.Furu, told without importing it
class ExportedExperiment(BaseModel):
    fqn: str
    hash: str
    requested: bool = Field(description="Chosen by the caller (False: a dependency).")
    version_controlled: bool
    dir: str
    files: int
    bytes: int
    snapshot_id: str | None
    unpickles_code: list[str] = Field(description="Files whose loading runs pickle, as 'path (format)'.")


class ExportReport(BaseModel):
    """What ``export`` wrote."""

    path: Path
    size_bytes: int
    code: CodeMode
    experiments: list[ExportedExperiment]
    snapshot_ids: list[str] = Field(description="Snapshot commits in the bundle's code.bundle.")
    missing_snapshot_ids: list[str] = Field(
        description="Snapshots no repository here had (time travel will lack them)."
    )
    missing_dependencies: list[DependencyRef]
    warnings: list[str]


class _Selected:
    def __init__(
        self, record: ArtifactRecord, requested: bool, metadata: Metadata, listing: Listing, location: str
    ) -> None:
        self.record, self.requested, self.metadata = record, requested, metadata
        self.listing, self.location = listing, location


def export(
    refs_or_objects: Target | Sequence[Target],
    path: str | Path,
    *,
    deps: bool = True,
    code: CodeMode = "bundle",
    progress: Progress = no_progress,
) -> ExportReport:
    """Write artifacts (and, with ``deps``, everything they depend on) into the bundle file ``path``.

    ``refs_or_objects`` is one or a list of: a hash or unique hash prefix, an
    artifact directory, a config spec string (``"pkg.mod:Train lr=3e-4"``), a
    ``Furu`` object, or an ``ArtifactRecord``. Each must have a result.

    ``code="bundle"`` adds the snapshot commits of their code as a git bundle so
    ``furu timetravel`` works at the receiver; ``code="none"`` leaves it out.
    """
    if code not in ("bundle", "none"):
        raise FuruExportError(f"code must be 'bundle' or 'none', not {code!r}.")
    current = settings_module.current()
    catalog = Catalog(current)
    chosen = [_resolve(target, catalog) for target in _as_list(refs_or_objects)]
    if not chosen:
        raise FuruExportError("Nothing to export: give at least one artifact.")
    for record in chosen:
        if record.status != "success":
            problem = f": {record.problem}" if record.problem else ""
            raise FuruExportError(
                f"{record.label} has no result to export (status {record.status}{problem}); "
                "create it first (load_or_create() or `furu run`)."
            )
    ordered, missing, warnings = _with_dependencies(chosen, catalog, deps)
    selected = [_select(record, requested, current, warnings) for record, requested in ordered]

    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    temp = path.with_name(f".{path.name}{TEMP_MARKER}-{token}")
    code_temp = path.with_name(f".{path.name}.code{TEMP_MARKER}-{token}")
    try:
        snapshot_ids, missing_snapshots = _pack_code(selected, code, current, code_temp, progress)
        manifest = BundleManifest(
            furu_version=__version__,
            exported_at=utcnow(),
            host=hostname(),
            user=username(),
            project_root=str(current.project_root) if current.project_root is not None else None,
            experiments=[],
            missing_snapshot_ids=missing_snapshots,
            missing_dependencies=missing,
        )
        _write(temp, manifest, selected, code_temp if snapshot_ids else None, snapshot_ids, progress)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
        code_temp.unlink(missing_ok=True)
    if missing_snapshots:
        warnings.append(
            f"{len(missing_snapshots)} snapshot(s) were not found in any git repository here, so the "
            f"receiver cannot time-travel to them: {', '.join(missing_snapshots)}"
        )
    return ExportReport(
        path=path,
        size_bytes=path.stat().st_size,
        code=code,
        experiments=[_exported(item, entry) for item, entry in zip(selected, manifest.experiments, strict=True)],
        snapshot_ids=snapshot_ids,
        missing_snapshot_ids=missing_snapshots,
        missing_dependencies=missing,
        warnings=warnings,
    )


def _as_list(targets: Target | Sequence[Target]) -> list[Target]:
    if isinstance(targets, str | Path | ArtifactRecord) or is_config(targets):
        return [targets]
    return list(targets)


def _resolve(target: Target, catalog: Catalog) -> ArtifactRecord:
    from furu.refs import resolve_entry

    entry: Entry | None
    if isinstance(target, ArtifactRecord):
        entry = catalog.entry_at(target.dir)
        label = target.label
    elif is_config(target):
        entry = catalog.entry_at(target.furu_dir)
        label = f"{target.furu_fqn()} {target.furu_hash[:8]}"
    else:
        entry = resolve_entry(str(target) if isinstance(target, Path) else target, catalog)
        label = str(target)
    if entry is None:
        raise FuruNotFound(f"{label} has not been created (no artifact directory); create it before exporting.")
    return catalog.records([entry], details=True)[0]


def _with_dependencies(
    chosen: list[ArtifactRecord], catalog: Catalog, deps: bool
) -> tuple[list[tuple[ArtifactRecord, bool]], list[DependencyRef], list[str]]:
    """The records in dependency order (dependencies first), each once."""
    requested = {record.hash for record in chosen}
    ordered: list[tuple[ArtifactRecord, bool]] = []
    seen: set[str] = set()
    missing: list[DependencyRef] = []
    warnings: list[str] = []
    by_hash: dict[str, list[Entry]] | None = None

    def find(ref: DependencyRef) -> ArtifactRecord | None:
        nonlocal by_hash
        if by_hash is None:
            by_hash = {}
            for entry in catalog.refresh():
                by_hash.setdefault(entry.hash, []).append(entry)
        for entry in by_hash.get(ref.hash, []):
            if entry.shard.fqn == ref.fqn:
                return catalog.records([entry], details=True)[0]
        return None

    def visit(record: ArtifactRecord) -> None:
        if record.hash in seen:
            return
        seen.add(record.hash)
        for ref in record.dependencies if deps else []:
            if ref.hash in seen:
                continue
            dependency = find(ref)
            if dependency is None or dependency.status != "success":
                why = "is not on disk" if dependency is None else f"has no result (status {dependency.status})"
                missing.append(ref)
                seen.add(ref.hash)
                warnings.append(f"dependency {ref.fqn} {ref.hash[:8]} of {record.label} {why}; left out")
                continue
            visit(dependency)
        ordered.append((record, record.hash in requested))

    for record in chosen:
        visit(record)
    return ordered, missing, warnings


def _select(
    record: ArtifactRecord, requested: bool, current: settings_module.Settings, warnings: list[str]
) -> _Selected:
    try:
        metadata = read_model(record.paths.metadata, Metadata)
    except FileNotFoundError:
        raise FuruExportError(
            f"{record.label} has no metadata.json at {record.paths.metadata}; it cannot be exported."
        ) from None
    root = current.artifacts_root if record.version_controlled else layout.data_dir(current.data_root)
    location = os.path.relpath(record.dir, root).replace(os.sep, "/")
    if location.startswith("../") or location.count("/") < 2:
        raise FuruExportError(
            f"{record.dir} is not inside this project's furu root {root}; run the export from its project."
        )
    listing = list_artifact(record.dir)
    if metadata.migrated_from is not None and metadata.migrated_from.policy == "alias":
        from furu.migration import files_owner  # only for an alias: its files are links into their owner

        owner = files_owner(metadata)
        listing = listing if owner is None else list_alias(record.dir, owner.root_str)
    warnings.extend(f"{record.label}: {line}; left out" for line in listing.left_out)
    return _Selected(record, requested, metadata, listing, location)


def _pack_code(
    selected: list[_Selected], code: CodeMode, current: settings_module.Settings, dest: Path, progress: Progress
) -> tuple[list[str], list[str]]:
    gits = [item.metadata.git for item in selected if item.metadata.git is not None]
    snapshot_ids = sorted({git.snapshot_id for git in gits if git.in_repository and git.snapshot_id})
    if code == "none" or not snapshot_ids:
        return [], []
    candidates = [current.project_root] if current.project_root is not None else []
    candidates += sorted({Path(git.repo_root) for git in gits if git.repo_root})
    from furu.share.gitbundle import locate_snapshots, write_code_bundle  # dulwich only when there is code

    source = locate_snapshots(snapshot_ids, candidates)
    if source.repository is None or not source.present:
        return [], snapshot_ids
    with progress(f"Packing the code of {len(source.present)} snapshot(s)", len(source.present)) as advance:
        write_code_bundle(source.repository, source.present, dest)
        advance(len(source.present))
    return source.present, source.missing


def _write(
    temp: Path,
    manifest: BundleManifest,
    selected: list[_Selected],
    code_file: Path | None,
    snapshot_ids: list[str],
    progress: Progress,
) -> None:
    """Stream everything into ``temp``, filling in ``manifest`` (experiments, code) on the way."""
    mtime = manifest.exported_at.timestamp()
    total = sum(item.listing.bytes for item in selected) + (code_file.stat().st_size if code_file else 0)
    with TarWriter(temp) as tar, progress(f"Exporting {len(selected)} artifact(s)", total) as advance:
        tar.add_bytes(
            HEADER_MEMBER, BundleHeader(furu_version=__version__).model_dump_json(indent=2).encode(), mtime=mtime
        )
        for item in selected:
            prefix = f"{'artifacts' if item.record.version_controlled else 'data'}/{item.location}/"
            files = []
            for found in item.listing.entries:
                _check_name(found.path, item.record)
                name = prefix + found.path
                if found.kind == "dir":
                    tar.add_dir(name, mode=found.mode, mtime=found.mtime)
                    files.append(FileEntry(path=found.path, kind="dir"))
                elif found.kind == "symlink":
                    tar.add_symlink(name, found.target or "", mtime=found.mtime)
                    files.append(FileEntry(path=found.path, kind="symlink", target=found.target))
                else:
                    size, digest, pickled = tar.add_file(name, found.source, advance=advance)
                    files.append(
                        FileEntry(
                            path=found.path,
                            size=size,
                            xxh3_128=digest,
                            unpickles_code=pickled is not None,
                            pickle_format=pickled,
                        )
                    )
            manifest.experiments.append(_experiment(item, files))
        if code_file is not None:
            size, digest, _ = tar.add_file(CODE_MEMBER, str(code_file), advance=advance)
            manifest.code = CodeEntry(size=size, xxh3_128=digest, snapshot_ids=snapshot_ids)
        tar.add_bytes(MANIFEST_MEMBER, manifest.model_dump_json(indent=1).encode(), mtime=mtime)


def _experiment(item: _Selected, files: list[FileEntry]) -> ExperimentEntry:
    metadata, record = item.metadata, item.record
    git = metadata.git
    dependencies = {ref.hash: ref for ref in [*metadata.declared_dependencies, *metadata.loaded_dependencies]}
    return ExperimentEntry(
        fqn=record.fqn,
        hash=record.hash,
        version_controlled=record.version_controlled,
        location=item.location,
        requested=item.requested,
        python=metadata.python,
        config=metadata.config,
        snapshot_id=git.snapshot_id if git is not None and git.in_repository else None,
        dependencies=list(dependencies.values()),
        exported_from_dir=record.dir,
        files=files,
    )


def _check_name(path: str, record: ArtifactRecord) -> None:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise FuruExportError(
            f"{record.dir}/{path!r} has a file name that is not UTF-8; rename it to export {record.label}."
        ) from None


def _exported(item: _Selected, entry: ExperimentEntry) -> ExportedExperiment:
    return ExportedExperiment(
        fqn=entry.fqn,
        hash=entry.hash,
        requested=entry.requested,
        version_controlled=entry.version_controlled,
        dir=entry.exported_from_dir,
        files=sum(1 for f in entry.files if f.kind == "file"),
        bytes=sum(f.size for f in entry.files),
        snapshot_id=entry.snapshot_id,
        unpickles_code=[f"{f.path} ({f.pickle_format})" for f in entry.unpickling_files],
    )
