"""Does today's code still reach a stored config? ``current``, ``stale`` or ``unknown``.

* ``current``: every class it names imports, the config rebuilds with
  ``from_dict`` and hashes to the artifact's own directory;
* ``stale``: the classes import, but the config no longer rebuilds (a field was
  removed or retyped, a validator refuses it) or it now hashes elsewhere (a
  field was added, ``version`` was bumped, or a value does not survive the
  round trip); or a class it names is gone but a class imported here declares
  ``moved_from`` that name. ``load_or_create`` cannot reach it any more (unless
  a declared history leads to it: ``still_loads``), but the result is intact:
  it is what a migration would carry forward, never garbage by itself;
* ``unknown``: a class it names does not import in this process (package not
  installed, a module that raises at import, a class renamed with no
  ``moved_from`` declaring it). Nothing can be
  concluded about it, so nothing may be done to it. A class defined in a
  notebook or ``python -c`` (``__main__.QualName``, see :mod:`furu.namespace`)
  is always ``unknown``: it exists only in the process that defined it, and
  furu's own ``__main__`` is not that process, so it is never imported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from furu.configs import is_config_class
from furu.history import UNSET, Added, MovedFrom, Removed, Renamed, class_moved_from, field_default, forward, older_forms
from furu.importing import ClassImportError, import_user_class, make_project_importable, one_line
from furu.namespace import class_fqn, is_main_fqn, main_class_problem
from furu.serialization import CLASS_KEY, from_dict

Verdict = Literal["current", "stale", "unknown"]


class ConfigCheck(BaseModel):
    verdict: Verdict
    detail: str = ""
    reasons: list[str] = []
    """For a stale config: what changed, in words ("field `momentum` added with default 0.9")."""
    still_loads: bool = False
    """Stale, but its class's declared history leads to it: ``load_or_create`` migrates it on first use."""


class ConfigChecker:
    """Checks stored configs against today's classes; each class is imported once, each result checked once.

    A result's answer is kept for the checker's life: its hash names its
    stored config, and the classes it is checked against stay as imported.
    """

    def __init__(self) -> None:
        make_project_importable()
        self._imports: dict[str, str | None] = {}
        self._checked: dict[tuple[str, str], ConfigCheck] = {}

    def learn(self, fqns: Iterable[str]) -> None:
        """Import these classes now (those that import), so the histories they declare are known.

        A result stored under a class's old name is recognised only once the
        class declaring ``moved_from`` that name is imported.
        """
        for fqn in fqns:
            if not is_main_fqn(fqn):
                self._import_problem(fqn)

    def known(self, fqn: str, furu_hash: str) -> ConfigCheck | None:
        """The answer for this result if it was checked already (its config need not be read again)."""
        return self._checked.get((fqn, furu_hash))

    def check(self, fqn: str, furu_hash: str, config: dict[str, Any], version: str | None = None) -> ConfigCheck:
        key = (fqn, furu_hash)
        if key not in self._checked:
            self._checked[key] = self._check(fqn, furu_hash, config, version)
        return self._checked[key]

    def _check(self, fqn: str, furu_hash: str, config: dict[str, Any], version: str | None) -> ConfigCheck:
        names = [fqn, *sorted(set(_class_names(config)) - {fqn})]
        for name in names:
            if is_main_fqn(name):
                return ConfigCheck(verdict="unknown", detail=main_class_detail(name))
        renamed: dict[str, str] = {}
        for name in names:
            problem = self._import_problem(name)
            if problem is None:
                continue
            moved = class_moved_from(name)
            if moved is None:
                return ConfigCheck(verdict="unknown", detail=f"cannot import {name}: {problem}")
            renamed[name] = class_fqn(moved)
        today = _with_classes_renamed(config, renamed)
        try:
            rebuilt = from_dict(today)
        except Exception as error:  # noqa: BLE001 - today's code refusing it in any way is the answer
            return ConfigCheck(
                verdict="stale", detail=f"its stored config no longer rebuilds: {why_invalid(error)}",
                reasons=self._reasons(fqn, config, version) or [why_invalid(error)],
                still_loads=_declared_history_reaches(today, resolve_class(fqn), furu_hash),
            )
        if rebuilt.furu_hash != furu_hash:
            return ConfigCheck(
                verdict="stale",
                detail=f"its stored config now hashes to {rebuilt.furu_hash[:8]} (the class changed since, or a value does not round-trip)",
                reasons=self._reasons(fqn, config, version) or ["a value no longer round-trips to the same hash"],
                still_loads=any(form.hash == furu_hash for form in older_forms(rebuilt)),
            )
        return ConfigCheck(verdict="current")

    def _reasons(self, fqn: str, config: dict[str, Any], version: str | None) -> list[str]:
        return describe_changes(config, resolve_class(fqn), version)

    def _import_problem(self, fqn: str) -> str | None:
        if fqn not in self._imports:
            try:
                import_user_class(fqn)
                self._imports[fqn] = None
            except ClassImportError as error:
                self._imports[fqn] = error.problem
        return self._imports[fqn]


