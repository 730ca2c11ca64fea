"""Config identity: a canonical byte encoding of a config, hashed with xxh3-128.

The encoding is a contract: the same config must give the same 32 hex
characters in every process, on every machine and Python version, for as
long as the artifacts live. It therefore never relies on ``repr``, pickle or
``hash()``; every value is written as a type tag followed by an explicit,
length-prefixed byte form (the format is pinned by test vectors in
``tests/test_identity_vectors.py``; changing it invalidates every cache).

Nested Furu objects contribute their own cached hash rather than their
fields, so hashing a deep dependency graph is linear in its size. Large
buffers (bytes, numpy arrays) are streamed into the hasher without copies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import struct
import sys
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

import xxhash
from pydantic import BaseModel

from furu.errors import FuruError
from furu.instance_cache import InstanceCache
from furu.namespace import class_fqn

if TYPE_CHECKING:
    from furu.core import Furu

FORMAT_TAG = b"furu-identity/1\x00"
_STREAM_THRESHOLD = 1 << 16
_CANONICAL_NAN = struct.pack(">d", math.nan)


class _SkipHash:
    """Marker for ``Annotated[T, furu.skip_hash]``: stored and shown, never hashed."""

    _instance: _SkipHash | None = None

    def __new__(cls) -> _SkipHash:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "furu.skip_hash"


skip_hash = _SkipHash()


class UnhashableValueError(FuruError, TypeError):
    """A config holds a value furu cannot encode; the message names the field path."""


class _Unsupported(Exception):
    """Raised deep in the encoder; collects the field path while unwinding."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.path: list[str] = []


def furu_hash(obj: Furu[Any]) -> str:
    """Return the cached 32-hex-char identity of a Furu object."""
    digest = _hash_cache.get(obj)
    if digest is None:
        digest = _compute_hash(obj)
        _hash_cache.put(obj, digest)
    return digest


def hashed_field_names(cls: type[BaseModel]) -> tuple[str, ...]:
    """Field names that take part in the identity, sorted (skip_hash fields left out)."""
    names = _hashed_fields.get(cls)
    if names is None:
        names = tuple(
            sorted(
                name
                for name, info in cls.model_fields.items()
                if not any(marker is skip_hash for marker in info.metadata)
            )
        )
        _hashed_fields[cls] = names
    return names


_hash_cache: InstanceCache[str] = InstanceCache()
_hashed_fields: dict[type, tuple[str, ...]] = {}


def _compute_hash(obj: Furu[Any]) -> str:
    cls = type(obj)
    sink = _Sink(xxhash.xxh3_128())
    sink.buf += FORMAT_TAG
    _encode_str(class_fqn(cls), sink)
    _encode_str(cls.furu_version, sink)
    try:
        _encode_fields(obj, hashed_field_names(cls), sink)
    except _Unsupported as error:
        path = "".join(reversed(error.path)).lstrip(".")
        raise UnhashableValueError(
            f"Cannot hash field '{path}' of {class_fqn(cls)}: values of type "
            f"{type(error.value).__module__}.{type(error.value).__qualname__} are not supported. "
            "Use scalars, str, bytes, Path, enum, datetime, containers, pydantic models, "
            "dataclasses or numpy arrays, or mark the field Annotated[..., furu.skip_hash] "
            "to leave it out of the identity."
        ) from None
    return sink.hexdigest()


class _Sink:
    """Buffers small encodings and streams large buffers straight into the hasher."""

    __slots__ = ("buf", "hasher")

    def __init__(self, hasher: xxhash.xxh3_128 | None = None) -> None:
        self.buf = bytearray()
        self.hasher = hasher

    def stream(self, data: Any) -> None:
        if self.hasher is None:
            self.buf += data
            return
        if self.buf:
            self.hasher.update(self.buf)
            self.buf.clear()
        self.hasher.update(data)

    def hexdigest(self) -> str:
        assert self.hasher is not None
        self.hasher.update(self.buf)
        return self.hasher.hexdigest()


def _encode_fields(obj: Any, names: tuple[str, ...], sink: _Sink) -> None:
    sink.buf += b"%d;" % len(names)
    for name in names:
        _encode_str(name, sink)
        try:
            _encode(getattr(obj, name), sink)
        except _Unsupported as error:
            error.path.append(f".{name}")
            raise


def _encode(value: Any, sink: _Sink) -> None:
    encoder = _EXACT.get(type(value))
    if encoder is None:
        encoder = _encoder_for_subclass(value)
    encoder(value, sink)


def _encode_none(value: None, sink: _Sink) -> None:
    sink.buf += b"N"


def _encode_bool(value: bool, sink: _Sink) -> None:
    sink.buf += b"T" if value else b"F"


def _encode_int(value: int, sink: _Sink) -> None:
    sink.buf += b"i%d;" % value


def _encode_float(value: float, sink: _Sink) -> None:
    sink.buf += b"f"
    sink.buf += _CANONICAL_NAN if value != value else struct.pack(">d", value)


def _encode_str(value: str, sink: _Sink) -> None:
    data = value.encode("utf-8", "surrogatepass")
    sink.buf += b"s%d:" % len(data)
    sink.buf += data


def _encode_bytes(value: bytes | bytearray | memoryview, sink: _Sink) -> None:
    view = memoryview(value).cast("B")
    sink.buf += b"b%d:" % view.nbytes
    if view.nbytes >= _STREAM_THRESHOLD:
        sink.stream(view)
    else:
        sink.buf += view


