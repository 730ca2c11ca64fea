"""A pathological regular expression in a filter ends with an error that says so, never a hang.

``(a|aa)+$`` against ``aaa...ab`` backtracks for ever under Python's ``re``;
furu matches with a time limit per value (``FURU_REGEX_SECS`` in the
catalog's queries, :func:`furu.query.per_value_limit` around any other test),
in Python and inside the index's ``REGEXP`` alike, and
:func:`furu.query.time_limit` caps all the matches of one request together
(what the dashboard does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from examples import PrepareData
from furu.annotations import set_name
from furu.catalog import page
from furu.query import FuruQueryError, parse_expression, per_value_limit, time_limit
from furu.settings import clear_settings_cache

CATASTROPHIC = "name~(a|aa)+$"
VICTIM = "a" * 60 + "b"


@dataclass
class Named:
    name: str | None
    tags: tuple[str, ...] = ()


@pytest.fixture(autouse=True)
def _short_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_REGEX_SECS", "0.2")
    clear_settings_cache()


def test_a_python_test_times_out_and_names_the_setting() -> None:
    expression = parse_expression(CATASTROPHIC)
    assert expression.test(Named("aaab")) is False  # ordinary values still match as re would
    assert expression.test(Named("aa")) is True
    with per_value_limit(0.2), pytest.raises(FuruQueryError, match="one value may take 0.2 s.*FURU_REGEX_SECS"):
        expression.test(Named(VICTIM))


def test_an_index_query_times_out_under_the_setting(furu_tmp_root: object) -> None:
    for name in ("a", "b"):
        data = PrepareData(name=name)
        data.load_or_create()
        set_name(data.furu_dir, VICTIM if name == "a" else "aa")
    assert [r.name for r in page("name~^a+$").records] == ["aa"]
    with pytest.raises(FuruQueryError, match="one value may take 0.2 s"):  # FURU_REGEX_SECS, in SQLite's REGEXP
        page(CATASTROPHIC)
    assert len(page("name~a").records) == 2  # the index answers again afterwards


def test_a_request_limit_counts_matching_time_only() -> None:
    expression = parse_expression(CATASTROPHIC)
    with time_limit(0.0), pytest.raises(FuruQueryError, match="all of one request.s may take 0 s"):
        expression.test(Named("aaab"))
    assert expression.test(Named("aaab")) is False  # the limit ends with its block
    with time_limit(0.5):
        time.sleep(0.6)  # reading the index meanwhile spends none of it
        assert expression.test(Named("aa")) is True
        with pytest.raises(FuruQueryError, match="all of one request.s may take 0.5 s"):
            expression.test(Named(VICTIM))


def test_an_invalid_regex_is_refused_before_any_match() -> None:
    with pytest.raises(FuruQueryError, match="not a valid regular expression"):
        parse_expression("name~(")
