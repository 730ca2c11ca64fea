"""Two or more artifacts side by side: which config fields differ (``furu diff``'s engine), and each one's
status, runtime, resources and result numbers.

:func:`compare` is what the dashboard's compare view shows. The fields that
differ are :func:`furu.diffing.diff_configs` between the first artifact and
each of the others: a path where any two differ differs from the first in at
least one of them, so none is missed; each field then carries every artifact's
value at that path. The code diff between two of them is
:func:`furu.diffing.code_diff` (``furu diff --code``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from furu.atomic import read_model
from furu.catalog import ArtifactRecord, Catalog
from furu.diffing import FieldChange, diff_configs
from furu.errors import FuruError
from furu.metadata import Metadata
from furu.migration import files_owner
from furu.query import config_value, is_missing
from furu.refs import resolve_entry
from furu.resources import ResourceUsage
from furu.result_files import scalar_metrics
from furu.state import ArtifactState

MAX_COMPARED = 50
"""More artifacts than this are not a side-by-side view any more; filter the table instead."""


class ComparedField(BaseModel):
    """One config path where the artifacts differ, with every artifact's value there."""

    path: str = Field(description="Dotted path, as `furu diff` names it: data.name, datasets.0.rows.")
    values: list[Any] = Field(description="Each artifact's value, in the order compared (null where absent).")
    absent: list[bool] = Field(description="Whether the path is missing from each artifact's config.")
    affects_hash: bool | None = Field(
        default=None, description="false when the field is marked skip_hash; null when the class could not be imported."
    )


class ComparedArtifact(BaseModel):
    record: ArtifactRecord
    backend: str | None = Field(default=None, description="Where its latest attempt ran: local, slurm, migration.")
    resources: ResourceUsage | None = Field(default=None, description="What its successful attempt used (null: no success).")
    metrics: dict[str, float] = Field(default_factory=dict, description="furu.result_files.scalar_metrics of its result files.")
    problems: list[str] = Field(default_factory=list, description="What could not be read, one sentence each.")


class Comparison(BaseModel):
    artifacts: list[ComparedArtifact]
    fields: list[ComparedField] = Field(description="The config paths that differ, in `furu diff` order.")
    metrics: list[str] = Field(description="Every metric name any of them has, in the order first seen.")
    commands: list[str] = Field(description="The `furu diff` commands that show the same (the first against each other).")
    python: str = Field(description="The Python that makes this comparison (furu.compare.compare_refs).")


def compare_refs(refs: Sequence[str], *, catalog: Catalog | None = None, roots: Sequence[Path] | None = None) -> Comparison:
    """:func:`compare` of the artifacts ``refs`` name, as ``furu show`` takes them (hashes, prefixes, directories)."""
    catalog = catalog or Catalog()
    entries = [resolve_entry(ref, catalog) for ref in refs]
    if len({entry.hash for entry in entries}) != len(entries):
        raise FuruError(f"Two of {', '.join(refs)} name the same artifact; give different ones to compare.")
    return compare(catalog.records(entries, details=True, sizes=True), roots=roots)


def compare(records: Sequence[ArtifactRecord], *, roots: Sequence[Path] | None = None) -> Comparison:
    """``records`` side by side. They need their details (``catalog.records(..., details=True)``).

    ``roots``: the data roots an alias's files may be read from (an artifact
    carried over by ``furu migrate`` as an alias keeps its result files in the
    artifact it links into); None trusts any.
    """
    if len(records) < 2:
        raise FuruError(f"Comparing needs two or more artifacts; got {len(records)}. Select another one to compare with.")
    if len(records) > MAX_COMPARED:
        raise FuruError(f"At most {MAX_COMPARED} artifacts can be compared at once; got {len(records)}. Narrow the selection.")
    first = records[0]
    changes: dict[str, list[FieldChange]] = {}
    for other in records[1:]:
        for change in diff_configs(first.config, other.config):
            changes.setdefault(change.path, []).append(change)
    ordered = list(changes.items()) if len(records) == 2 else _in_diff_order(changes)
    fields = [_field(path, found, records) for path, found in ordered]
    artifacts = [_artifact(record, roots) for record in records]
    names: dict[str, None] = {}
    for artifact in artifacts:
        names.update(dict.fromkeys(artifact.metrics))
    commands = [f"furu diff {first.short_hash} {other.short_hash}" for other in records[1:]]
    python = f"from furu.compare import compare_refs\n\nresult = compare_refs({[record.short_hash for record in records]!r})"
    return Comparison(artifacts=artifacts, fields=fields, metrics=list(names), commands=commands, python=python)


def _in_diff_order(changes: dict[str, list[FieldChange]]) -> list[tuple[str, list[FieldChange]]]:
    """Every pair's paths in one order like ``furu diff``'s (``__class__`` first, then by key, list items by index)."""
    return sorted(changes.items(), key=lambda item: [(part != "__class__", _index_or_key(part)) for part in item[0].split(".")])


def _index_or_key(part: str) -> tuple[int, int, str]:
    return (0, int(part), "") if part.isdigit() else (1, 0, part)


def _field(path: str, found: list[FieldChange], records: Sequence[ArtifactRecord]) -> ComparedField:
    values, absent = [], []
    for record in records:
        value = config_value(record.config, path.split("."))
        absent.append(is_missing(value))
        values.append(None if is_missing(value) else value)
    verdicts = {change.affects_hash for change in found}
    affects = True if True in verdicts else (False if verdicts == {False} else None)
    return ComparedField(path=path, values=values, absent=absent, affects_hash=affects)


def _artifact(record: ArtifactRecord, roots: Sequence[Path] | None) -> ComparedArtifact:
    out = ComparedArtifact(record=record)
    paths = record.paths
    files_dir = record.dir
    try:
        state = read_model(paths.state, ArtifactState)
        out.backend = state.latest_attempt.backend if state.latest_attempt else None
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (FuruError, OSError) as error:
        out.problems.append(f"{paths.state} cannot be read: {error}")
    try:
        metadata = read_model(paths.metadata, Metadata)
        out.resources = metadata.resources
        owner = files_owner(metadata)
        if owner is not None and _inside(owner.root_str, roots):
            files_dir = owner.root_str
    except (FileNotFoundError, NotADirectoryError):
        pass  # never succeeded: no resources recorded
    except (FuruError, OSError) as error:
        out.problems.append(f"{paths.metadata} cannot be read: {error}")
    out.metrics = scalar_metrics(files_dir)
    return out


def _inside(directory: str, roots: Sequence[Path] | None) -> bool:
    if roots is None:
        return True
    real = os.path.realpath(directory)
    return any(real.startswith(os.path.realpath(root) + os.sep) for root in roots)
