"""Configs from the command line: ``module:Class key=value ...``, nested keys, and sweeps.

::

    build_spec(["examples:Train", "lr=3e-4", "data.name=toy"])
    # Train(data=PrepareData(name='toy'), lr=0.0003)

Each value is read as its field's type (``lr=3e-4`` is a float, ``items=[1,2]``
a list, ``color=red`` an enum member, ``maybe=none`` None). A nested key
(``data.name``) changes one field of the nested config and keeps the others;
``data=module:OtherClass`` swaps the nested config's class. A sweep
(``lr=1e-3,3e-4``) gives one config per value; several sweeps multiply.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import importlib.util
import itertools
import typing
from collections.abc import Iterable, Sequence
from typing import Any, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from furu.core import Furu
from furu.errors import FuruSpecError
from furu.importing import ClassImportError, import_user_class, make_project_importable, note_imported_sources, one_line
from furu.namespace import SPEC_TARGET, is_spec

_LEAF = "\0value"


def import_target(target: str) -> type[Furu[Any]]:
    """The class named by ``module:Class`` (or ``module.Class``); the project is importable.

    ``__main__:Class`` names a class defined in a notebook or ``python -c``; furu's
    own ``__main__`` is not that module, so it is refused with why, never looked up.
    """
    from furu.namespace import MAIN_MODULE, is_main_fqn, main_class_problem

    fqn = target.replace(":", ".", 1)
    if is_main_fqn(fqn):
        qualname = fqn[len(MAIN_MODULE) + 1 :]
        raise FuruSpecError(
            f"Cannot build {target}: {main_class_problem(MAIN_MODULE + '.' + qualname)}. Run or explain it "
            f"from the notebook or script that defines it (`{qualname}(...).load_or_create()`, "
            f"`furu.explain.explain({qualname}(...))`), or move {qualname} into an importable module and "
            f"`furu run module:{qualname}` (its artifacts then get a new hash). `furu ls`, `furu show` "
            "and `furu rm` work on its existing artifacts."
        )
    make_project_importable()
    if ":" not in target:
        try:
            obj: Any = import_user_class(target)
        except ClassImportError as error:
            if _is_module(target):
                raise FuruSpecError(
                    f"{target} is a module, not a class: name the class in it as module:Class, "
                    f"e.g. `furu run {target}:<Class> key=value`."
                ) from None
            raise FuruSpecError(f"{error} A spec names its class as module:Class, e.g. mypkg.train:Train.") from None
    else:
        module_name, _, qualname = target.partition(":")
        try:
            obj = importlib.import_module(module_name)
            note_imported_sources()
        except ModuleNotFoundError as error:
            if error.name is None or not (module_name + ".").startswith(error.name + "."):
                raise FuruSpecError(f"Cannot import {target}: importing {module_name} raised {one_line(error)}.") from error
            raise FuruSpecError(
                f"Cannot import {target}: no module named {error.name!r}. Run furu from your project "
                "directory or install the package that defines the class."
            ) from None
        except (Exception, SystemExit) as error:  # noqa: BLE001 - the user's module may raise anything
            raise FuruSpecError(
                f"Cannot import {target}: importing {module_name} raised {one_line(error)} "
                "(`furu --debug ...` shows the traceback)."
            ) from error
        try:
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            raise FuruSpecError(f"Cannot import {target}: its module has no {qualname!r}.") from None
    if not (isinstance(obj, type) and issubclass(obj, Furu)):
        raise FuruSpecError(f"{target} is not a furu.Furu subclass.")
    return obj


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def build_spec(words: Sequence[str] | str) -> Furu[Any]:
    """Build the config ``module:Class key=value ...`` (a list of words, or one string)."""
    if isinstance(words, str):
        import shlex

        words = shlex.split(words)
    if not words or not is_spec(words[0]):
        raise FuruSpecError(
            f"A config spec starts with module:Class (e.g. mypkg.train:Train lr=3e-4), not {' '.join(words)!r}."
        )
    return build(import_target(words[0]), list(words[1:]))


def build(cls: type[Furu[Any]], assignments: Iterable[str]) -> Furu[Any]:
    """An instance of ``cls`` with each ``key=value`` applied to its defaults."""
    tree = _tree(assignments)
    return _build(cls, tree, None, cls.__qualname__)  # type: ignore[no-any-return]


def expand_sweeps(assignments: Sequence[str], sweeps: Sequence[str]) -> list[list[str]]:
    """One assignment list per combination of sweep values (a cartesian product, in order)."""
    axes: list[list[str]] = []
    for sweep in sweeps:
        key, equals, values = sweep.partition("=")
        if not equals or not key.strip():
            raise FuruSpecError(f"Cannot read sweep {sweep!r}: write key=v1,v2,... (e.g. lr=1e-3,3e-4).")
        parts = split_values(values)
        if not parts:
            raise FuruSpecError(f"Sweep {sweep!r} has no values.")
        axes.append([f"{key.strip()}={value}" for value in parts])
    return [[*assignments, *combination] for combination in itertools.product(*axes)]


def split_values(text: str) -> list[str]:
    """Split on commas that are not inside brackets or quotes (``[1,2],[3]`` is two values)."""
    values: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
        elif char == "," and depth == 0:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return [value for value in values if value]


# -- internals -------------------------------------------------------------------------


def _tree(assignments: Iterable[str]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for text in assignments:
        key, equals, value = text.partition("=")
        key = key.strip()
        if not equals or not key or any(not part for part in key.split(".")):
            raise FuruSpecError(f"Cannot read {text!r}: write key=value, with nested keys as data.name=toy.")
        node = tree
        for part in key.split("."):
            node = node.setdefault(part, {})
        node[_LEAF] = value
    return tree


def _build(cls: type, tree: dict[str, Any], base: Any, where: str) -> Any:
    types = _field_types(cls)
    values: dict[str, Any] = {}
    for name, node in tree.items():
        if name == _LEAF:
            continue
        if name not in types:
            close = difflib.get_close_matches(name, list(types), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise FuruSpecError(
                f"{where} has no field {name!r}.{hint} Its fields: {', '.join(types) or '(none)'}."
            )
        path = f"{where}.{name}"
        current = getattr(base, name) if base is not None else _default(cls, name)
        leaf = node.get(_LEAF)
        if len(node) == 1 and leaf is not None:
            values[name] = _parse_value(types[name], leaf, path)
            continue
        nested_cls = type(current) if current is not None and _is_structured(type(current)) else _structured_in(types[name])
        if leaf is not None:
            nested_cls, current = import_target(leaf) if SPEC_TARGET.match(leaf) else _bad_nested(path, leaf), None
        if nested_cls is None:
            raise FuruSpecError(f"{path} is not a nested config, so it has no fields to set.")
        values[name] = _build(nested_cls, node, current if isinstance(current, nested_cls) else None, path)
    try:
        if base is not None:
            if dataclasses.is_dataclass(base):
                return dataclasses.replace(cast(Any, base), **values)
            merged = {name: getattr(base, name) for name in type(base).model_fields}
            return cast(Any, cls).model_validate({**merged, **values})
        return cls(**values)
    except ValidationError as error:
        problem = error.errors()[0]
        location = ".".join(str(part) for part in problem["loc"])
        raise FuruSpecError(f"{where}.{location}: {problem['msg']}.") from None
    except TypeError as error:
        raise FuruSpecError(f"{where}: {error}.") from None


def parse_value(annotation: Any, raw: str, where: str) -> Any:
    """Read ``raw`` (command-line text) as a value of ``annotation``; FuruSpecError names ``where``."""
    return _parse_value(annotation, raw, where)


def _parse_value(annotation: Any, raw: str, where: str) -> Any:
    if SPEC_TARGET.match(raw) and _structured_in(annotation) is not None:
        return import_target(raw)()
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    if raw.lower() in ("none", "null") and _allows_none(annotation):
        return None
    first_error: ValidationError | None = None
    for attempt in (adapter.validate_strings, adapter.validate_json):
        try:
            return attempt(raw)
        except ValidationError as error:
            first_error = first_error or error
        except ValueError:
            continue
    assert first_error is not None
    expected = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
    raise FuruSpecError(
        f"{where}={raw!r}: cannot read it as {expected} ({first_error.errors()[0]['msg']})."
    )


def field_types(cls: type) -> dict[str, Any]:
    """The fields of a model or dataclass with their annotations, as ``key=value`` words address them."""
    return _field_types(cls)


def field_default(cls: type, name: str) -> Any:
    """The value a field starts from when no word sets it (None for a required field)."""
    return _default(cls, name)


def is_structured(cls: type) -> bool:
    """A model or dataclass: a nested config whose fields ``a.b=...`` words set."""
    return _is_structured(cls)


def _field_types(cls: type) -> dict[str, Any]:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return {name: info.annotation for name, info in cls.model_fields.items()}
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        return {field.name: hints.get(field.name, Any) for field in dataclasses.fields(cls)}
    return {}


def _default(cls: type, name: str) -> Any:
    if issubclass(cls, BaseModel):
        info = cls.model_fields[name]
        return None if info.is_required() else info.get_default(call_default_factory=True)
    for field in dataclasses.fields(cast(Any, cls)):
        if field.name == name:
            if field.default is not dataclasses.MISSING:
                return field.default
            if field.default_factory is not dataclasses.MISSING:
                return field.default_factory()
    return None


def _is_structured(cls: type) -> bool:
    return (isinstance(cls, type) and issubclass(cls, BaseModel)) or dataclasses.is_dataclass(cls)


def _structured_in(annotation: Any) -> type | None:
    """The model or dataclass an annotation names (also inside ``X | None``)."""
    if isinstance(annotation, type) and _is_structured(annotation):
        return annotation
    for argument in typing.get_args(annotation):
        if isinstance(argument, type) and _is_structured(argument):
            return argument
    return None


def _allows_none(annotation: Any) -> bool:
    return annotation is Any or annotation is None or type(None) in typing.get_args(annotation)


def _bad_nested(path: str, leaf: str) -> Any:
    raise FuruSpecError(
        f"{path}={leaf!r} together with {path}.<field>=...: the value must be a class (module:Class)."
    )
