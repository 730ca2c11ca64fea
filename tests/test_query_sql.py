"""The SQL form of filters and sorts selects and orders exactly what the Python form does.

The catalog's index (furu.catalog.store) answers ``furu ls``, the dashboard and the TUI from
SQLite; these tests build the same tables in memory and compare, row for row, with
``Filter.test`` and ``sort_items`` over the same records.
"""

from __future__ import annotations

import json
import math
import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from furu.statuses import STATUSES
from furu.query import (
    DRIFTED_CODE_SCHEMA,
    DRIFTED_CODE_TABLE,
    STALE_SCHEMA,
    STALE_TABLE,
    And,
    Expression,
    FuruQueryError,
    Not,
    Or,
    Term,
    filter_paths,
    flatten_config,
    parse_expression,
    parse_filter,
    parse_sort,
    parse_time,
    sort_items,
    sort_sql,
    sql_regexp,
)

SCHEMA = """
CREATE TABLE shards (id INTEGER PRIMARY KEY, fqn TEXT NOT NULL UNIQUE, namespace TEXT NOT NULL,
  version_controlled INTEGER NOT NULL);
CREATE TABLE artifacts (id INTEGER PRIMARY KEY, shard INTEGER NOT NULL, class_dir TEXT NOT NULL, hash TEXT NOT NULL,
  fqn TEXT NOT NULL, version_controlled INTEGER NOT NULL, status TEXT NOT NULL,
  created REAL, updated REAL, started REAL, ended REAL, tags TEXT NOT NULL DEFAULT '[]',
  name TEXT, size_bytes INTEGER, host TEXT, user TEXT, code_file TEXT, module_digest TEXT, details_stamp INTEGER,
  UNIQUE (class_dir, hash));
CREATE TABLE deps (artifact INTEGER NOT NULL, loaded INTEGER NOT NULL, fqn TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX artifacts_code ON artifacts (code_file, module_digest) WHERE code_file IS NOT NULL;
CREATE TABLE fields (artifact INTEGER NOT NULL, shard INTEGER NOT NULL, path TEXT NOT NULL, kind TEXT NOT NULL,
  num REAL, text TEXT);
CREATE INDEX fields_path_num ON fields (path, num); CREATE INDEX fields_path_text ON fields (path, text);
CREATE INDEX fields_artifact ON fields (artifact);
"""
NOW = 1_790_000_000.0  # when running artifacts' runtime ends, in both forms


# Each class's module (a qualname may hold dots) and whether its artifacts are version-controlled.
NAMESPACES = {"m.Train": "m", "pkg.m.Train": "pkg.m", "m.TrainX": "m", "m.Eval": "m", "x.Train.Inner": "x",
              "Train": "", "m.rain": "m"}
VERSION_CONTROLLED = {"pkg.m.Train", "x.Train.Inner"}
# Today's digest of each code file a fingerprint names (gone.py is gone), as furu.fingerprint would read it.
CODE_NOW = {"a.py": "1", "b.py": "2"}


@dataclass
class Rec:
    """What the Python filters read from an entry, with runtime ending at NOW as Entry's does at time.time()."""

    id: int
    fqn: str = "m.Train"
    hash: str = "0" * 32
    status: str = "success"
    created_ts: float | None = None
    updated_ts: float | None = None
    started_ts: float | None = None
    ended_ts: float | None = None
    tags: list[str] = field(default_factory=list)
    name: str | None = None
    size_bytes: int | None = None
    host: str | None = None
    user: str | None = None
    config: dict[str, Any] | None = None
    code_file: str | None = None
    module_digest: str | None = None
    depends_on: list[tuple[str, bool]] | None = None
    """(hash, loaded) rows of its details; None: details not read."""
    stale: bool | None = None

    @property
    def dependency_count(self) -> int | None:
        return None if self.depends_on is None else len({h for h, _loaded in self.depends_on})

    @property
    def namespace(self) -> str:
        return NAMESPACES.get(self.fqn, self.fqn.rpartition(".")[0])

    @property
    def version_controlled(self) -> bool:
        return self.fqn in VERSION_CONTROLLED

    @property
    def code_changed(self) -> bool | None:
        """As ArtifactRecord.code_changed: None with no fingerprint, else whether the file's digest differs now."""
        if self.code_file is None:
            return None
        return CODE_NOW.get(self.code_file) != self.module_digest

    @property
    def runtime_secs(self) -> float | None:
        if self.started_ts is None:
            return None
        end = self.ended_ts
        if end is None:
            if self.status not in ("running", "queued"):
                return None
            end = NOW
        return max(0.0, end - self.started_ts)


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.execute(DRIFTED_CODE_SCHEMA)
    db.execute(STALE_SCHEMA)
    db.create_function("regexp", 2, sql_regexp, deterministic=True)
    return db


