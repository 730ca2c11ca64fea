"""Tags and names: what people call their artifacts, stored in ``.furu/annotations.json``.

Kept inside the artifact directory (the only truth), written atomically, and
independent of the result: tagging never changes a hash or a cache hit. Tags
protect an artifact from ``furu gc``; a name is a human label shown by ``furu ls``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from furu.atomic import read_model, write_model
from furu.catalog.reading import ANNOTATIONS_FILE
from furu.errors import FuruError
from furu.layout import INTERNAL_DIR, ArtifactPaths
from furu.schema import Record
from furu.state import record_event, utcnow

_TAG = re.compile(r"^[\w][\w.:/+-]*$")


class FuruAnnotationError(FuruError):
    """A tag or name that cannot be stored."""


class Annotations(Record):
    """Contents of ``.furu/annotations.json``."""

    tags: list[str] = Field(default_factory=list)
    name: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)


def annotations_path(artifact_dir: str | Path) -> Path:
    return Path(artifact_dir, INTERNAL_DIR, ANNOTATIONS_FILE)


def read_annotations(artifact_dir: str | Path) -> Annotations:
    """The artifact's tags and name (empty when it has none)."""
    try:
        return read_model(annotations_path(artifact_dir), Annotations)
    except FileNotFoundError:
        return Annotations()


def add_tags(artifact_dir: str | Path, tags: list[str]) -> Annotations:
    """Add tags (kept sorted, each once)."""
    for tag in tags:
        check_tag(tag)
    current = read_annotations(artifact_dir)
    current.tags = sorted({*current.tags, *tags})
    return _write(artifact_dir, current, "tagged", tags=tags)


def remove_tags(artifact_dir: str | Path, tags: list[str]) -> Annotations:
    """Remove tags; naming a tag the artifact does not have is an error (likely a typo)."""
    current = read_annotations(artifact_dir)
    missing = sorted(set(tags) - set(current.tags))
    if missing:
        have = ", ".join(current.tags) or "none"
        raise FuruAnnotationError(f"{artifact_dir} has no tag {', '.join(missing)} (its tags: {have}).")
    current.tags = [tag for tag in current.tags if tag not in tags]
    return _write(artifact_dir, current, "untagged", tags=tags)


def set_tags(artifact_dir: str | Path, tags: list[str]) -> Annotations:
    """Make the artifact's tags exactly ``tags`` (what an editor that shows them all sends back)."""
    for tag in tags:
        check_tag(tag)
    current = read_annotations(artifact_dir)
    before = set(current.tags)
    current.tags = sorted(set(tags))
    return _write(artifact_dir, current, "tagged", tags=sorted(set(tags) - before), untagged=sorted(before - set(tags)))


def set_name(artifact_dir: str | Path, name: str | None) -> Annotations:
    """Give the artifact a human name (None removes it)."""
    if name is not None and (not name.strip() or "\n" in name):
        raise FuruAnnotationError(f"Name {name!r} must be non-empty and on one line.")
    current = read_annotations(artifact_dir)
    current.name = name.strip() if name is not None else None
    return _write(artifact_dir, current, "named", name=current.name)


def check_tag(tag: str) -> None:
    if not _TAG.match(tag):
        raise FuruAnnotationError(
            f"Tag {tag!r} is not valid: use letters, digits and _ . : / + - (no spaces or commas), "
            "starting with a letter, digit or _."
        )


def _write(artifact_dir: str | Path, annotations: Annotations, event: str, **detail: Any) -> Annotations:
    annotations.updated_at = utcnow()
    paths = ArtifactPaths(artifact_dir)
    if not paths.internal.is_dir():
        raise FuruAnnotationError(f"{artifact_dir} is not an artifact directory (it has no {INTERNAL_DIR}/).")
    write_model(annotations_path(artifact_dir), annotations, fsync=False)
    record_event(paths, event, None, **detail)
    return annotations
