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
from typing import TYPE_CHECKING, Any, Literal

from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.catalog.reading import is_artifact_name
from furu.errors import FuruError, FuruNotFound, FuruSpecError
from furu.importing import make_project_importable
from furu.layout import INTERNAL_DIR
from furu.namespace import is_main_fqn, is_spec, main_class_problem
from furu.serialization import from_dict

# Furu and the spec builder stand on pydantic: imported only for a spec or a rebuilt config,
# so `furu show <hash>` and `furu rdeps <hash>` never load it.
if TYPE_CHECKING:
    from furu.core import Furu

RefKind = Literal["spec", "path", "hash"]

_HEX = re.compile(r"^[0-9a-fA-F]{1,32}$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
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
    words = reference_words(text)
    first = words[0].strip() if words else ""
    if is_spec(first):
        return "spec"
    if _HEX.match(first) and not (os.sep in first or (os.path.exists(first) and not is_artifact_name(first))):
        return "hash"
    return "path"


def reference_words(text: str | Sequence[str]) -> list[str]:
    """The words of a reference however the shell delivered them.

    ``"pkg.mod:Data n=6"`` (one quoted word), ``pkg.mod:Data n=6`` (several
    words) and ``["pkg.mod:Data n=6", "m=1"]`` all name the same config; a
    dotted class name as ``furu ls --json`` prints it (``pkg.mod.Data``) is
    read as ``pkg.mod:Data`` when it is neither a hash nor an existing path
    (see :func:`_dotted_class`). Every command that takes a reference goes
    through here, so they all accept the same forms.
    """
    words = [text] if isinstance(text, str) else list(text)
    if words and len(words[0].split()) > 1:  # one quoted word holding a whole spec
        head = words[0].split(None, 1)[0]
        if is_spec(head) or _dotted_class(head) is not None:
            words = [*_split(words[0]), *words[1:]]
    if words and (spec := _dotted_class(words[0])) is not None:
        words = [spec, *words[1:]]
    return words


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
    words = reference_words(text)
    if not words or not words[0].strip():
        raise FuruNotFound("Empty reference: give a hash (or prefix), an artifact directory, or module:Class key=value.")
    kind = ref_kind(words)
    if kind == "spec":
        from furu.specs import build_spec

        obj = build_spec(words)
        entry = catalog.entry_at(obj.furu_dir)
        if entry is None:
            raise FuruNotFound(
                f"{obj.furu_fqn()} {obj.furu_hash[:8]} has not been created yet (no directory {obj.furu_dir}). "
                f"Create it with `furu run {' '.join(words)}`, or see `furu explain` for why."
            )
        return entry
    if len(words) > 1:
        raise FuruSpecError(
            f"Expected one reference, got {' '.join(words)!r}: a config spec starts with module:Class "
            f"(e.g. `furu show \"mypkg.train:Train lr=3e-4\"`); a hash or a path is one word."
        )
    if kind == "hash":
        return _by_prefix(words[0].lower(), catalog)
    return _by_path(words[0], catalog)


def resolve_object(text: str | Sequence[str], *, catalog: Catalog | None = None) -> Furu[Any]:
    """The config object a reference names: built from a spec, or rebuilt from a stored config."""
    words = reference_words(text)
    if ref_kind(words) == "spec":
        from furu.specs import build_spec

        return build_spec(words)
    record = resolve_ref(text, catalog=catalog)
    return object_from_record(record)


def object_from_record(record: ArtifactRecord) -> Furu[Any]:
    """Rebuild the config object of a record from its stored config."""
    if record.config is None:
        raise FuruNotFound(
            f"{record.label} has no stored config ({record.dir}/{INTERNAL_DIR}/metadata.json is written "
            "when an attempt succeeds); refer to it with a config spec instead."
        )
    if is_main_fqn(record.fqn):
        raise FuruNotFound(
            f"Cannot rebuild {record.label}: {main_class_problem(record.fqn)}. Work with it from the notebook "
            "that defines it (obj.load_or_create(), furu.explain.explain(obj))."
        )
    from furu.core import Furu

    make_project_importable()
    return from_dict(record.config, expected=Furu)  # type: ignore[no-any-return]


def _dotted_class(word: str) -> str | None:
    """``pkg.mod:Class`` for ``pkg.mod.Class`` when that names an importable Furu class, else None.

    Only the class is imported (no config is built): a word that merely looks
    dotted (``results.csv`` that does not exist) stays a path, whose error
    then says which forms a reference takes.
    """
    word = word.strip()
    if not _DOTTED.match(word) or os.path.lexists(word):
        return None
    from furu.core import Furu
    from furu.importing import ClassImportError, import_user_class

    make_project_importable()
    try:
        cls = import_user_class(word)
    except ClassImportError:
        return None
    if not (isinstance(cls, type) and issubclass(cls, Furu)):
        return None
    module = cls.__module__
    return f"{module}:{word[len(module) + 1:]}" if word.startswith(module + ".") else None


def _colon_form(dotted: str) -> str:
    """``lab.steps:Data`` for ``lab.steps.Data``; ``lab.steps:<Class>`` when ``lab.steps`` is a module."""
    import importlib.util

    try:
        is_module = importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):  # a parent package that does not exist
        is_module = False
    module, _, name = dotted.rpartition(".")
    return f"{dotted}:<Class>" if is_module else f"{module}:{name}"


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as error:  # an unbalanced quote
        raise FuruSpecError(f"Cannot read {text!r}: {error}; quote each value at most once.") from None


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
    try:
        path = Path(text).expanduser().absolute()
    except RuntimeError:  # ~name of a user this machine does not have
        path = Path(text).absolute()
    if not path.exists():
        dotted = _DOTTED.match(text.strip())
        hint = f" For a class, write module:Class (e.g. {_colon_form(text.strip())})." if dotted else ""
        raise FuruNotFound(
            f"{text!r} is not a hash prefix, an existing path or a config spec "
            f"(module:Class key=value, e.g. mypkg.train:Train lr=3e-4).{hint}"
        )
    for candidate in (path, *path.parents):
        if is_artifact_name(candidate.name) and (candidate / INTERNAL_DIR).is_dir():
            entry = catalog.entry_at(candidate)
            if entry is not None:
                return entry
    raise FuruNotFound(f"{text} is not inside an artifact directory (<class dir>/<32 hex chars>/ with a .furu/ in it).")
