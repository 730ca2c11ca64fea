"""Configs as JSON-ready dicts and as Python source, both of which rebuild the object.

``to_dict`` tags every model with its class (``"__class__": "module.QualName"``)
so a field declared as ``Data`` that holds a ``DataA`` comes back as a
``DataA``. Values JSON cannot carry exactly (bytes, numpy arrays, sets,
tuples inside untyped containers) are tagged as well; everything else is left
to the field's type on the way back, as pydantic would.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import importlib
import json
import math
import sys
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from furu.errors import FuruError
from furu.namespace import class_fqn

CLASS_KEY = "__class__"
_TAGS = ("__bytes__", "__ndarray__", "__set__", "__tuple__")


def to_dict(obj: BaseModel) -> dict[str, Any]:
    """A JSON-compatible dict that :func:`from_dict` turns back into an equal object."""
    return _dump(obj)  # type: ignore[no-any-return]


def from_dict(data: dict[str, Any], expected: type | None = None) -> Any:
    """Rebuild the object described by ``data`` (its ``__class__`` decides the class)."""
    obj = _load(data)
    if expected is not None and not isinstance(obj, expected):
        raise FuruError(
            f"The dict describes a {type(obj).__qualname__}, which is not a "
            f"{expected.__qualname__}; call from_dict on the right class (or on furu.Furu)."
        )
    return obj


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


def _dump(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, BaseModel):
        out = {CLASS_KEY: class_fqn(type(value))}
        for name in type(value).model_fields:
            out[name] = _dump(getattr(value, name))
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {CLASS_KEY: class_fqn(type(value))}
        for field in dataclasses.fields(value):
            out[field.name] = _dump(getattr(value, field.name))
        return out
    if isinstance(value, enum.Enum):
        return _dump(value.value)
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, list):
        return [_dump(item) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [_dump(item) for item in value]}
    if isinstance(value, set | frozenset):
        items = [_dump(item) for item in value]
        try:
            items.sort()
        except TypeError:
            items.sort(key=repr)
        return {"__set__": items}
    if isinstance(value, dict):
        return {str(key): _dump(item) for key, item in value.items()}
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return {
                "__ndarray__": base64.b64encode(numpy.ascontiguousarray(value).tobytes()).decode(),
                "dtype": value.dtype.str,
                "shape": list(value.shape),
            }
        if isinstance(value, numpy.generic):
            return _dump(value.item())
    raise TypeError(f"to_dict cannot represent {type(value).__qualname__} values")


def _load(value: Any) -> Any:
    if isinstance(value, list):
        return [_load(item) for item in value]
    if not isinstance(value, dict):
        return value
    if CLASS_KEY in value:
        cls = import_class(value[CLASS_KEY])
        fields = {key: _load(item) for key, item in value.items() if key != CLASS_KEY}
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            return cls.model_validate(fields)
        return cls(**fields)
    if "__float__" in value:
        return float(value["__float__"])
    if "__bytes__" in value:
        return base64.b64decode(value["__bytes__"])
    if "__tuple__" in value:
        return tuple(_load(item) for item in value["__tuple__"])
    if "__set__" in value:
        return {_load(item) for item in value["__set__"]}
    if "__ndarray__" in value:
        import numpy

        raw = base64.b64decode(value["__ndarray__"])
        return numpy.frombuffer(raw, dtype=value["dtype"]).reshape(value["shape"]).copy()
    return {key: _load(item) for key, item in value.items()}


def describe(value: Any) -> str:
    """A value from :func:`to_dict` as a person reads it: ``(1, 2)``, not ``{"__tuple__": [1, 2]}``."""
    if isinstance(value, list):
        return "[" + ", ".join(describe(item) for item in value) + "]"
    if not isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if CLASS_KEY in value:
        fields = ", ".join(f"{key}={describe(item)}" for key, item in value.items() if key != CLASS_KEY)
        return f"{value[CLASS_KEY].rsplit('.', 1)[-1]}({fields})"
    if "__tuple__" in value:
        items = [describe(item) for item in value["__tuple__"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if "__set__" in value:
        return ("{" + ", ".join(describe(item) for item in value["__set__"]) + "}") if value["__set__"] else "set()"
    if "__float__" in value:
        return str(value["__float__"])
    if "__bytes__" in value:
        data = base64.b64decode(value["__bytes__"])
        return repr(data) if len(data) <= 32 else f"<{len(data)} bytes>"
    if "__ndarray__" in value:
        return f"array(shape={tuple(value['shape'])}, dtype={value['dtype']})"
    return "{" + ", ".join(f"{json.dumps(key)}: {describe(item)}" for key, item in value.items()) + "}"


def to_python(obj: BaseModel) -> str:
    """Python source (imports, then one expression) that rebuilds ``obj``."""
    imports = _Imports()
    expression = _source(obj, imports, indent=0)
    return "\n".join(sorted(imports.lines)) + "\n\n" + expression + "\n"


class _Imports:
    """The import lines a snippet needs, and the local name of each class it uses."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self.names: dict[str, str] = {}

    def module(self, name: str) -> str:
        self.lines.add(f"import {name}")
        return name

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
            self.lines.add(f"from {module} import {qualname}" + (f" as {local}" if local != qualname else ""))
        self.names[fqn] = local
        return local


def _source(value: Any, imports: _Imports, indent: int) -> str:
    if isinstance(value, BaseModel) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
        name = imports.name_for(type(value))
        field_names = (
            type(value).model_fields
            if isinstance(value, BaseModel)
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
        return ("{" + ", ".join(items) + "}") if items else f"{type(value).__name__}()"
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