def _encode_path(value: PurePath, sink: _Sink) -> None:
    sink.buf += b"p"
    _encode_str(value.as_posix(), sink)


def _encode_enum(value: enum.Enum, sink: _Sink) -> None:
    sink.buf += b"e"
    _encode_str(f"{type(value).__module__}.{type(value).__qualname__}", sink)
    _encode(value.value, sink)


def _encode_datetime(value: dt.datetime, sink: _Sink) -> None:
    sink.buf += b"t"
    _encode_str(value.isoformat(), sink)


def _encode_date(value: dt.date, sink: _Sink) -> None:
    sink.buf += b"y"
    _encode_str(value.isoformat(), sink)


def _encode_time(value: dt.time, sink: _Sink) -> None:
    sink.buf += b"h"
    _encode_str(value.isoformat(), sink)


def _encode_timedelta(value: dt.timedelta, sink: _Sink) -> None:
    sink.buf += b"g%d,%d,%d;" % (value.days, value.seconds, value.microseconds)


def _encode_sequence(value: list[Any] | tuple[Any, ...], sink: _Sink) -> None:
    sink.buf += b"l%d;" % len(value)
    for index, item in enumerate(value):
        try:
            _encode(item, sink)
        except _Unsupported as error:
            error.path.append(f"[{index}]")
            raise


def _encode_set(value: set[Any] | frozenset[Any], sink: _Sink) -> None:
    encoded = sorted(_encode_alone(item) for item in value)
    sink.buf += b"S%d;" % len(encoded)
    for item in encoded:
        sink.buf += b"%d:" % len(item)
        sink.buf += item


def _encode_mapping(value: dict[Any, Any], sink: _Sink) -> None:
    keyed = sorted((_encode_alone(key), key) for key in value)
    sink.buf += b"m%d;" % len(keyed)
    for encoded_key, key in keyed:
        sink.buf += encoded_key
        try:
            _encode(value[key], sink)
        except _Unsupported as error:
            error.path.append(f"[{key!r}]")
            raise


def _encode_alone(value: Any) -> bytes:
    """Encode a set element or dict key on its own, so entries can be sorted."""
    sink = _Sink()
    _encode(value, sink)
    return bytes(sink.buf)


def _encode_furu(value: Furu[Any], sink: _Sink) -> None:
    sink.buf += b"F"
    sink.buf += furu_hash(value).encode("ascii")


def _encode_model(value: BaseModel, sink: _Sink) -> None:
    sink.buf += b"M"
    _encode_str(class_fqn(type(value)), sink)
    _encode_fields(value, hashed_field_names(type(value)), sink)


def _encode_dataclass(value: Any, sink: _Sink) -> None:
    sink.buf += b"D"
    _encode_str(class_fqn(type(value)), sink)
    names = tuple(sorted(field.name for field in dataclasses.fields(value)))
    _encode_fields(value, names, sink)


def _encode_ndarray(value: Any, sink: _Sink) -> None:
    if value.dtype.hasobject:
        raise _Unsupported(value)
    dtype = value.dtype.str if value.dtype.fields is None else repr(value.dtype.descr)
    sink.buf += b"a"
    _encode_str(dtype, sink)
    sink.buf += b"(%s);" % b",".join(b"%d" % n for n in value.shape)
    sink.buf += b"%d:" % value.nbytes
    if value.flags.c_contiguous:
        sink.stream(value.reshape(-1).view("u1"))
        return
    numpy = sys.modules["numpy"]
    rows = value.reshape(-1, value.shape[-1]) if value.ndim > 1 else value.reshape(1, -1)
    for row in rows:  # bounded copies of one row at a time
        sink.stream(numpy.ascontiguousarray(row).view("u1"))


def _encode_numpy_scalar(value: Any, sink: _Sink) -> None:
    _encode(value.item(), sink)


def _encoder_for_subclass(value: Any) -> Callable[[Any, _Sink], None]:
    from furu.core import Furu

    if isinstance(value, Furu):
        return _encode_furu
    if isinstance(value, enum.Enum):
        return _encode_enum
    if isinstance(value, BaseModel):
        return _encode_model
    for base, encoder in _SUBCLASSABLE:
        if isinstance(value, base):
            return encoder
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return _encode_ndarray
        if isinstance(value, numpy.generic):
            return _encode_numpy_scalar
    raise _Unsupported(value)


_EXACT: dict[type, Callable[[Any, _Sink], None]] = {
    type(None): _encode_none,
    bool: _encode_bool,
    int: _encode_int,
    float: _encode_float,
    str: _encode_str,
    bytes: _encode_bytes,
    list: _encode_sequence,
    tuple: _encode_sequence,
    dict: _encode_mapping,
    set: _encode_set,
    frozenset: _encode_set,
    dt.datetime: _encode_datetime,
    dt.date: _encode_date,
}

# Checked in order: datetime before date (a datetime is a date), bool before int.
_SUBCLASSABLE: tuple[tuple[Any, Callable[[Any, _Sink], None]], ...] = (
    (bool, _encode_bool),
    (int, _encode_int),
    (float, _encode_float),
    (str, _encode_str),
    (bytes | bytearray | memoryview, _encode_bytes),
    (PurePath, _encode_path),
    (dt.datetime, _encode_datetime),
    (dt.date, _encode_date),
    (dt.time, _encode_time),
    (dt.timedelta, _encode_timedelta),
    (list | tuple, _encode_sequence),
    (dict, _encode_mapping),
    (set | frozenset, _encode_set),
)