def insert(db: sqlite3.Connection, records: list[Rec]) -> None:
    for r in records:
        db.execute(
            "INSERT OR IGNORE INTO shards (fqn, namespace, version_controlled) VALUES (?, ?, ?)",
            (r.fqn, r.namespace, int(r.version_controlled)),
        )
        (shard,) = db.execute("SELECT id FROM shards WHERE fqn = ?", (r.fqn,)).fetchone()
        db.execute(
            "INSERT INTO artifacts (id, shard, class_dir, hash, fqn, version_controlled, status, created, updated,"
            " started, ended, tags, name, size_bytes, host, user, code_file, module_digest, details_stamp)"
            " VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.id, shard, f"{r.fqn}-{r.id}", r.hash, r.fqn, r.status, r.created_ts, r.updated_ts, r.started_ts, r.ended_ts,
             json.dumps(r.tags), r.name, r.size_bytes, r.host, r.user, r.code_file, r.module_digest,
             None if r.depends_on is None else 1),
        )
        db.executemany("INSERT INTO deps VALUES (?, ?, 'm.Data', ?)", [(r.id, int(loaded), h) for h, loaded in r.depends_on or []])
        if r.stale:  # what furu.catalog.stale.note_stale writes: the stale successes' ids
            db.execute(f"INSERT INTO {STALE_TABLE} VALUES (?)", (r.id,))
        if r.code_changed:  # what furu.catalog.drift.note_drifted_code writes: the pairs whose file differs now
            db.execute(f"INSERT OR IGNORE INTO {DRIFTED_CODE_TABLE} VALUES (?, ?)", (r.code_file, r.module_digest))
        db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?, ?)", [(r.id, shard, *row) for row in flatten_config(r.config)])


def selected(db: sqlite3.Connection, expression: Expression) -> list[int]:
    """The ids the clause selects; its per-row form selects the same, and its count query counts them."""
    forms = []
    for per_row in (False, True):
        clause, params = expression.sql(NOW, per_row=per_row)
        forms.append([row[0] for row in db.execute(f"SELECT a.id FROM artifacts a WHERE {clause} ORDER BY a.id", params)])
    assert forms[0] == forms[1], expression.text
    query, params = expression.count_sql(NOW)
    assert db.execute(query, params).fetchone()[0] == len(forms[0]), expression.text
    return forms[0]


def ordered(db: sqlite3.Connection, keys: str, reverse: bool = False) -> list[int]:
    order = sort_sql(keys, reverse=reverse, now=NOW)
    return [row[0] for row in db.execute(f"SELECT a.id FROM artifacts a ORDER BY {order}")]


# -- flatten_config --------------------------------------------------------------------------------


def test_flatten_config_rows():
    config = {
        "__class__": "m.Train",
        "lr": 0.001,
        "epochs": 3,
        "flag": True,
        "off": None,
        "bad": math.nan,
        "big": 10**400,
        "note": "hi",
        "data": {"__class__": "m.Shuffled", "name": "toy"},
        "plain": {"__dict__": [[1, "one"]]},
        "pair": {"__tuple__": [1, "b"]},
        "xs": [],
        "a.b": 5,
    }
    assert flatten_config(config) == [
        ("__class__", "str", None, "m.Train"),
        ("bad", "num", None, "nan"),
        ("big", "num", math.inf, str(10**400)),
        ("data", "class", None, "m.Shuffled"),
        ("data.__class__", "str", None, "m.Shuffled"),
        ("data.name", "str", None, "toy"),
        ("epochs", "num", 3.0, "3"),
        ("flag", "bool", 1.0, "True"),
        ("lr", "num", 0.001, "0.001"),
        ("note", "str", None, "hi"),
        ("off", "null", None, "None"),
        ("pair", "other", None, "[1, 'b']"),
        ("pair.0", "num", 1.0, "1"),
        ("pair.1", "str", None, "b"),
        ("plain", "other", None, "{'1': 'one'}"),
        ("plain.1", "str", None, "one"),
        ("xs", "other", None, "[]"),
    ]  # "a.b" names a key no filter can reach (a.b is data a, field b): left out
    assert flatten_config(None) == [] and flatten_config({}) == []


