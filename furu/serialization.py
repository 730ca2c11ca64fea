"""Configs as JSON-ready dicts and as Python source, both of which rebuild the object.

``to_dict`` tags every model with its class (``"__class__": "module.QualName"``)
so a field declared as ``Data`` that holds a ``DataA`` comes back as a
``DataA``. The promise is exact: ``from_dict`` of the JSON text of
``to_dict(obj)`` hashes like ``obj``, for every config ``furu_hash`` accepts.

A value is written in its plain JSON form (``"red"``, ``"data/x.csv"``, an
ISO date) when the field's declared type turns that form back into the same
value, as pydantic does when ``from_dict`` validates the model; otherwise
(an ``Any`` field, a union, a dataclass field) it is tagged with its kind:
``{"__enum__": "mod.Color", "value": "red"}``, ``{"__path__": ...}``,
``{"__datetime__": ...}``, ``{"__date__": ...}``, ``{"__time__": ...}``,
``{"__timedelta__": [days, seconds, microseconds]}``. Values JSON cannot
carry at all are always tagged: ``__bytes__``, ``__ndarray__``, ``__set__``,
``__tuple__``, ``__float__`` (inf, nan). A dict stays a plain JSON object when
every key is written as a string that is not ``__dunder__``-shaped; any other
dict (int, tuple, enum... keys, or a key that looks like a tag) is written as
``{"__dict__": [[key, value], ...]}``, so nothing is ever read back as a tag
by mistake.
"""

from __future__ import annotations

import base64
import collections.abc
import dataclasses
import datetime as dt
import enum
import importlib
import json
import math
import sys
import types
from functools import cache
import typing
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Annotated, Any, Union

from furu.errors import FuruError
from furu.namespace import class_fqn

CLASS_KEY = "__class__"
DICT_KEY = "__dict__"

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter

_TAGS = (
    "__bytes__", "__date__", "__datetime__", "__dict__", "__enum__", "__float__",
    "__ndarray__", "__path__", "__set__", "__time__", "__timedelta__", "__tuple__",
)  # fmt: skip


def to_dict(obj: BaseModel) -> dict[str, Any]:
    """A JSON-compatible dict that :func:`from_dict` turns back into an equal object."""
    return _dump(obj, None)  # type: ignore[no-any-return]


def stored_value(value: Any, hint: Any = None) -> Any:
    """One value as a stored config holds it (``hint``: the field's annotation), for ``furu migrate --set``."""
    return _dump(value, hint)


def from_dict(data: dict[str, Any], expected: type | None = None) -> Any:
    """Rebuild the object described by ``data`` (its ``__class__`` decides the class)."""
    obj = _load(data)
    if expected is not None and not isinstance(obj, expected):
        raise FuruError(
            f"The dict describes a {type(obj).__qualname__}, which is not a "
            f"{expected.__qualname__}; call from_dict on the right class (or on furu.Furu)."
        )
    return obj


def is_reserved_key(key: str) -> bool:
    """Whether a str dict key could be mistaken for a tag (``__x__``); such dicts use ``__dict__``."""
    return key.startswith("__") and key.endswith("__") and len(key) > 4


def entries(value: Any) -> Any:
    """A stored container as a person addresses it: tuples as lists, ``__dict__`` dicts by key text.

    Used by ``furu diff`` and config filters (``table.1``, ``pairs.0``); other values are returned as is.
    """
    if isinstance(value, dict):
        if "__tuple__" in value and len(value) == 1:
            return value["__tuple__"]
        if DICT_KEY in value and len(value) == 1 and isinstance(value[DICT_KEY], list):
            return {key if isinstance(key, str) else describe(key): item for key, item in value[DICT_KEY]}
    return value


def import_class(fqn: str) -> type:
    """Import ``module.QualName``, trying the longest importable module prefix."""
    parts = fqn.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            target: Any = _module(module_name)
        except ModuleNotFoundError:
            continue
        try:
            for attribute in parts[split:]:
                target = getattr(target, attribute)
        except AttributeError:
            break
        if isinstance(target, type):
            return target
    raise FuruError(
        f"Cannot import class {fqn}: it was renamed, moved or deleted, or its package is "
        "not installed in this environment. Restore it (see `furu timetravel`) or remove "
        "the artifacts that use it (`furu gc`)."
    )