def resolve_class(fqn: str) -> type:
    """Today's class for a stored class name: the class itself, or the one whose history says it moved from it.

    Raises :class:`~furu.importing.ClassImportError` when neither is known.
    """
    try:
        return import_user_class(fqn)
    except ClassImportError:
        moved = class_moved_from(fqn)
        if moved is None:
            raise
        return moved


def _with_classes_renamed(value: Any, renamed: dict[str, str]) -> Any:
    """A stored config with each class name in ``renamed`` (old -> today's, by declared histories) replaced."""
    if not renamed:
        return value
    if isinstance(value, list):
        return [_with_classes_renamed(item, renamed) for item in value]
    if not isinstance(value, dict):
        return value
    changed = {key: _with_classes_renamed(item, renamed) for key, item in value.items()}
    tag = value.get(CLASS_KEY)
    if isinstance(tag, str) and tag in renamed:
        changed[CLASS_KEY] = renamed[tag]
    return changed


def describe_changes(config: dict[str, Any], cls: type, version: str | None = None) -> list[str]:
    """How today's ``cls`` differs from the class that stored ``config``, in words; dependencies included."""
    fields = getattr(cls, "model_fields", {})
    history = getattr(cls, "furu_history", ())
    renamed_to = {change.old: change.new for change in history if isinstance(change, Renamed)}
    words = []
    stored_class = config.get(CLASS_KEY)
    if isinstance(stored_class, str) and stored_class != class_fqn(cls):
        words.append(MovedFrom(stored_class).describe())
    now = getattr(cls, "furu_version", None)
    if version is not None and now is not None and version != now:
        words.append(f"version bumped from {version!r} to {now!r}")
    stored = [key for key in config if key != CLASS_KEY]
    for key in stored:
        if key not in fields:
            new = renamed_to.get(key)
            words.append(Renamed(key, new).describe() if new is not None and new in fields else Removed(key).describe())
    targets = {renamed_to[key] for key in stored if key in renamed_to}
    for name in fields:
        if name in config or name in targets:
            continue
        default = field_default(cls, name)
        words.append(f"field `{name}` added (no default)" if default is UNSET else Added(name).describe(cls))
    for name in stored:
        value = config[name]
        if name in fields and isinstance(value, dict) and isinstance(value.get(CLASS_KEY), str):
            try:
                nested = resolve_class(value[CLASS_KEY])
            except ClassImportError:
                continue
            if is_config_class(nested):
                inner = describe_changes(value, nested)
                if inner:
                    words.append(f"its dependency `{name}` ({value[CLASS_KEY]}) changed: {'; '.join(inner)}")
    return words


def _declared_history_reaches(config: dict[str, Any], cls: type, furu_hash: str) -> bool:
    """Whether the class's declared history, applied to ``config``, gives today's form of this result."""
    if not getattr(cls, "furu_history", ()):
        return False
    changed, _words = forward(config, cls)
    try:
        rebuilt = from_dict(changed)
    except Exception:  # noqa: BLE001 - its history does not lead here
        return False
    return any(form.hash == furu_hash for form in older_forms(rebuilt))


def main_class_detail(fqn: str) -> str:
    """Why gc keeps a config that names a ``__main__`` class (the same sentence in every command)."""
    return f"{main_class_problem(fqn)}; it is kept, never deleted as garbage (`furu rm` deletes it)"


def why_invalid(error: Exception) -> str:
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


_shared: ConfigChecker | None = None


def shared_checker() -> ConfigChecker:
    """This process's checker: what it imported and concluded holds while the process lives (classes are not re-imported)."""
    global _shared
    if _shared is None:
        _shared = ConfigChecker()
    return _shared
