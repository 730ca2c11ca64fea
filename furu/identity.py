"""Config identity: a canonical byte encoding of a config, hashed with xxh3-128.

The encoding is a contract: the same config must give the same 32 hex
characters in every process, on every machine and Python version, for as
long as the artifacts live. It therefore never relies on ``repr``, pickle or
``hash()``; every value is written as a type tag followed by an explicit,
length-prefixed byte form (the format is pinned by test vectors in
``tests/test_identity.py``; changing it invalidates every cache).

Nested Furu objects contribute their own cached hash rather than their
fields, so hashing a deep dependency graph is linear in its size. Large
buffers (bytes, numpy arrays) are streamed into the hasher without copies.

Hashing also decides what furu can store: a config it accepts must survive
``to_dict`` -> ``metadata.json`` -> ``from_dict`` unchanged. Values that
cannot (a container that contains itself, nesting deeper than JSON readers
accept, ints too long to write as text, strings that are not valid UTF-8)
raise :class:`UnhashableValueError` naming the field. The fast path only
counts nesting; the rare failure is located by a second, careful walk.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import struct
import sys
import threading
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import xxhash
from pydantic import BaseModel

from furu.errors import FuruError
from furu.limits import MAPPING_LEVELS, MAX_INT_CHARS, MAX_JSON_DEPTH, MODEL_LEVELS, SEQUENCE_LEVELS, SET_LEVELS
from furu.instance_cache import memo_of
from furu.namespace import class_fqn

from furu.configs import Config, is_config

FORMAT_TAG = b"furu-identity/1\x00"
_STREAM_THRESHOLD = 1 << 16
_ARRAY_BLOCK = 1 << 23  # bytes of a non-contiguous array copied at a time (8 MiB: cache-sized, few numpy calls)
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
    """A config holds a value furu cannot encode; the message names the field path.

    ``fqn`` is the class whose field holds the value, ``path`` the field path
    (``data.rows[3]``), ``reason`` what is wrong with the value.
    """

    def __init__(self, message: str, *, fqn: str = "", path: str = "", reason: str = "", value: object = None) -> None:
        super().__init__(message)
        self.fqn = fqn
        self.path = path
        self.reason = reason
        self.value = value


class _Unsupported(Exception):
    """Raised deep in the encoder; collects the field path while unwinding."""

    def __init__(self, value: object, reason: str | None = None, path: list[str] | None = None) -> None:
        self.value = value
        self.reason = reason or (
            f"values of type {type(value).__module__}.{type(value).__qualname__} are not supported"
        )
        self.path: list[str] = path or []  # innermost first


class _TooDeep(Exception):
    """The encoder went past MAX_JSON_DEPTH; the careful walk finds where and why."""


def furu_hash(obj: Config[Any]) -> str:
    """Return the cached 32-hex-char identity of a Furu object."""
    return _identity(obj)[0]


def _identity(obj: Config[Any]) -> tuple[str, int]:
    """The hash, and how many JSON levels the object's stored form has below it (both memoized)."""
    memo = memo_of(obj)
    known = memo.identity
    if known is None:
        known = memo.identity = _compute_hash(obj)
    return known


class HashOf:
    """A nested config known only by its hash: it encodes as that config would (``F`` + hash)."""

    __slots__ = ("furu_hash",)

    def __init__(self, furu_hash: str) -> None:
        self.furu_hash = furu_hash


def hash_of_fields(fqn: str, version: str, fields: dict[str, Any]) -> str:
    """The hash a config of class ``fqn`` at ``version`` with these hashed ``fields`` has.

    For an older form of a class that no longer exists as a class (its declared
    history, see :mod:`furu.history`): the same bytes ``furu_hash`` encodes for an
    object, built from names and values. Nested configs may be given as :class:`HashOf`.
    """
    sink = _Sink(hashing=True)
    sink.buf += FORMAT_TAG
    _encode_str(fqn, sink)
    _encode_str(version, sink)
    try:
        _encode_fields(_Fields(fields), tuple(sorted(fields)), sink)
    except _Unsupported as error:
        raise UnhashableValueError(
            f"Cannot hash field '{''.join(reversed(error.path)).lstrip('.')}' of the older form of {fqn}: {error.reason}.",
            fqn=fqn, reason=error.reason, value=error.value,
        ) from None
    return sink.hexdigest()