def _module(name: str) -> Any:
    """Import ``name``; a script run with ``python -m name`` is ``__main__``, not a second copy."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == name:
        return main
    return importlib.import_module(name)


# -- declared types: when is the plain JSON form enough? ---------------------------------


def _declared(hint: Any) -> Any:
    """The one type a hint names (``Annotated`` and ``| None`` removed), or None when unsure."""
    while True:
        origin = typing.get_origin(hint)
        if origin is Annotated:
            hint = typing.get_args(hint)[0]
        elif origin is Union or origin is types.UnionType:
            others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            if len(others) != 1:
                return None
            hint = others[0]
        else:
            return None if hint is Any else hint


def _item_hints(hint: Any, count: int) -> list[Any]:
    """Hints for the ``count`` items of a list, tuple or set declared as ``hint``."""
    hint = _declared(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return [args[0]] * count
        return list(args) if len(args) == count else [None] * count
    if origin in (list, set, frozenset, collections.abc.Sequence, collections.abc.Set) and len(args) == 1:
        return [args[0]] * count
    return [None] * count


def _mapping_hints(hint: Any) -> tuple[Any, Any]:
    hint = _declared(hint)
    if typing.get_origin(hint) in (dict, collections.abc.Mapping) and len(typing.get_args(hint)) == 2:
        key, item = typing.get_args(hint)
        return key, item
    return None, None


@cache
def _timedelta_adapter() -> TypeAdapter[dt.timedelta]:
    from pydantic import TypeAdapter

    return TypeAdapter(dt.timedelta)


@cache
def _base_model() -> type[BaseModel]:
    """pydantic's BaseModel, imported when a config is first written or read: the query language
    reads stored configs through :func:`entries`, and a listing should not pay for pydantic."""
    from pydantic import BaseModel

    return BaseModel


def _plain_restores(hint: Any, value: Any) -> bool:
    """Whether validating the plain JSON form against ``hint`` gives back ``value``'s kind."""
    declared = _declared(hint)
    if declared is None:
        return False
    if isinstance(value, PurePath):
        return isinstance(declared, type) and issubclass(declared, PurePath)
    return declared is type(value)


# -- writing ---------------------------------------------------------------------------


def _dump(value: Any, hint: Any) -> Any:
    if value is None or isinstance(value, bool | int | str) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, float):  # numpy.float64 is a float too: write it as one
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, _base_model()):
        out = {CLASS_KEY: class_fqn(type(value))}
        for name, info in type(value).model_fields.items():
            out[name] = _dump(getattr(value, name), info.annotation)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {CLASS_KEY: class_fqn(type(value))}
        for field in dataclasses.fields(value):  # rebuilt without validation: tag everything
            out[field.name] = _dump(getattr(value, field.name), None)
        return out
    if isinstance(value, enum.Enum):
        if _plain_restores(hint, value):
            return _dump(value.value, None)
        cls = type(value)
        return {"__enum__": f"{cls.__module__}.{cls.__qualname__}", "value": _dump(value.value, None)}
    if isinstance(value, PurePath):
        return str(value) if _plain_restores(hint, value) else {"__path__": value.as_posix()}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        if _plain_restores(hint, value):
            return value.isoformat()
        kind = "datetime" if isinstance(value, dt.datetime) else "date" if isinstance(value, dt.date) else "time"
        return {f"__{kind}__": value.isoformat()}
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
        if _plain_restores(hint, value) and _timedelta_adapter().validate_python(seconds) == value:
            return seconds  # pydantic reads it back exactly (it rounds large ones differently from timedelta())
        return {"__timedelta__": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_dump(item, item_hint) for item, item_hint in zip(value, _item_hints(hint, len(value)), strict=True)]
    if isinstance(value, tuple):
        hints = _item_hints(hint, len(value))
        return {"__tuple__": [_dump(item, item_hint) for item, item_hint in zip(value, hints, strict=True)]}
    if isinstance(value, set | frozenset):
        item_hint = _item_hints(hint, 1)[0]
        items = [_dump(item, item_hint) for item in value]
        try:
            items.sort()
        except TypeError:
            items.sort(key=repr)
        return {"__set__": items}
    if isinstance(value, dict):
        key_hint, item_hint = _mapping_hints(hint)
        pairs = [(_dump(key, key_hint), _dump(item, item_hint)) for key, item in value.items()]
        if all(type(key) is str and not is_reserved_key(key) for key, _ in pairs):
            return dict(pairs)
        return {DICT_KEY: [[key, item] for key, item in pairs]}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            dtype = value.dtype.str if value.dtype.fields is None else _dump(value.dtype.descr, None)
            return {
                "__ndarray__": base64.b64encode(numpy.ascontiguousarray(value).tobytes()).decode(),
                "dtype": dtype,
                "shape": list(value.shape),
            }
        if isinstance(value, numpy.generic):
            return _dump(value.item(), hint)
    raise TypeError(f"to_dict cannot represent {type(value).__qualname__} values")


