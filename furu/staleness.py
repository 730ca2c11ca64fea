"""Does today's code still reach a stored config? ``current``, ``stale`` or ``unknown``.

* ``current``: every class it names imports, the config rebuilds with
  ``from_dict`` and hashes to the artifact's own directory;
* ``stale``: the classes import, but the config no longer rebuilds (a field was
  removed or retyped, a validator refuses it) or it now hashes elsewhere (a
  field was added, ``version`` was bumped, or a value does not survive the
  round trip). ``load_or_create`` cannot reach it any more, but the result is
  intact: it is what a migration would carry forward, never garbage by itself;
* ``unknown``: a class it names does not import in this process (package not
  installed, a module that raises at import, a class renamed). Nothing can be
  concluded about it, so nothing may be done to it. A class defined in a
  notebook or ``python -c`` (``__main__.QualName``, see :mod:`furu.namespace`)
  is always ``unknown``: it exists only in the process that defined it, and
  furu's own ``__main__`` is not that process, so it is never imported here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from furu.importing import ClassImportError, import_user_class, make_project_importable, one_line
from furu.namespace import is_main_fqn, main_class_problem
from furu.serialization import CLASS_KEY, from_dict

Verdict = Literal["current", "stale", "unknown"]


class ConfigCheck(BaseModel):
    verdict: Verdict
    detail: str = ""


class ConfigChecker:
    """Checks stored configs against today's classes; each class is imported once."""

    def __init__(self) -> None:
        make_project_importable()
        self._imports: dict[str, str | None] = {}

    def check(self, fqn: str, furu_hash: str, config: dict[str, Any]) -> ConfigCheck:
        names = [fqn, *sorted(set(_class_names(config)) - {fqn})]
        for name in names:
            if is_main_fqn(name):
                return ConfigCheck(verdict="unknown", detail=main_class_detail(name))
        for name in names:
            problem = self._import_problem(name)
            if problem is not None:
                return ConfigCheck(verdict="unknown", detail=f"cannot import {name}: {problem}")
        try:
            rebuilt = from_dict(config).furu_hash
        except Exception as error:  # noqa: BLE001 - today's code refusing it in any way is the answer
            return ConfigCheck(verdict="stale", detail=f"its stored config no longer rebuilds: {_why(error)}")
        if rebuilt != furu_hash:
            return ConfigCheck(
                verdict="stale",
                detail=f"its stored config now hashes to {rebuilt[:8]} (the class changed since, or a value does not round-trip)",
            )
        return ConfigCheck(verdict="current")

    def _import_problem(self, fqn: str) -> str | None:
        if fqn not in self._imports:
            try:
                import_user_class(fqn)
                self._imports[fqn] = None
            except ClassImportError as error:
                self._imports[fqn] = error.problem
        return self._imports[fqn]


def main_class_detail(fqn: str) -> str:
    """Why gc keeps a config that names a ``__main__`` class (the same sentence in every command)."""
    return f"{main_class_problem(fqn)}; it is kept, never deleted as garbage (`furu rm` deletes it)"


def _why(error: Exception) -> str:
    """One line; for a validation error, the first field that failed and why."""
    if isinstance(error, ValidationError) and error.errors():
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        return f"{error.title}.{where}: {first['msg']}{more}"
    return one_line(error)


def _class_names(value: Any) -> Iterator[str]:
    """Every ``__class__`` tag in a stored config, nested ones included."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            tag = current.get(CLASS_KEY)
            if isinstance(tag, str):
                yield tag
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