class _Fields:
    """Attribute access over a dict, as :func:`_encode_fields` reads an object."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None


def hashed_field_names(cls: type[Any]) -> tuple[str, ...]:
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


def stored_only_field_names(cls: type[Any]) -> tuple[str, ...]:
    """Fields marked skip_hash: not hashed, but stored, so they must be storable too."""
    names = _stored_only_fields.get(cls)
    if names is None:
        hashed = set(hashed_field_names(cls))
        names = tuple(sorted(name for name in cls.model_fields if name not in hashed))
        _stored_only_fields[cls] = names
    return names


_hashed_fields: dict[type, tuple[str, ...]] = {}
_stored_only_fields: dict[type, tuple[str, ...]] = {}


class _ClassHeader:
    """What every hash of one class starts with (format tag, class name, version), encoded once,
    and the fields that follow: a cache hit on a fresh config spends a third of its time hashing."""

    __slots__ = ("names", "prefix", "stored_only")

    def __init__(self, cls: type[Any]) -> None:
        sink = _Sink()
        sink.buf += FORMAT_TAG
        _encode_str(class_fqn(cls), sink)
        _encode_str(cls.furu_version, sink)
        self.prefix = bytes(sink.buf)
        self.names = hashed_field_names(cls)
        self.stored_only = stored_only_field_names(cls)


_class_headers: dict[type, _ClassHeader] = {}
_encoded_names: dict[str, bytes] = {}  # field name -> its encoding (the same in every class)


def _compute_hash(obj: Config[Any], *, retried: bool = False) -> tuple[str, int]:
    cls = type(obj)
    header = _class_headers.get(cls)
    if header is None:
        header = _class_headers[cls] = _ClassHeader(cls)
    sink = _Sink(hashing=True)
    sink.buf += header.prefix
    outermost = not _active.depth  # only the outermost call may recover from a RecursionError
    _active.depth += 1
    try:
        _encode_fields(obj, header.names, sink)
        stored_only = header.stored_only
        if stored_only:  # not hashed, but written to metadata.json: check they can be
            _encode_fields(obj, stored_only, _Sink(keep_streamed=False))
    except _Unsupported as error:
        raise _unhashable(cls, error) from None
    except RecursionError:
        if not outermost:
            raise
        exhausted = True
    except (_TooDeep, ValueError) as error:
        # Rare: find the value and its path with a walk that tracks cycles and depth.
        from furu.unhashable import find_unstorable

        try:
            found = find_unstorable(obj)
        except RecursionError:  # even the careful walk ran out of stack: say so, without a path
            raise _unhashable(cls, _Unsupported(obj, _NO_STACK)) from None
        if found is not None:
            raise _unhashable(cls, _Unsupported(found.value, found.reason, found.path)) from error
        raise
    else:
        exhausted = False
    finally:
        _active.depth -= 1
    if exhausted:
        return _recover(obj, retried)
    return sink.hexdigest(), sink.peak


class _Active(threading.local):
    depth = 0  # _compute_hash calls running in this thread


_active = _Active()


def _recover(obj: Config[Any], retried: bool) -> tuple[str, int]:
    """After a RecursionError: name the value that is too deep, or hash nested configs bottom-up."""
    from furu.unhashable import find_unstorable, nested_configs

    cls = type(obj)
    try:
        found = find_unstorable(obj)
        nested = nested_configs(obj) if found is None and not retried else []
    except RecursionError:  # even the careful walk ran out of stack: say so, without a path
        raise _unhashable(cls, _Unsupported(obj, _NO_STACK)) from None
    if found is not None:
        raise _unhashable(cls, _Unsupported(found.value, found.reason, found.path)) from None
    if retried:
        raise _unhashable(cls, _Unsupported(obj, _NO_STACK)) from None
    for config in nested:  # innermost first: each needs only a little stack
        furu_hash(config)
    return _compute_hash(obj, retried=True)


_NO_STACK = (
    "it is nested too deeply to walk with the Python stack left here (sys.getrecursionlimit()); "
    "build long chains of configs bottom-up (hash each step as it is made) or flatten the value"
)


def _unhashable(cls: type, error: _Unsupported) -> UnhashableValueError:
    parts = list(reversed(error.path))
    if len(parts) > 12:  # a deep or cyclic path: its start and its end say enough
        parts = [*parts[:6], "...", *parts[-4:]]
    path = "".join(parts).lstrip(".")
    fqn = class_fqn(cls)
    return UnhashableValueError(
        f"Cannot hash field '{path}' of {fqn} ({cls.__qualname__}.{path}): {error.reason}. "
        "Nothing was written. Use scalars, str, bytes, Path, enum, datetime, containers, pydantic "
        "models, dataclasses or numpy arrays; a value that should not decide the identity can be "
        "marked Annotated[..., furu.skip_hash], but it is still stored and must be storable.",
        fqn=fqn,
        path=path,
        reason=error.reason,
        value=error.value,
    )


class _Sink:
    """Buffers small encodings and streams large buffers straight into the hasher.

    A hashing sink makes its hasher only when a large buffer arrives; a config of
    small values (nearly all of them) is then hashed in one call over the buffer,
    which gives the same digest as streaming it.
    """

    __slots__ = ("buf", "depth", "hasher", "hashing", "keep_streamed", "peak")

    def __init__(self, depth: int = 0, *, hashing: bool = False, keep_streamed: bool = True) -> None:
        self.buf = bytearray()
        self.hasher: xxhash.xxh3_128 | None = None
        self.hashing = hashing
        self.depth = depth  # JSON levels open around the value being encoded
        self.peak = depth  # the most levels seen so far
        self.keep_streamed = keep_streamed  # False: a check-only walk, whose large buffers need no copy

    def enter(self, levels: int) -> int:
        """Open ``levels`` JSON levels; the caller restores ``depth`` to the returned value."""
        outer = self.depth
        depth = outer + levels
        if depth > self.peak:
            if depth > MAX_JSON_DEPTH:
                raise _TooDeep
            self.peak = depth
        self.depth = depth
        return outer

    def stream(self, data: Any) -> None:
        if not self.hashing:
            if self.keep_streamed:
                self.buf += memoryview(data)  # not `+= data`: an ndarray would broadcast an addition
            return
        if self.hasher is None:
            self.hasher = xxhash.xxh3_128()
        if self.buf:
            self.hasher.update(self.buf)
            self.buf.clear()
        self.hasher.update(data)

    def hexdigest(self) -> str:
        assert self.hashing
        if self.hasher is None:
            return xxhash.xxh3_128_hexdigest(self.buf)
        self.hasher.update(self.buf)
        return self.hasher.hexdigest()


def _encode_fields(obj: Any, names: tuple[str, ...], sink: _Sink) -> None:
    sink.buf += b"%d;" % len(names)
    for name in names:
        encoded = _encoded_names.get(name)
        if encoded is None:
            encoded = _encoded_names[name] = _encode_alone_str(name)
        sink.buf += encoded
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
    text = b"%d" % value  # ValueError past Python's digit limit (sys.get_int_max_str_digits)
    if len(text) > MAX_INT_CHARS:
        raise ValueError("int too long to store")
    sink.buf += b"i%s;" % text


def _encode_float(value: float, sink: _Sink) -> None:
    sink.buf += b"f"
    sink.buf += _CANONICAL_NAN if value != value else struct.pack(">d", value)


def _encode_str(value: str, sink: _Sink) -> None:
    data = value.encode("utf-8")  # a lone surrogate cannot be stored: UnicodeEncodeError
    sink.buf += b"s%d:" % len(data)
    sink.buf += data


def _encode_alone_str(value: str) -> bytes:
    sink = _Sink()
    _encode_str(value, sink)
    return bytes(sink.buf)


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
    outer = sink.enter(SEQUENCE_LEVELS)
    sink.buf += b"l%d;" % len(value)
    for index, item in enumerate(value):
        try:
            _encode(item, sink)
        except _Unsupported as error:
            error.path.append(f"[{index}]")
            raise
    sink.depth = outer


def _encode_set(value: set[Any] | frozenset[Any], sink: _Sink) -> None:
    outer = sink.enter(SET_LEVELS)
    try:
        encoded = sorted(_encode_within(item, sink) for item in value)
    except _Unsupported as error:
        error.path.append("{...}")
        raise
    sink.buf += b"S%d;" % len(encoded)
    for item in encoded:
        sink.buf += b"%d:" % len(item)
        sink.buf += item
    sink.depth = outer


def _encode_mapping(value: dict[Any, Any], sink: _Sink) -> None:
    outer = sink.enter(MAPPING_LEVELS)
    try:
        keyed = sorted((_encode_within(key, sink), key) for key in value)
    except _Unsupported as error:
        error.path.append("[<key>]")
        raise
    sink.buf += b"m%d;" % len(keyed)
    for encoded_key, key in keyed:
        sink.buf += encoded_key
        try:
            _encode(value[key], sink)
        except _Unsupported as error:
            error.path.append(f"[{key!r}]")
            raise
    sink.depth = outer


def _encode_alone(value: Any) -> bytes:
    """Encode a set element or dict key on its own, so entries can be sorted."""
    sink = _Sink()
    _encode(value, sink)
    return bytes(sink.buf)


def _encode_within(value: Any, outer: _Sink) -> bytes:
    """:func:`_encode_alone` for a value nested in ``outer`` (its depth counts)."""
    sink = _Sink(outer.depth)
    _encode(value, sink)
    if sink.peak > outer.peak:
        outer.peak = sink.peak
    return bytes(sink.buf)


def _encode_furu(value: Config[Any], sink: _Sink) -> None:
    try:
        digest, depth = _identity(value)
    except UnhashableValueError as error:  # name the path from the outer config down
        path = [f".{error.path}"] if error.path else []
        raise _Unsupported(error.value, error.reason, path) from None
    outer = sink.enter(MODEL_LEVELS + depth)
    sink.depth = outer
    sink.buf += b"F"
    sink.buf += digest.encode("ascii")


def _encode_hash_of(value: HashOf, sink: _Sink) -> None:
    sink.buf += b"F"
    sink.buf += value.furu_hash.encode("ascii")


def _encode_model(value: BaseModel, sink: _Sink) -> None:
    outer = sink.enter(MODEL_LEVELS)
    sink.buf += b"M"
    _encode_str(class_fqn(type(value)), sink)
    _encode_fields(value, hashed_field_names(type(value)), sink)
    sink.depth = outer


def _encode_dataclass(value: Any, sink: _Sink) -> None:
    outer = sink.enter(MODEL_LEVELS)
    sink.buf += b"D"
    _encode_str(class_fqn(type(value)), sink)
    names = tuple(sorted(field.name for field in dataclasses.fields(value)))
    _encode_fields(value, names, sink)
    sink.depth = outer


def _encode_ndarray(value: Any, sink: _Sink) -> None:
    if value.dtype.hasobject:
        raise _Unsupported(value)
    dtype = value.dtype.str if value.dtype.fields is None else repr(value.dtype.descr)
    sink.buf += b"a"
    _encode_str(dtype, sink)
    sink.buf += b"(%s);" % b",".join(b"%d" % n for n in value.shape)
    sink.buf += b"%d:" % value.nbytes
    _stream_c_order(value, sink)


def _stream_c_order(value: Any, sink: _Sink) -> None:
    """Stream an array's bytes in C order: the buffer itself when contiguous, else bounded copies.

    A contiguous array goes to the hasher as it is (the buffer protocol, no copy). Any
    other layout (a transpose, a slice with steps, Fortran order) is copied one block of
    whole leading-axis slices of at most ``_ARRAY_BLOCK`` bytes at a time, recursing into a
    slice that alone is larger, so hashing never holds a second copy of a big array and
    takes a few dozen numpy calls, not one per row. The bytes are the same either way.
    """
    if value.flags.c_contiguous:
        sink.stream(value.reshape(-1).view("u1"))
        return
    numpy = sys.modules["numpy"]
    if value.nbytes <= _ARRAY_BLOCK:
        sink.stream(numpy.ascontiguousarray(value).reshape(-1).view("u1"))
        return
    rows = value.shape[0]
    row_bytes = value.nbytes // rows
    if row_bytes > _ARRAY_BLOCK:
        for index in range(rows):
            _stream_c_order(value[index], sink)
        return
    step = _ARRAY_BLOCK // row_bytes
    for start in range(0, rows, step):
        sink.stream(numpy.ascontiguousarray(value[start : start + step]).reshape(-1).view("u1"))


def _encode_numpy_scalar(value: Any, sink: _Sink) -> None:
    _encode(value.item(), sink)


def _encoder_for_subclass(value: Any) -> Callable[[Any, _Sink], None]:
    if is_config(value):
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
    HashOf: _encode_hash_of,
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
