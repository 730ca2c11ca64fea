"""Code drift: a fingerprint of the code that produced a result, and whether that code changed since.

At creation furu records, for the producing class, a digest of its module file
and a digest of the class's own source (its ``class`` statement, decorators
included, found by qualname in the module's syntax tree). Later, any command
reads the same file again and compares, without importing it: importing user
code to answer ``furu ls`` would be slow and could run anything.

* ``class`` changed: the class's own lines differ (its body, bases, decorators);
* ``module`` changed: the class is as it was, but something else in its file
  differs (a helper function, a constant, an import);
* ``gone``: the file is no longer there, or the class is no longer in it.

Drift is information, never a verdict: nothing is invalidated because of it.
A class defined in a notebook or ``python -c`` has no file, so no fingerprint.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import xxhash

DriftKind = Literal["class", "module", "gone"]


@dataclass(frozen=True, slots=True)
class CodeFingerprint:
    """The ``code`` entry of ``metadata.json``.

    A frozen dataclass, not a pydantic model, like :class:`~furu.dependency_ref.DependencyRef`:
    the catalog checks fingerprints for ``furu ls`` without importing pydantic, and pydantic
    reads and writes it as a field of :class:`~furu.metadata.Metadata` all the same.
    """

    file: str
    """The class's module file: relative to the project root (``/``-separated) when inside it, else absolute."""
    module_digest: str
    class_digest: str | None
    """None when the class's ``class`` statement was not found in the file (defined in a function, generated)."""


@dataclass(frozen=True, slots=True)
class Drift:
    """How the code of a result's class differs from the code it was made with.

    ``sentence`` says it in words, as a clause about the result ("its class's
    code changed since it was made (Train in lab/steps.py)"), for ``furu show``
    and ``furu explain``; ``file`` is the fingerprint's, as recorded.
    """

    kind: DriftKind
    file: str
    sentence: str


def fingerprint_of(cls: type, project_root: Path | None) -> CodeFingerprint | None:
    """The fingerprint of ``cls`` as loaded now; None when its source file cannot be read."""
    module = sys.modules.get(cls.__module__)
    source = getattr(module, "__file__", None)
    if not isinstance(source, str) or not source.endswith(".py"):
        return None
    try:
        text = Path(source).read_bytes()
    except OSError:
        return None
    return CodeFingerprint(
        file=_stored_path(Path(source), project_root),
        module_digest=_digest(text),
        class_digest=class_digest(text, cls.__qualname__),
    )


def drift_of(recorded: CodeFingerprint, qualname: str, project_root: Path | None) -> Drift | None:
    """How the code changed since ``recorded`` (None: it did not), for the class named ``qualname``.

    Only the file's digest decides *whether* it changed (so the catalog can
    answer ``code_changed=true`` in SQL from the digest of each file alone);
    the class's own lines decide *how*. The file is read and parsed at most
    once per process for each version of it.
    """
    file = recorded.file
    digest = current_module_digest(file, project_root)
    if digest is None:
        return Drift("gone", file, f"its module {file} no longer exists")
    if digest == recorded.module_digest:
        return None
    if recorded.class_digest is None:  # its class statement was not found then: no claim about it now
        return Drift("module", file, f"its module {file} changed since it was made")
    text = _current_text(resolve_file(file, project_root))
    now = class_digest(text, qualname) if text is not None else None
    if now is None and text is not None and not _parses(text):
        return Drift("module", file, f"its module {file} changed since it was made, and no longer parses")
    if now is None:
        return Drift("gone", file, f"its class {qualname} is no longer defined in {file}")
    if now == recorded.class_digest:
        return Drift("module", file, f"its class's code is unchanged, but its module {file} changed since it was made")
    return Drift("class", file, f"its class's code changed since it was made ({qualname} in {file})")


def current_module_digest(stored: str, project_root: Path | None) -> str | None:
    """The digest of a fingerprint's file as it is now (None: it is gone or unreadable).

    Cached per (path, mtime, size) in the process: a listing of 100,000
    results reads each of their few files once.
    """
    path = resolve_file(stored, project_root)
    key = _stat_key(path)
    if key is None:
        return None
    if key not in _digests:
        text = _current_text(path)
        if text is None:
            return None
        _digests[key] = _digest(text)
    return _digests[key]


def resolve_file(stored: str, project_root: Path | None) -> Path:
    """Where a fingerprint's file is today (relative ones are in the project root)."""
    path = Path(stored)
    return path if path.is_absolute() or project_root is None else project_root / path


def class_digest(module_text: bytes, qualname: str) -> str | None:
    """The digest of the lines of ``qualname``'s ``class`` statement (decorators included)."""
    key = (_digest(module_text), qualname)
    if key in _class_digests:
        return _class_digests[key]
    found = _class_lines(module_text, qualname)
    _class_digests[key] = digest = _digest(found) if found is not None else None
    return digest


def _class_lines(module_text: bytes, qualname: str) -> bytes | None:
    import ast  # only a changed file is parsed: a listing whose code is as it was never loads it

    try:
        tree = ast.parse(module_text)
    except (SyntaxError, ValueError):
        return None
    body: list[ast.stmt] = tree.body
    node: ast.ClassDef | None = None
    for part in qualname.split("."):
        node = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == part), None)
        if node is None:
            return None  # e.g. a class made inside a function (``f.<locals>.Train``)
        body = node.body
    assert node is not None and node.end_lineno is not None
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return b"\n".join(module_text.splitlines()[first - 1 : node.end_lineno])


def _parses(module_text: bytes) -> bool:
    import ast

    try:
        ast.parse(module_text)
    except (SyntaxError, ValueError):
        return False
    return True


def _current_text(path: Path) -> bytes | None:
    """The file's bytes, read once per (path, mtime, size) in a process."""
    key = _stat_key(path)
    if key is None:
        return None
    if key not in _texts:
        try:
            _texts[key] = path.read_bytes()
        except OSError:
            return None
    return _texts[key]


def _stat_key(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return str(path), stat.st_mtime_ns, stat.st_size


def _stored_path(source: Path, project_root: Path | None) -> str:
    if project_root is not None:
        try:
            return Path(os.path.abspath(source)).relative_to(project_root).as_posix()
        except ValueError:
            pass
    return os.path.abspath(source)


def _digest(data: bytes) -> str:
    return xxhash.xxh3_64_hexdigest(data)


_class_digests: dict[tuple[str, str], str | None] = {}
_texts: dict[tuple[str, int, int], bytes] = {}
_digests: dict[tuple[str, int, int], str] = {}
