"""Every config furu can hash survives to_dict -> JSON on disk -> from_dict with the same hash.

This is what keeps ``furu gc`` from calling a good result stale: gc rebuilds each
artifact's stored config and checks that it rehashes to the artifact's directory.
The classes are at module level so ``from_dict`` can import them
(``test_roundtrip_property.Typed``), as it does for a user's classes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from pydantic import BaseModel

import furu
from examples import Color, Everything, Train
from furu.atomic import read_model, write_model
from furu.metadata import ConfigRecord
from furu.serialization import describe


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Perm(enum.Flag):
    R = 1
    W = 2


class Box(BaseModel):
    value: Any = None


@dataclasses.dataclass(frozen=True)
class Pair:
    left: Any = None
    right: Any = None


class Leaf(furu.Furu[None]):
    value: Any = None


class LeafChild(Leaf):
    extra: int = 0


class Typed(furu.Furu[None]):
    """Typed fields whose plain JSON form pydantic must turn back into the same values."""

    points: dict[tuple[int, int], float] = {}
    names: dict[int, str] = {}
    by_color: dict[Color, int] = {}
    tags: frozenset[str] = frozenset()
    sizes: tuple[int, ...] = ()
    paths: list[Path] = []
    color: Color | None = None
    level: Level = Level.LOW
    path: Path | None = None
    when: dt.datetime | None = None
    day: dt.date | None = None
    clock: dt.time | None = None
    span: dt.timedelta | None = None
    ratio: float = 0.0
    dependency: Leaf | None = None
    box: Box | None = None
    pair: Pair | None = None
    anything: Any = None


def stored_round_trip(obj: furu.Furu[Any], tmp_path: Path) -> furu.Furu[Any]:
    """What gc does: read config.json as furu wrote it and rebuild the config from it."""
    record = ConfigRecord(
        fqn=obj.furu_fqn(), hash=obj.furu_hash, version="", config=obj.to_dict(), python="", declared_dependencies=[]
    )
    path = tmp_path / "config.json"
    write_model(path, record, fsync=False)
    stored = read_model(path, ConfigRecord).config
    return furu.Furu.from_dict(stored)


# -- strategies ----------------------------------------------------------------------

offsets = st.sampled_from([None, dt.timezone.utc, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(-dt.timedelta(hours=8))])
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
tag_like = st.sampled_from(["__class__", "__tuple__", "__set__", "__bytes__", "__float__", "__ndarray__", "__dict__", "__enum__", "__x__"])
ints = st.integers() | st.sampled_from([2**63, -(2**64) - 1, 10**4299, -(10**4298)])  # 4300 chars: the limit
floats = st.floats() | st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 0.0, 5e-324])
datetimes = st.builds(lambda d, tz: d.replace(tzinfo=tz), st.datetimes(), offsets)
times = st.builds(lambda t, tz: t.replace(tzinfo=tz), st.times(), offsets)
paths = st.builds(Path, st.text(st.sampled_from("ab./_é"), max_size=6))
enums = st.sampled_from([Color.RED, Color.BLUE, Level.LOW, Level.HIGH, Perm.R, Perm.R | Perm.W])
numpy_scalars = st.sampled_from([np.float32(1.5), np.int64(-3), np.bool_(True), np.float64("nan"), np.uint8(255)])

hashable_leaves = st.one_of(
    st.none(), st.booleans(), ints, floats, texts, tag_like, st.binary(max_size=4), paths, enums,
    datetimes, st.dates(), times, st.timedeltas(), numpy_scalars,
)  # fmt: skip
hashables = st.recursive(
    hashable_leaves,
    lambda children: st.tuples(children, children) | st.frozensets(children, max_size=2) | st.lists(children, max_size=2).map(tuple),
    max_leaves=6,
)
arrays = hnp.arrays(
    st.sampled_from([np.dtype("<i2"), np.dtype(">f8"), np.dtype("?"), np.dtype("<M8[s]"), np.dtype([("a", "<i4"), ("b", "<f4")])]),
    hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=2),
        st.lists(children, max_size=2).map(tuple),
        st.sets(hashables, max_size=2),
        st.frozensets(hashables, max_size=2),
        st.dictionaries(texts | tag_like, children, max_size=2),
        st.dictionaries(hashables, children, max_size=2),
        st.builds(Box, value=children),
        st.builds(Pair, children, children),
        st.builds(Leaf, value=children),
        st.builds(LeafChild, value=children, extra=st.integers(-5, 5)),
    )


values = st.recursive(hashable_leaves | arrays, containers, max_leaves=8)

typed = st.builds(
    Typed,
    points=st.dictionaries(st.tuples(st.integers(), st.integers()), st.floats(), max_size=2),
    names=st.dictionaries(st.integers(), texts, max_size=2),
    by_color=st.dictionaries(st.sampled_from(Color), st.integers(), max_size=2),
    tags=st.frozensets(texts | tag_like, max_size=2),
    sizes=st.lists(ints, max_size=2).map(tuple),
    paths=st.lists(paths, max_size=2),
    color=st.none() | st.sampled_from(Color),
    level=st.sampled_from(Level),
    path=st.none() | paths,
    when=st.none() | datetimes,
    day=st.none() | st.dates(),
    clock=st.none() | times,
    span=st.none() | st.timedeltas(),
    ratio=floats,
    dependency=st.none() | st.builds(Leaf, value=values) | st.builds(LeafChild, value=values),
    box=st.none() | st.builds(Box, value=values),
    pair=st.none() | st.builds(Pair, values, values),
    anything=values,
)


@settings(max_examples=200, deadline=None)
@given(typed)
def test_typed_and_untyped_fields_round_trip_with_the_same_hash(tmp_path_factory: pytest.TempPathFactory, obj: Typed) -> None:
    rebuilt = stored_round_trip(obj, tmp_path_factory.mktemp("config"))
    assert type(rebuilt) is Typed
    assert rebuilt.furu_hash == obj.furu_hash


@settings(max_examples=200, deadline=None)
@given(values)
def test_any_value_round_trips_with_the_same_hash(tmp_path_factory: pytest.TempPathFactory, value: Any) -> None:
    obj = Leaf(value=value)
    rebuilt = stored_round_trip(obj, tmp_path_factory.mktemp("config"))
    assert rebuilt.furu_hash == obj.furu_hash


# -- the cases from issue 9, pinned ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {(1, 2): "tuple key"},
        {1: "a", 2.5: "b", None: "c", True: "d", b"k": "e", Color.RED: "f", frozenset({1}): "g"},
        {"__class__": "not.A.Class", "x": 1},
        {"__tuple__": [1, 2]},
        {"__set__": [], "__bytes__": "", "__float__": "nan", "__ndarray__": ""},
        {frozenset({frozenset({1})}): {(Path("a"), dt.date(2026, 1, 2)): [Level.HIGH]}},
        {Color.RED: 1, "red": 2},
    ],
)
def test_non_str_and_tag_like_keys_come_back_as_they_were(tmp_path: Path, value: dict[Any, Any]) -> None:
    obj = Leaf(value=value)
    rebuilt = stored_round_trip(obj, tmp_path)
    assert rebuilt.value == value
    assert [type(key) for key in rebuilt.value] == [type(key) for key in value]
    assert rebuilt.furu_hash == obj.furu_hash


def test_one_and_true_and_one_point_oh_keys_stay_apart(tmp_path: Path) -> None:
    hashes = set()
    for key in (1, True, 1.0):
        obj = Leaf(value={key: "x"})
        rebuilt = stored_round_trip(obj, tmp_path)
        assert type(next(iter(rebuilt.value))) is type(key)
        assert rebuilt.furu_hash == obj.furu_hash
        hashes.add(obj.furu_hash)
    assert len(hashes) == 3


def test_untyped_scalars_keep_their_kind(tmp_path: Path) -> None:
    value = [Color.BLUE, Path("a/b"), dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc), dt.date(2026, 1, 2), dt.time(5, 6), dt.timedelta(days=-1, microseconds=7)]
    rebuilt = stored_round_trip(Leaf(value=value), tmp_path)
    assert rebuilt.value == value
    assert [type(item) for item in rebuilt.value] == [Color, type(Path("a")), dt.datetime, dt.date, dt.time, dt.timedelta]


def test_common_configs_keep_the_plain_stored_format() -> None:
    """Existing metadata still reads, and catalog queries like lr>1e-3 or data.name=toy still see values."""
    assert Train(lr=0.1).to_dict() == {
        "__class__": "examples.Train",
        "data": {"__class__": "examples.PrepareData", "name": "toy", "rows": 5},
        "lr": 0.1,
        "note": "",
    }
    stored = Everything(when=dt.date(2026, 1, 2), table={"a": 2.0}).to_dict()
    assert (stored["path"], stored["color"], stored["table"]) == ("data/x.csv", "red", {"a": 2.0})
    assert stored["when"] == {"__date__": "2026-01-02"}  # an Any field: tagged, or it would come back a str
    typed = Typed(color=Color.BLUE, path=Path("p"), day=dt.date(2026, 1, 2), span=dt.timedelta(seconds=90), by_color={Color.RED: 1}).to_dict()
    assert (typed["color"], typed["path"], typed["day"], typed["span"], typed["by_color"]) == ("blue", "p", "2026-01-02", 90.0, {"red": 1})
    assert Typed(names={1: "a"}).to_dict()["names"] == {"__dict__": [[1, "a"]]}


def test_metadata_written_before_this_change_still_reads() -> None:
    old = {"__class__": "examples.Everything", "when": {"t": {"__tuple__": [1, 2]}, "s": {"__set__": [3]}}, "color": "blue", "path": "x"}
    rebuilt = Everything.from_dict(old)
    assert rebuilt.when == {"t": (1, 2), "s": {3}} and rebuilt.color is Color.BLUE and rebuilt.path == Path("x")


def test_describe_shows_the_new_forms_like_python() -> None:
    stored = Leaf(value={(1, 2): Color.RED, 3: Path("a"), "k": dt.timedelta(days=1, seconds=2)}).to_dict()["value"]
    assert describe(stored) == '{(1, 2): Color("red"), 3: Path("a"), "k": timedelta(days=1, seconds=2)}'
    assert describe(Leaf(value={"__class__": 1}).to_dict()["value"]) == '{"__class__": 1}'
    assert describe(Leaf(value=dt.date(2026, 1, 2)).to_dict()["value"]) == "2026-01-02"


def test_to_python_rebuilds_non_str_keys_and_frozensets() -> None:
    obj = Leaf(value={(1, 2): frozenset({frozenset({1})}), None: {Color.RED}})
    namespace: dict[str, Any] = {}
    exec(obj.to_python().replace("\n\nLeaf(", "\n\nresult = Leaf("), namespace)  # noqa: S102
    assert namespace["result"].furu_hash == obj.furu_hash
    assert namespace["result"].value == obj.value


def test_diff_and_query_address_non_str_keys_by_their_text() -> None:
    from furu.diffing import diff_configs
    from furu.query import config_value

    a = Typed(names={1: "a", 2: "b"}).to_dict()
    b = Typed(names={1: "a", 2: "c"}).to_dict()
    changes = diff_configs(a, b)
    assert [(change.path, change.a, change.b) for change in changes] == [("names.2", "b", "c")]
    assert config_value(b, ["names", "2"]) == "c"
    assert json.loads(json.dumps(b)) == b
