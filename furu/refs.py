"""References to experiments, as users type them: a hash, a path, or a config spec.

* a hash or a unique prefix of one: ``3f2a`` (an ambiguous prefix is an error
  that lists the candidates);
* an artifact directory, or any path inside one:
  ``furu-data/data/mypkg/Train/3f2a.../model.pt``;
* a config spec: ``mypkg.train:Train lr=3e-4 data.name=toy`` (see :mod:`furu.specs`).

:func:`resolve_ref` is what other tools call (time travel, export, the dashboard).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.catalog.reading import is_artifact_name
from furu.core import Furu
from furu.errors import FuruError, FuruNotFound
from furu.importing import make_project_importable
from furu.layout import INTERNAL_DIR
from furu.serialization import from_dict
from furu.specs import build_spec, is_spec

RefKind = Literal["spec", "path", "hash"]

_HEX = re.compile(r"^[0-9a-fA-F]{1,32}$")
_SHOWN_CANDIDATES = 10


class FuruAmbiguousRef(FuruError):
    """A hash prefix matches more than one artifact; ``candidates`` holds them."""

    def __init__(self, prefix: str, candidates: list[ArtifactRecord]) -> None:
        shown = "; ".join(f"{c.hash} {c.fqn} ({c.status})" for c in candidates[:_SHOWN_CANDIDATES])
        more = f"; and {len(candidates) - _SHOWN_CANDIDATES} more" if len(candidates) > _SHOWN_CANDIDATES else ""
        super().__init__(
            f"Hash prefix {prefix!r} matches {len(candidates)} artifacts: {shown}{more}. Type more characters."
        )
        self.candidates = candidates


def ref_kind(text: str | Sequence[str]) -> RefKind:
    """Which kind of reference ``text`` is (a spec may come as several words)."""
    words = [text] if isinstance(text, str) else list(text)
    first = words[0].strip() if words else ""
    if is_spec(first):
        return "spec"
    if _HEX.match(first) and not (os.sep in first or (os.path.exists(first) and not is_artifact_name(first))):
        return "hash"
    return "path"


def resolve_ref(text: str | Sequence[str], *, catalog: Catalog | None = None) -> ArtifactRecord:
    """The record (with details: config, dependencies) of the one artifact ``text`` refers to.

    ``text`` is a hash or unique hash prefix, a path to (or inside) an artifact
    directory, or a config spec ``module:Class key=value ...`` (a string, or its
    words as a list). Raises :class:`FuruAmbiguousRef` for a prefix that matches
    several artifacts and :class:`~furu.errors.FuruNotFound` when nothing matches
    or a spec's artifact has never been started.
    """
    catalog = catalog or Catalog()
    entry = resolve_entry(text, catalog)
    return catalog.records([entry], details=True)[0]


def resolve_entry(text: str | Sequence[str], catalog: Catalog) -> Entry:
    """Like :func:`resolve_ref`, returning the catalog's entry (for commands that keep working on it)."""
    words = shlex.split(text) if isinstance(text, str) and is_spec(text) else ([text] if isinstance(text, str) else list(text))
    if not words or not words[0].strip():
        raise FuruNotFound("Empty reference: give a hash (or prefix), an artifact directory, or module:Class key=value.")
    kind = ref_kind(words)
    if kind == "spec":
        obj = build_spec(words)
        entry = catalog.entry_at(obj.furu_dir)
        if entry is None:
            raise FuruNotFound(
                f"{obj.furu_fqn()} {obj.furu_hash[:8]} has not been created yet (no directory {obj.furu_dir}). "
                f"Create it with `furu run {' '.join(words)}`, or see `furu explain` for why."
            )
        return entry
    if len(words) > 1:
        raise FuruNotFound(f"Expected one reference, got {' '.join(words)!r}; a config spec starts with module:Class.")
    if kind == "hash":
        return _by_prefix(words[0].lower(), catalog)
    return _by_path(words[0], catalog)


def resolve_object(text: str | Sequence[str], *, catalog: Catalog | None = None) -> Furu[Any]:
    """The config object a reference names: built from a spec, or rebuilt from a stored config."""
    words = [text] if isinstance(text, str) else list(text)
    if ref_kind(words) == "spec":
        return build_spec(shlex.split(words[0]) if len(words) == 1 else words)
    record = resolve_ref(text, catalog=catalog)
    return object_from_record(record)


def object_from_record(record: ArtifactRecord) -> Furu[Any]:
    """Rebuild the config object of a record from its stored config."""
    if record.config is None:
        raise FuruNotFound(
            f"{record.label} has no stored config ({record.dir}/{INTERNAL_DIR}/metadata.json is written "
            "when an attempt succeeds); refer to it with a config spec instead."
        )
    make_project_importable()
    return from_dict(record.config, expected=Furu)  # type: ignore[no-any-return]


def _by_prefix(prefix: str, catalog: Catalog) -> Entry:
    matches = catalog.find_prefix(prefix)
    if not matches:
        raise FuruNotFound(
            f"No artifact hash starts with {prefix!r} under {catalog.settings.data_root} "
            f"or {catalog.settings.artifacts_root}. `furu ls` lists them."
        )
    if len(matches) > 1:
        exact = [entry for entry in matches if entry.hash == prefix]
        if len(exact) == 1:
            return exact[0]
        raise FuruAmbiguousRef(prefix, catalog.records(matches, details=False))
    return matches[0]


def _by_path(text: str, catalog: Catalog) -> Entry:
    path = Path(text).expanduser().absolute()
    if not path.exists():
        raise FuruNotFound(f"{text!r} is not a hash prefix, an existing path or a config spec (module:Class key=value).")
    for candidate in (path, *path.parents):
        if is_artifact_name(candidate.name) and (candidate / INTERNAL_DIR).is_dir():
            entry = catalog.entry_at(candidate)
            if entry is not None:
                return entry
    raise FuruNotFound(f"{text} is not inside an artifact directory (<class dir>/<32 hex chars>/ with a .furu/ in it).")