# -- random configs: every operator through SQL and Python ------------------------------------------

KEYS = st.sampled_from(["a", "b", "lr", "0", "data", "__class__", "a.b", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e-3, 2**53 + 1]),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=6),
    st.sampled_from(["", "a", "A", "true", "none", "m.Train", "Train", "1", "0.001", "1e-3", "nan"]),
)


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(KEYS, children, max_size=3),
        st.builds(lambda cls, d: {**d, "__class__": cls}, st.sampled_from(["m.Train", "pkg.m.Train", "Train", "m.X"]),
                  st.dictionaries(KEYS, children, max_size=3)),
        st.lists(children, max_size=3).map(lambda items: {"__tuple__": items}),
        st.lists(st.tuples(st.sampled_from(["a", "b", "lr"]), children), max_size=2).map(
            lambda pairs: {"__dict__": [list(pair) for pair in pairs]}
        ),
    )


CONFIGS = st.dictionaries(KEYS, st.recursive(SCALARS, containers, max_leaves=8), max_size=4)
OPS = ["=", "!=", "~", "!~", ">", ">=", "<", "<="]


@st.composite
def config_filters(draw: st.DrawFn, config: dict[str, Any]) -> str:
    paths = sorted(path for path in filter_paths(config) if path and all(path.split(".")))
    path = draw(st.sampled_from(paths) if paths and draw(st.booleans()) else st.sampled_from(["lr", "a.0", "zz"]))
    op = draw(st.sampled_from(OPS))
    texts = sorted({row[3] for row in flatten_config(config) if row[3] is not None})
    if op in ("~", "!~"):
        value = draw(st.one_of(st.sampled_from(["^a", "1", "e", "^$", "Tr", r"\.", "None", "True", r"^\[", ".*"]),
                               st.sampled_from(texts or ["x"]).map(re.escape)))
    else:
        value = draw(st.one_of(
            st.sampled_from(texts or ["x"]),
            st.sampled_from(["", "true", "false", "yes", "0", "1", "none", "null", "nan", "inf", "-inf", "1e-3",
                             "0.5", "Train", "m.Train", "Train,Eval", "9007199254740993", "1_0", "A", "a"]),
            st.text(st.characters(blacklist_categories=["Cs"]), max_size=4),
        ))
    return f"config.{path}{op}{value}"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), CONFIGS)
def test_config_filters_agree_with_python(data: st.DataObject, config: dict[str, Any]):
    text = data.draw(config_filters(config))
    try:
        f = parse_filter(text)
    except FuruQueryError:
        assume(False)
        return
    db = connect()
    insert(db, [Rec(1, config=config)])
    for expression in (Term(f), Not(Term(f))):
        expected = [1] if expression.test(Rec(1, config=config)) else []
        assert selected(db, expression) == expected, (text, flatten_config(config))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CONFIGS, min_size=2, max_size=5), st.sampled_from(["a", "b", "lr", "0", "a.0", "data", "b.a"]),
       st.booleans())
def test_config_sorts_agree_with_python(configs: list[dict[str, Any]], key: str, flipped: bool):
    records = [Rec(index + 1, config=config) for index, config in enumerate(configs)]
    db = connect()
    insert(db, records)
    keys = ("-" if flipped else "") + key
    assert ordered(db, keys) == [r.id for r in sort_items(records, keys)]
    assert ordered(db, keys, reverse=True) == [r.id for r in sort_items(records, keys, reverse=True)]