# -- reading ---------------------------------------------------------------------------


def _load(value: Any, hashable: bool = False) -> Any:
    """Rebuild a stored value; ``hashable`` inside set items and dict keys (sets become frozensets)."""
    if isinstance(value, list):
        return [_load(item) for item in value]
    if not isinstance(value, dict):
        return value
    if CLASS_KEY in value:
        cls = import_class(value[CLASS_KEY])
        fields = {key: _load(item) for key, item in value.items() if key != CLASS_KEY}
        if isinstance(cls, type) and issubclass(cls, _base_model()):
            return cls.model_validate(fields)
        return cls(**fields)
    for key in value:
        loader = _LOADERS.get(key)
        if loader is not None:
            return loader(value, hashable)
    return {key: _load(item) for key, item in value.items()}


def _load_dict(value: dict[str, Any], hashable: bool) -> Any:
    return {_load(key, True): _load(item) for key, item in value[DICT_KEY]}


def _load_tuple(value: dict[str, Any], hashable: bool) -> Any:
    return tuple(_load(item, hashable) for item in value["__tuple__"])


def _load_set(value: dict[str, Any], hashable: bool) -> Any:
    items = [_load(item, True) for item in value["__set__"]]
    return frozenset(items) if hashable else set(items)


def _load_ndarray(value: dict[str, Any], hashable: bool) -> Any:
    import numpy

    raw = base64.b64decode(value["__ndarray__"])
    dtype = value["dtype"] if isinstance(value["dtype"], str) else _load(value["dtype"])
    return numpy.frombuffer(raw, dtype=numpy.dtype(dtype)).reshape(value["shape"]).copy()


def _load_enum(value: dict[str, Any], hashable: bool) -> Any:
    return import_class(value["__enum__"])(_load(value["value"], True))


def _load_timedelta(value: dict[str, Any], hashable: bool) -> Any:
    days, seconds, microseconds = value["__timedelta__"]
    return dt.timedelta(days=days, seconds=seconds, microseconds=microseconds)


_LOADERS: dict[str, Any] = {
    DICT_KEY: _load_dict,
    "__tuple__": _load_tuple,
    "__set__": _load_set,
    "__float__": lambda value, hashable: float(value["__float__"]),
    "__bytes__": lambda value, hashable: base64.b64decode(value["__bytes__"]),
    "__ndarray__": _load_ndarray,
    "__enum__": _load_enum,
    "__path__": lambda value, hashable: Path(value["__path__"]),
    "__datetime__": lambda value, hashable: dt.datetime.fromisoformat(value["__datetime__"]),
    "__date__": lambda value, hashable: dt.date.fromisoformat(value["__date__"]),
    "__time__": lambda value, hashable: dt.time.fromisoformat(value["__time__"]),
    "__timedelta__": _load_timedelta,
}


def describe(value: Any) -> str:
    """A value from :func:`to_dict` as a person reads it: ``(1, 2)``, not ``{"__tuple__": [1, 2]}``."""
    if isinstance(value, list):
        return "[" + ", ".join(describe(item) for item in value) + "]"
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if CLASS_KEY in value:
        fields = ", ".join(f"{key}={describe(item)}" for key, item in value.items() if key != CLASS_KEY)
        return f"{value[CLASS_KEY].rsplit('.', 1)[-1]}({fields})"
    tag = next((key for key in value if key in _LOADERS), None)
    if tag is None:
        return "{" + ", ".join(f"{json.dumps(key)}: {describe(item)}" for key, item in value.items()) + "}"
    data = value[tag]
    if tag == "__tuple__":
        items = [describe(item) for item in data]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if tag == "__set__":
        return ("{" + ", ".join(describe(item) for item in data) + "}") if data else "set()"
    if tag == DICT_KEY:
        return "{" + ", ".join(f"{describe(key)}: {describe(item)}" for key, item in data) + "}"
    if tag == "__bytes__":
        raw = base64.b64decode(data)
        return repr(raw) if len(raw) <= 32 else f"<{len(raw)} bytes>"
    if tag == "__ndarray__":
        return f"array(shape={tuple(value['shape'])}, dtype={value['dtype']})"
    if tag == "__enum__":
        return f"{str(data).rsplit('.', 1)[-1]}({describe(value.get('value'))})"
    if tag == "__path__":
        return f"Path({json.dumps(data, ensure_ascii=False)})"
    if tag == "__timedelta__":
        return repr(_load_timedelta(value, False)).removeprefix("datetime.")
    return str(data)  # __float__ (inf, nan), __datetime__, __date__, __time__: their text


