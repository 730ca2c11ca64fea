"""Everything about one artifact in one object: what ``furu show`` prints (and ``--json`` returns).

Each part is read separately and a part that cannot be read is reported in
``problems`` rather than raised, so a half-written or corrupt artifact can
still be inspected.
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from pydantic import BaseModel, Field

from furu.atomic import read_model
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.catalog.reading import cannot_read
from furu.errors import FuruError
from furu.layout import INTERNAL_DIR
from furu.lineage import LineageNode, dependency_tree, dependents_index
from furu.metadata import ConfigRecord, Metadata
from furu.state import ArtifactState

MAX_FILES = 200


class FileInfo(BaseModel):
    path: str = Field(description="Relative to the artifact directory.")
    bytes: int


class ArtifactReport(BaseModel):
    record: ArtifactRecord
    state: ArtifactState | None = None
    metadata: Metadata | None = None
    dependencies: LineageNode | None = Field(default=None, description="Direct dependencies (the root is this artifact).")
    dependents: list[ArtifactRecord] = Field(default_factory=list, description="Direct dependents.")
    files: list[FileInfo] = Field(default_factory=list, description="Result files (not .furu/), largest first.")
    files_omitted: int = 0
    log_tail: list[str] = Field(default_factory=list)
    python: str | None = Field(default=None, description="Python code that rebuilds the config.")
    problems: list[str] = Field(default_factory=list)


def artifact_report(entry: Entry, catalog: Catalog, *, log_lines: int = 20) -> ArtifactReport:
    paths = entry.record().paths
    record = catalog.records([entry], details=True, sizes=True)[0]
    report = ArtifactReport(record=record)
    if record.problem and record.status in ("corrupt", "damaged"):
        report.problems.append(record.problem)
    try:
        report.state = read_model(paths.state, ArtifactState)
    except (FileNotFoundError, NotADirectoryError):
        pass  # no state yet, or no .furu/ directory (the record's problem says so)
    except (FuruError, OSError) as error:
        _note_file(report, paths.state, error)
    try:
        report.metadata = read_model(paths.metadata, Metadata)
        report.python = report.metadata.python
    except (FileNotFoundError, NotADirectoryError):
        report.python = _python_from_config_record(paths.config, report)
    except (FuruError, OSError) as error:
        _note_file(report, paths.metadata, error)
        report.python = _python_from_config_record(paths.config, report)
    report.dependencies = dependency_tree(entry, catalog, max_depth=1)
    direct = dependents_index(catalog).get(entry.hash, [])
    report.dependents = catalog.records(sorted({id(e): e for e, _ in direct}.values(), key=lambda e: (e.fqn, e.hash)), details=False)
    report.files, report.files_omitted = list_files(paths.root)
    try:
        report.log_tail = tail(paths.log, log_lines)
    except OSError as error:
        _note_file(report, paths.log, error)
    return report


def list_files(root: Path, limit: int = MAX_FILES) -> tuple[list[FileInfo], int]:
    """Files under ``root`` except ``.furu/``, largest first (at most ``limit``; also how many more)."""
    found: list[FileInfo] = []
    for directory, subdirs, files in os.walk(root):
        if directory == str(root):
            subdirs[:] = [d for d in subdirs if d != INTERNAL_DIR]
        for name in files:
            full = os.path.join(directory, name)
            try:
                size = os.lstat(full).st_size
            except FileNotFoundError:
                continue
            found.append(FileInfo(path=os.path.relpath(full, root), bytes=size))
    found.sort(key=lambda f: (-f.bytes, f.path))
    return found[:limit], max(0, len(found) - limit)


def tail(path: Path, lines: int) -> list[str]:
    """The last ``lines`` lines of a text file (all of them for 0); [] when it does not exist."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            if lines <= 0:
                return handle.read().splitlines()
            return list(deque((line.rstrip("\n") for line in handle), maxlen=lines))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _python_from_config_record(path: Path, report: ArtifactReport) -> str | None:
    """Before a success there is no metadata.json; config.json (written at each start) has the snippet."""
    try:
        return read_model(path, ConfigRecord).python
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (FuruError, OSError) as error:
        _note_file(report, path, error)
        return None


def _note_file(report: ArtifactReport, path: Path, error: Exception) -> None:
    """A part that cannot be read, named once: the catalog's problem may already name the file."""
    if str(path) in (report.record.problem or ""):
        return
    _note(report, cannot_read(str(path), error) if isinstance(error, OSError) else str(error))


def _note(report: ArtifactReport, problem: str) -> None:
    if problem not in report.problems:
        report.problems.append(problem)