@pytest.mark.parametrize(
    ("config", "text", "matches"),
    [
        ({"n": 2**53 + 1}, "n=9007199254740992", True),  # compared as the float the index holds
        ({"n": 10**400}, "n>1e308", True),
        ({"n": 10**400}, "n=inf", True),
        ({"n": math.nan}, "n!=1", True),
        ({"n": math.nan}, "n=nan", False),
        ({"n": 1.0}, "n!=nan", True),
        ({"flag": True}, "flag>false", True),
        ({"flag": True}, "flag=2", False),
        ({"flag": True}, "flag!=2", True),
        ({"d": {"__class__": "pkg.m.Train"}}, "d=m.Train", True),
        ({"d": {"__class__": "pkg.m.Train"}}, "d=.Train", False),
        ({"d": {"a": 1}}, "d=", False),  # a plain dict has no class name to compare
        ({"d": {"a": 1}}, "d!=x", True),
        ({"xs": [1, 2]}, "xs~^\\[1", True),
        ({"xs": [1, 2]}, "xs.00=1", False),  # list indices as written by config_paths only
        ({"s": None}, "s=", True),
        ({"s": None}, "s>=none", False),
    ],
)
def test_config_filter_examples(config: dict[str, Any], text: str, matches: bool):
    db = connect()
    insert(db, [Rec(1, config=config)])
    f = parse_filter(text)
    assert f.test(Rec(1, config=config)) is matches
    assert selected(db, Term(f)) == ([1] if matches else [])


# -- a few hundred random records: built-in keys, expressions, sorts ----------------------------------

BUILTIN_FILTERS = [
    "status=success", "status=failed,crashed", "status!=success", "status!=running,queued", "status=",
    "class=Train", "class=m.Train", "class=Train,Eval", "class=rain", "class!=Train", "class= ,", "class~^pkg",
    "class!~Train$", "class>m", "class<=m.Train", "fqn=Eval",
    "hash=ab", "hash=AB", "hash=", "hash!=a", "hash~^a", "hash!~b", "hash>8", "hash<=c",
    "tag=best", "tag!=best", "tag~^pa", "tag!~e", "tag=",
    "name=foo", "name=", "name=foo,bar", "name=a,b", "name!=foo", "name!=", "name~o", "name!~^$", "name>f",
    "name<foo", "name>=",
    "namespace=m", "namespace=pkg", "namespace=pkg.m,x", "namespace!=m", "namespace=", "namespace~^p",
    "namespace!~m$", "namespace>m", "version_controlled=true", "version_controlled!=true", "version_controlled=0",
    "host=gpu1", "host=gpu1,gpu2", "host!=gpu1", "host~^gpu", "host!~1$", "host=", "host>h", "user=ana", "user!=ana",
    "user~n", "user=", "user<=ana",
    "created=2026-11-01", "created!=2026-11-01", "created>2026-11-01", "created>=2026-11-01",
    "created<2026-11-01", "created<=2026-11-01", "created>2026-11-01T14:00", "created<=2026-11-01T14:00",
    "created=2026-11-01T14:00", "created>7d", "created<=7d", "created>=today", "updated<yesterday",
    "updated>=2026-11-01", "updated!=2026-11-02", "updated<=2026-11-02T00:00:00+00:00",
    "runtime>1h", "runtime>=90s", "runtime<10s", "runtime<=0", "runtime=5s", "runtime!=5s", "runtime>1h30m",
    "size>1GB", "size>=1000", "size<10k", "size<=0", "size=1000", "size!=1000",
    "lr>1e-3", "lr=0.001", "lr!=0.001", "lr=none", "lr!=null", "lr>=a", "lr~^0", "lr!~e", "lr<0.5",
    "flag=true", "flag>false", "flag=2", "flag!=yes", "data=Data", "data=Train", "data!=m.Train", "data>M",
    "data~Data", "data.name=toy", "data.__class__~Train", "xs.0>1", "xs=1", "xs!=1", "xs~1", "missing=1",
    "missing!=1", "config.name=toy", "config.status=x",
    "code_changed=true", "code_changed=false", "code_changed!=true", "code_changed=no", "code_changed!=0",
    "stale=true", "stale=false", "stale!=true",
]
SELECT_ALL_OR_NOTHING = {
    "namespace=", "status=", "hash=", "tag=", "class= ,", "name=a,b", "name>=", "hash>8", "flag=2", "lr>=a",
    "created=2026-11-01T14:00", "missing=1", "missing!=1",
}
BOUNDS = sorted({b for text in BUILTIN_FILTERS if (f := parse_filter(text)).bounds for b in f.bounds})


