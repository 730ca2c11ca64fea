"""Identity: what goes into furu_hash, and that it never changes by accident."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import furu
from examples import Color, Everything, Optimizer, PrepareData, PrepareDataShuffled, Train, Window

# Pinned values: if one of these changes, every user's cache is invalidated.
# Only change them together with furu.identity.FORMAT_TAG and a CHANGELOG entry.
VECTORS = {
    "PrepareData()": (lambda: PrepareData(), "8a9041454be4f3f9660578599547bccb"),
    "Train()": (lambda: Train(), "9a881b96f8d5c5f59caa5fa04595aefc"),
    "Train(lr=3e-4)": (lambda: Train(lr=3e-4), "93cc165e8de0449734818daa4ec8edec"),
    "Everything()": (lambda: Everything(), "af8692538a9fc8e63a1499b81f336fc9"),
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_hash_test_vectors(name: str) -> None:
    build, expected = VECTORS[name]
    assert build().furu_hash == expected


def test_hash_is_32_hex_chars_and_cached() -> None:
    train = Train(lr=0.1)
    assert len(train.furu_hash) == 32
    int(train.furu_hash, 16)
    assert train.furu_hash is train.furu_hash


def test_equal_configs_hash_equal_and_different_configs_differ() -> None:
    assert Train(lr=0.1).furu_hash == Train(lr=0.1).furu_hash
    assert Train(lr=0.1).furu_hash != Train(lr=0.2).furu_hash
    assert Train(data=PrepareData(rows=6)).furu_hash != Train().furu_hash


def test_skip_hash_fields_are_stored_but_not_hashed() -> None:
    assert Train(note="first try").furu_hash == Train(note="").furu_hash
    assert Train(note="first try").to_dict()["note"] == "first try"


def test_version_is_part_of_the_identity() -> None:
    class Model(furu.Furu[int], version="1"):
        x: int = 1

    first = Model().furu_hash

    class Model(furu.Furu[int], version="2"):  # type: ignore[no-redef]
        x: int = 1

    assert Model.furu_version == "2"
    assert Model().furu_hash != first


def test_subclass_keeps_its_identity_through_a_parent_typed_field() -> None:
    shuffled = PrepareDataShuffled(seed=3)
    train = Train(data=shuffled)
    assert type(train.data) is PrepareDataShuffled
    assert train.furu_hash != Train(data=PrepareData()).furu_hash
    assert train.furu_hash != Train(data=PrepareDataShuffled(seed=4)).furu_hash


def test_nested_furu_contributes_its_cached_hash() -> None:
    data = PrepareData(rows=7)
    calls = []
    original = furu.identity._compute_hash

    def counting(obj: Any) -> tuple[str, int]:
        calls.append(type(obj).__name__)
        return original(obj)

    furu.identity._compute_hash = counting
    try:
        for lr in (0.1, 0.2, 0.3):
            Train(data=data, lr=lr).furu_hash
    finally:
        furu.identity._compute_hash = original
    assert calls == ["Train", "PrepareData", "Train", "Train"]


def test_every_supported_value_kind_changes_the_hash() -> None:
    base = Everything()
    changed = [
        Everything(flag=False),
        Everything(count=4),
        Everything(ratio=0.25),
        Everything(text="hello"),
        Everything(blob=b"\x00"),
        Everything(path=Path("data/y.csv")),
        Everything(color=Color.BLUE),
        Everything(when=dt.datetime(2026, 1, 1, 12, 0)),
        Everything(when=dt.date(2026, 1, 1)),
        Everything(when=dt.timedelta(seconds=3)),
        Everything(items=[2, 1]),
        Everything(pair=(2, "a")),
        Everything(tags=frozenset({"a"})),
        Everything(table={"a": 2.0}),
        Everything(optimizer=Optimizer(name="sgd")),
        Everything(window=Window(0, 11)),
        Everything(maybe=0),
        Everything(when=np.arange(3)),
        Everything(when=np.float32(1.5)),
    ]
    hashes = {obj.furu_hash for obj in changed}
    assert len(hashes) == len(changed)
    assert base.furu_hash not in hashes


def test_type_tags_keep_look_alike_values_apart() -> None:
    values = [1, 1.0, True, "1", b"1", [1], (1,), {1}, {"1": 1}, None, Path("1")]
    hashes = {Everything(when=value).furu_hash for value in values}
    assert len(hashes) == len(values) - 1  # by design a list and a tuple of the same items coincide


def test_set_and_dict_order_do_not_matter() -> None:
    assert Everything(when={3, 1, 2}).furu_hash == Everything(when={2, 3, 1}).furu_hash
    assert Everything(when={"b": 1, "a": 2}).furu_hash == Everything(when={"a": 2, "b": 1}).furu_hash


def test_nan_and_signed_zero() -> None:
    assert Everything(ratio=math.nan).furu_hash == Everything(ratio=float("nan")).furu_hash
    assert Everything(ratio=0.0).furu_hash != Everything(ratio=-0.0).furu_hash


def test_numpy_arrays_hash_by_dtype_shape_and_content() -> None:
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert Everything(when=a).furu_hash == Everything(when=a.copy()).furu_hash
    assert Everything(when=a).furu_hash != Everything(when=a.astype(np.float32)).furu_hash
    assert Everything(when=a).furu_hash != Everything(when=a.reshape(4, 3)).furu_hash
    # A non-contiguous view hashes like the same values in C order.
    assert Everything(when=a.T).furu_hash == Everything(when=np.ascontiguousarray(a.T)).furu_hash
    assert Everything(when=a[:, ::2]).furu_hash == Everything(when=a[:, ::2].copy()).furu_hash


def test_unsupported_values_name_the_field_path() -> None:
    with pytest.raises(furu.UnhashableValueError, match=r"field 'when\['a'\]\[1\]' of examples.Everything.*builtins.object"):
        Everything(when={"a": [1, object()]}).furu_hash
    assert issubclass(furu.UnhashableValueError, furu.FuruError)
    with pytest.raises(TypeError, match=r"field 'when' .*numpy.ndarray"):  # also a furu.FuruError
        Everything(when=np.array([object()], dtype=object)).furu_hash


def test_locals_are_refused_without_the_env_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FURU_ALLOW_LOCAL_CLASSES")
    furu.settings.clear_settings_cache()

    class Local(furu.Furu[int]):
        x: int = 1

    with pytest.raises(furu.FuruNamespaceError, match="FURU_ALLOW_LOCAL_CLASSES=1"):
        Local().furu_hash
    monkeypatch.setenv("FURU_ALLOW_LOCAL_CLASSES", "1")
    assert Local().furu_fqn() == "test_identity.test_locals_are_refused_without_the_env_flag.<locals>.Local"


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(), st.binary()
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=5), children, max_size=4),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(values, values)
def test_hash_equality_follows_value_equality(a: Any, b: Any) -> None:
    same = _strict_equal(a, b)
    assert (Everything(when=a).furu_hash == Everything(when=b).furu_hash) == same


@settings(max_examples=100, deadline=None)
@given(values)
def test_hash_survives_a_to_dict_round_trip(value: Any) -> None:
    obj = Everything(when=value)
    assert Everything.from_dict(obj.to_dict()).furu_hash == obj.furu_hash


def _strict_equal(a: Any, b: Any) -> bool:
    """Equality that, like the encoding, tells 1, 1.0 and True apart."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return a.hex() == b.hex()
    return bool(a == b)


@pytest.mark.parametrize(
    ("value", "encoding"),
    [
        (None, b"N"),
        (True, b"T"),
        (-12, b"i-12;"),
        (1.5, b"f?\xf8\x00\x00\x00\x00\x00\x00"),
        ("hé", b"s3:h\xc3\xa9"),
        (b"\x00", b"b1:\x00"),
        (Path("a/b"), b"ps3:a/b"),
        ([1, "a"], b"l2;i1;s1:a"),
        ({"b": 1, "a": None}, b"m2;s1:aNs1:bi1;"),
        ({2, 1}, b"S2;3:i1;3:i2;"),
        (dt.date(2026, 11, 26), b"ys10:2026-11-26"),
        (Color.RED, b"es14:examples.Colors3:red"),
    ],
)
def test_canonical_encoding_is_pinned(value: Any, encoding: bytes) -> None:
    assert furu.identity._encode_alone(value) == encoding
