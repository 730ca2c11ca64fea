"""furu.catalog's query API: pages, counts and distinct values, as every view asks for them."""

from __future__ import annotations

import pytest
from examples import Flaky, PrepareData, Train

from furu.annotations import add_tags
from furu.catalog import counts, distinct, page
from furu.query import FuruQueryError


@pytest.fixture
def sweep(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    data = [PrepareData(name=name, rows=rows) for name, rows in (("toy", 5), ("toy", 7), ("big", 9))]
    trains = [Train(data=data[i % 3], lr=lr) for i, lr in enumerate((1e-4, 1e-3, 3e-3, 1e-2))]
    for obj in (*data, *trains):
        obj.load_or_create()
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    with pytest.raises(ValueError):
        Flaky().load_or_create()
    monkeypatch.delenv("FURU_TEST_FAIL")
    add_tags(trains[2].furu_dir, ["best"])
    return {"data": [d.furu_hash for d in data], "train": [t.furu_hash for t in trains]}


def test_a_page_is_sorted_by_several_keys_and_counted(sweep: dict[str, list[str]]) -> None:
    first = page("class=Train", sort="lr", limit=2)  # config values go up; -lr reverses
    assert (first.matched, first.total, first.limit) == (4, 8, 2)
    assert [r.config["lr"] for r in first.records if r.config] == [1e-4, 1e-3]
    second = page("class=Train", sort="lr", limit=2, offset=2)
    assert [r.config["lr"] for r in second.records if r.config] == [3e-3, 1e-2]
    by_two = page("class=PrepareData", sort="data.name,name,-rows", limit=None)  # no data.name here: rows decide
    assert [r.config["rows"] for r in by_two.records if r.config] == [9, 7, 5]


def test_or_not_and_parentheses_select_what_they_say(sweep: dict[str, list[str]]) -> None:
    hashes = {r.hash for r in page("status=failed or (lr>1e-3 and not tag=best)", limit=None).records}
    assert hashes == {sweep["train"][3], next(r.hash for r in page("class=Flaky").records)}
    assert page("not class=Train", limit=None).matched == 4


def test_counts_per_status_class_and_namespace(sweep: dict[str, list[str]]) -> None:
    assert counts() == {"success": 7, "failed": 1}
    assert counts(by="class") == {"examples.Train": 4, "examples.PrepareData": 3, "examples.Flaky": 1}
    assert counts("lr>=1e-3", by="class") == {"examples.Train": 3}
    assert counts(by="namespace") == {"examples": 8}
    assert counts("namespace=examples status=failed", by="class") == {"examples.Flaky": 1}
    assert page("namespace=other").matched == 0 and page("version_controlled=false").matched == 8
    assert sum(counts(by="host").values()) == 8


def test_distinct_values_for_dropdowns(sweep: dict[str, list[str]]) -> None:
    assert [(v.value, v.count) for v in distinct("name", "class=PrepareData") or []] == [(None, 3)]
    assert [(v.value, v.count) for v in distinct("rows")] == [(5, 1), (7, 1), (9, 1)]
    values = {v.value: v.count for v in distinct("data.name")}
    assert values == {"toy": 3, "big": 1}
    assert [(v.value, v.count) for v in distinct("tag")] == [("best", 1)]
    assert {v.value for v in distinct("status")} == {"success", "failed"}
    assert [(v.value, v.count) for v in distinct("namespace", "class=Train")] == [("examples", 4)]
    with pytest.raises(FuruQueryError, match="distinct values exist for"):
        distinct("created")


def test_a_typo_in_a_config_path_is_an_error_even_inside_or(sweep: dict[str, list[str]]) -> None:
    with pytest.raises(FuruQueryError, match="Did you mean 'lr'"):
        page("status=failed or lrr>1")
    with pytest.raises(FuruQueryError, match="Cannot sort by"):
        page(sort="created,-lrr")


def test_the_cli_takes_the_same_expressions(furu_cli, sweep: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    rows = furu_cli.json("ls", "(", "status=failed", "or", "tag=best", ")", "--sort", "class,-created")
    assert [row["fqn"] for row in rows] == ["examples.Flaky", "examples.Train"]
    text = furu_cli("ls", "lr>1e-3 or lr<1e-3", "-c", "lr").stdout
    assert "3 shown, 3 matching, 8 artifacts" in text  # all but lr=1e-3


def test_a_page_sorted_by_one_numeric_field_is_read_off_its_index_in_the_same_order(sweep: dict[str, list[str]]) -> None:
    for sort in ("lr", "-lr", "rows", "-rows"):
        everything = [r.hash for r in page(sort=sort, limit=None).records]  # sorted in full
        for offset in range(0, 6):
            assert [r.hash for r in page(sort=sort, limit=2, offset=offset).records] == everything[offset : offset + 2]