def random_records(count: int, seed: int) -> list[Rec]:
    rng = random.Random(seed)
    times = [None, *BOUNDS, *(b - 1 for b in BOUNDS), *(b + 0.5 for b in BOUNDS)]
    records = []
    for index in range(count):
        started = rng.choice([None, NOW - 10, NOW - 3600, NOW - 5, NOW - 7200, NOW + 5, 1.0])
        ended = rng.choice([None, None, (started or NOW) + rng.choice([0, 5, 90, 5400, -3])])
        records.append(Rec(
            id=index + 1,
            fqn=rng.choice(["m.Train", "pkg.m.Train", "m.TrainX", "m.Eval", "x.Train.Inner", "Train", "m.rain"]),
            hash=rng.choice(["ab", "a0", "b1", "ff", "8c", "c0"]) + f"{rng.getrandbits(120):030x}",
            status=rng.choice(STATUSES + ("weird",)),
            created_ts=rng.choice(times),
            updated_ts=rng.choice(times),
            started_ts=started,
            ended_ts=ended,
            tags=rng.sample(["best", "paper", "pa", "e", ""], rng.randint(0, 3)),
            name=rng.choice([None, "", "foo", "bar", "a,b", "f", "foo bar", "zoë"]),
            size_bytes=rng.choice([None, 0, 1000, 999, 10_000, 2 * 10**9, 1]),
            host=rng.choice([None, "gpu1", "gpu2", "login", "h"]),
            user=rng.choice([None, "ana", "bo", ""]),
            code_file=rng.choice([None, "a.py", "b.py", "gone.py"]),
            module_digest=rng.choice(["1", "2"]),
            depends_on=rng.choice([None, [], [("d1", False)], [("d1", False), ("d1", True)], [("d1", False), ("d2", True), ("d3", False)]]),
            stale=rng.choice([None, True, False]),
            config=rng.choice([
                None,
                {},
                {"lr": rng.choice([0.001, 0.01, 1e-4, math.nan, 1, True, None, "0.1", "a", [1]]),
                 "flag": rng.choice([True, False, 1, "yes", None]),
                 "data": rng.choice([{"__class__": "m.Data", "name": "toy"}, {"__class__": "m.Train"}, "Data",
                                     {"name": "toy"}, None]),
                 "xs": rng.choice([[1, 2], [3], [], "1", 1])},
                {"name": "toy", "status": rng.choice(["x", "y"]), "lr": 0.5},
            ]),
        ))
    return records


@pytest.fixture(scope="module")
def catalog() -> Iterator[tuple[sqlite3.Connection, list[Rec]]]:
    records = random_records(400, seed=20261101)
    db = connect()
    insert(db, records)
    yield db, records
    db.close()


@pytest.mark.parametrize("text", BUILTIN_FILTERS)
def test_each_filter_selects_the_same_rows(catalog: tuple[sqlite3.Connection, list[Rec]], text: str):
    db, records = catalog
    expression = parse_expression(text)
    for form in (Not(expression), expression):
        expected = [r.id for r in records if form.test(r)]
        assert selected(db, form) == expected
    assert 0 < len(expected) < len(records) or text in SELECT_ALL_OR_NOTHING  # the data tells the forms apart