def to_python(obj: BaseModel) -> str:
    """Python source (imports, then one expression) that rebuilds ``obj``."""
    imports = _Imports()
    expression = _source(obj, imports, indent=0)
    return "\n".join(imports.lines()) + "\n\n" + expression + "\n"


class _Imports:
    """The import lines a snippet needs, and the local name of each class it uses."""

    def __init__(self) -> None:
        self.modules: set[str] = set()
        self.imported: dict[str, set[str]] = {}
        """``from MODULE import A, B as B_1``: the names each module gives."""
        self.names: dict[str, str] = {}

    def module(self, name: str) -> str:
        self.modules.add(name)
        return name

    def lines(self) -> list[str]:
        """One ``from m import A, B`` line per module, then the ``import x`` lines, each sorted."""
        froms = [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(self.imported.items())]
        return [*froms, *(f"import {name}" for name in sorted(self.modules))]

    def name_for(self, cls: type) -> str:
        fqn = class_fqn(cls)
        local = self.names.get(fqn)
        if local is not None:
            return local
        qualname = cls.__qualname__
        module = fqn[: -len(qualname) - 1]
        if "." in qualname:  # a nested class: import its module, refer to it by qualname
            local = f"{self.module(module)}.{qualname}"
        else:
            local = qualname if qualname not in self.names.values() else f"{qualname}_{len(self.names)}"
            self.imported.setdefault(module, set()).add(qualname + (f" as {local}" if local != qualname else ""))
        self.names[fqn] = local
        return local


def _source(value: Any, imports: _Imports, indent: int) -> str:
    is_model = isinstance(value, _base_model())
    if is_model or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        name = imports.name_for(type(value))
        field_names = (
            type(value).model_fields
            if is_model
            else [field.name for field in dataclasses.fields(value)]
        )
        args = [f"{field}={_source(getattr(value, field), imports, indent + 4)}" for field in field_names]
        return _call(name, args, indent)
    if isinstance(value, enum.Enum):
        return f"{imports.name_for(type(value))}.{value.name}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({repr(value)!r})"
    if isinstance(value, PurePath):
        return f"{imports.name_for(type(value))}({str(value)!r})"
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        imports.module("datetime")
        return repr(value)  # datetime.datetime(...), valid after "import datetime"
    if isinstance(value, list | tuple | set | frozenset):
        items = [_source(item, imports, indent + 4) for item in value]
        if isinstance(value, list):
            return "[" + ", ".join(items) + "]"
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
        if not items:
            return f"{type(value).__name__}()"
        return "{" + ", ".join(items) + "}" if isinstance(value, set) else "frozenset({" + ", ".join(items) + "})"
    if isinstance(value, dict):
        items = [f"{_source(k, imports, indent + 4)}: {_source(v, imports, indent + 4)}" for k, v in value.items()]
        return "{" + ", ".join(items) + "}"
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray | numpy.generic):
        imports.module("numpy")
        if isinstance(value, numpy.generic):
            return f"numpy.{value.dtype.name}({value.item()!r})"
        return f"numpy.array({value.tolist()!r}, dtype={value.dtype.str!r})"
    return repr(value)


def _call(name: str, args: list[str], indent: int) -> str:
    flat = f"{name}({', '.join(args)})"
    if len(flat) + indent <= 88 and "\n" not in flat:
        return flat
    pad = " " * (indent + 4)
    return f"{name}(\n" + "".join(f"{pad}{arg},\n" for arg in args) + " " * indent + ")"
