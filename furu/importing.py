"""Importing the user's classes from furu's own commands, and saying in one line why one would not import.

``furu`` runs as a console script, whose ``sys.path`` starts with the
interpreter's ``bin/`` directory, not with the working directory as
``python -m`` would. A project whose package is not installed would then look
as if none of its classes existed, and ``furu gc`` used to delete every result
for that reason. Every command that imports user classes (``run``, ``gc``,
``explain``, ``diff`` ...) calls :func:`make_project_importable` first, and
imports through :func:`import_user_class`, which tells "this module does not
exist" apart from "this module exists but raised while importing" (a missing
third-party package inside it, a syntax error, anything else).

A long-lived process (the dashboard) imports a class once and keeps it, so it
also remembers each project source file it imported with its modification
time: :func:`sources_changed_since_import` says when the classes it holds are
no longer the code on disk, before something is computed from them.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

from furu.errors import FuruError
from furu.project import code_root


class ClassImportError(FuruError):
    """A class named in a stored config cannot be imported here; ``problem`` says why in one line."""

    def __init__(self, fqn: str, problem: str) -> None:
        super().__init__(
            f"Cannot import {fqn}: {problem}. Run furu from your project directory with the environment "
            "that runs your pipeline (or install its package)."
        )
        self.fqn = fqn
        self.problem = problem


def make_project_importable(cwd: str | None = None) -> None:
    """Put the working directory and this checkout's project root at the front of ``sys.path``.

    The same places ``python -m`` and ``pytest`` would make importable; each is
    added once, the working directory first. The project root is the nearest
    directory with a ``pyproject.toml`` (else a ``.gitignore``), see
    :func:`furu.project.code_root`.
    """
    cwd = cwd or os.getcwd()
    root = code_root(cwd)
    for path in reversed([cwd, *([str(root)] if root is not None else [])]):
        _project_dirs.add(os.path.realpath(path))
        if path not in sys.path:
            sys.path.insert(0, path)


_project_dirs: set[str] = set()
"""The directories :func:`make_project_importable` put on ``sys.path``: the user's code lives under them."""
_imported_sources: dict[str, int] = {}
"""The project's source files this process imported, with their ``st_mtime_ns`` when first seen imported."""


def sources_changed_since_import() -> list[str]:
    """The project source files this process imported that have since been edited, moved or deleted.

    Call it soon after the imports it guards: a module imported by other means
    (a config deserialised) is first seen here, with its file as it is now.
    """
    note_imported_sources()
    changed = []
    for path, stamp in _imported_sources.items():
        try:
            if os.stat(path).st_mtime_ns != stamp:
                changed.append(path)
        except OSError:
            changed.append(path)
    return sorted(changed)


def note_imported_sources() -> None:
    """Remember, once each, the source file of every project module imported so far (not installed packages).

    Called after every import of a user's class (``furu run --sweep`` builds hundreds): when no module
    was imported since the last call, it returns at once instead of walking ``sys.modules`` again.
    """
    global _modules_seen
    if len(sys.modules) == _modules_seen:
        return
    _modules_seen = len(sys.modules)
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or path in _looked_at:
            continue
        _looked_at.add(path)
        real = os.path.realpath(path)
        if "site-packages" not in real and any(real.startswith(directory + os.sep) for directory in _project_dirs):
            try:
                _imported_sources[path] = os.stat(path).st_mtime_ns
            except OSError:
                continue


_looked_at: set[str] = set()
_modules_seen = 0
"""How many modules ``sys.modules`` held at the last :func:`note_imported_sources`."""


def import_user_class(fqn: str) -> type:
    """Import ``module.QualName`` (the longest importable module prefix wins).

    Raises :class:`ClassImportError` when no such module or attribute exists,
    and also when the module exists but raises while being imported, whatever
    it raises (``ModuleNotFoundError`` for one of its own imports,
    ``SyntaxError``, ``SystemExit`` ...): that error, in one line, is the
    ``problem``. Call :func:`make_project_importable` first.
    """
    parts = fqn.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            target: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if _is_prefix(error.name, module_name):
                continue  # this module (or a parent package) does not exist: try a shorter prefix
            raise ClassImportError(fqn, f"importing {module_name} raised {one_line(error)}") from None
        except (Exception, SystemExit) as error:  # noqa: BLE001 - user code may raise anything at import
            raise ClassImportError(fqn, f"importing {module_name} raised {one_line(error)}") from None
        for attribute in parts[split:]:
            try:
                target = getattr(target, attribute)
            except AttributeError:
                raise ClassImportError(
                    fqn, f"module {module_name} has no {'.'.join(parts[split:])} (renamed, moved or deleted?)"
                ) from None
        if not isinstance(target, type):
            raise ClassImportError(fqn, f"{fqn} is a {type(target).__name__}, not a class")
        note_imported_sources()
        return target
    raise ClassImportError(fqn, f"no module named {parts[0]!r} (renamed, moved, deleted or not installed?)")


def one_line(error: BaseException) -> str:
    """``ModuleNotFoundError: No module named 'sklearn'``: an exception's type and first message line."""
    if isinstance(error, SyntaxError) and error.filename:
        return f"SyntaxError: {error.msg} ({error.filename}, line {error.lineno})"
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _is_prefix(name: str | None, module_name: str) -> bool:
    """Whether the module that was not found is ``module_name`` itself or one of its parent packages."""
    if name is None:
        return True
    return module_name == name or module_name.startswith(name + ".")