def random_expression(rng: random.Random, depth: int = 0) -> Expression:
    roll = rng.random()
    if depth >= 3 or roll < 0.4:
        return Term(parse_filter(rng.choice(BUILTIN_FILTERS)))
    if roll < 0.55:
        return Not(random_expression(rng, depth + 1))
    parts = tuple(random_expression(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    return And(parts) if roll < 0.8 else Or(parts)


def test_random_expressions_select_the_same_rows(catalog: tuple[sqlite3.Connection, list[Rec]]):
    db, records = catalog
    rng = random.Random(7)
    for _ in range(300):
        expression = random_expression(rng)
        assert selected(db, expression) == [r.id for r in records if expression.test(r)], expression.text
        assert selected(db, parse_expression(expression.text)) == selected(db, expression)


def test_a_config_filter_and_class_filters_are_counted_off_the_fields_index(catalog: tuple[sqlite3.Connection, list[Rec]]):
    db, records = catalog
    configs = [text for text in BUILTIN_FILTERS if parse_filter(text).kind == "config"]
    classes = [text for text in BUILTIN_FILTERS if parse_filter(text).kind in ("class", "namespace", "version_controlled")]
    for config_text in configs:
        for class_text in classes:
            for expression in (parse_expression([config_text, class_text]), parse_expression([class_text, "class!=Eval", config_text])):
                query, _ = expression.count_sql(NOW)
                assert "artifacts" not in query, expression.text
                assert selected(db, expression) == [r.id for r in records if expression.test(r)], expression.text


def test_an_empty_expression_selects_everything(catalog: tuple[sqlite3.Connection, list[Rec]]):
    db, records = catalog
    assert selected(db, parse_expression([])) == [r.id for r in records]
    assert selected(db, Or(())) == []


SORT_KEYS = ["created", "updated", "runtime", "status", "class", "namespace", "size", "hash", "name", "host", "user", "dependencies",
             "lr", "flag", "data",
             "data.name", "xs.0", "config.name", "missing"]


def test_sorts_give_the_same_order(catalog: tuple[sqlite3.Connection, list[Rec]]):
    db, records = catalog
    rng = random.Random(11)
    combinations = [[key] for key in SORT_KEYS] + [rng.sample(SORT_KEYS, rng.randint(2, 3)) for _ in range(60)]
    for keys in combinations:
        text = ",".join(("-" if rng.random() < 0.4 else "") + key for key in keys)
        for reverse in (False, True):
            expected = [r.id for r in sort_items(records, text, reverse=reverse)]
            assert ordered(db, text, reverse) == expected, (text, reverse)
            assert [r.id for r in sort_items(records, text, reverse=reverse, limit=7)] == expected[:7]


def test_single_key_sort_items_is_unchanged_by_the_several_key_form(catalog: tuple[sqlite3.Connection, list[Rec]]):
    _, records = catalog
    for key in SORT_KEYS:
        once = sort_items(records, key)
        assert once == sort_items(records, f"{key},{key}") == sort_items(records, f"-{key}", reverse=True)
        assert sort_items(records, key, limit=3) == sort_items(records, key)[:3]


def test_sort_keys_are_checked():
    assert parse_sort("created,-runtime,lr") == [("created", False), ("runtime", True), ("lr", False)]
    assert parse_sort(["created", "-lr, name"]) == [("created", False), ("lr", True), ("name", False)]
    with pytest.raises(FuruQueryError, match=r"Cannot sort by 'a b': .*\(created,-runtime,lr\)"):
        sort_sql("created,a b")
    with pytest.raises(FuruQueryError, match="Cannot sort by '-'"):
        sort_sql("-")
    with pytest.raises(FuruQueryError, match="Cannot sort by nothing"):
        parse_sort([])


def test_sort_sql_uses_the_database_clock_without_now():
    db = connect()
    insert(db, [Rec(1, status="running", started_ts=1.0), Rec(2, status="success", started_ts=1.0, ended_ts=2.0)])
    order = sort_sql("runtime")
    assert [row[0] for row in db.execute(f"SELECT a.id FROM artifacts a ORDER BY {order}")] == [1, 2]


def test_time_filters_use_the_bounds_read_at_parse_time():
    f = parse_filter("created>=2026-11-01")
    assert f.bounds == parse_time("2026-11-01")
    clause, params = Term(f).sql(NOW)
    assert clause == "coalesce(a.created >= ?, 0)" and params == [f.bounds[0]]


def test_regexp_function():
    assert sql_regexp("^a", "abc") is True
    assert sql_regexp("^a", "b") is False
    assert sql_regexp("^a", None) is False


def test_code_changed_takes_true_or_false_and_asks_for_the_drifted_files_first():
    f = parse_filter("code_changed=yes")
    assert f.kind == "code_changed" and f.tier == "code"
    for text in ("code_changed>1", "code_changed=maybe", "code_changed~t"):
        with pytest.raises(FuruQueryError, match=re.escape(f"Filter {text!r}: code_changed takes = or != and true or false.")):
            parse_filter(text)
    db = connect()
    insert(db, [Rec(1, code_file="a.py", module_digest="1"), Rec(2, code_file="a.py", module_digest="0"),
                Rec(3, code_file="gone.py", module_digest="1"), Rec(4)])
    assert selected(db, parse_expression("code_changed=true")) == [2, 3]
    assert selected(db, parse_expression("code_changed=false")) == [1, 4]  # no fingerprint: not known to have changed
