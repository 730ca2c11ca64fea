"""``furu ls`` filter expressions: and, or, not and parentheses, as argv words or one string."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from furu.query import (
    And,
    Expression,
    FuruQueryError,
    Not,
    Or,
    Term,
    check_config_keys,
    parse_expression,
    parse_filter,
    parse_size,
    parse_time,
)


@dataclass
class Item:
    fqn: str = "mypkg.train.Train"
    hash: str = "3f2a" + "0" * 28
    status: str = "success"
    tags: list[str] = field(default_factory=list)
    name: str | None = None
    config: dict[str, Any] | None = None
    created_ts: float | None = None
    updated_ts: float | None = None
    runtime_secs: float | None = None
    size_bytes: int | None = None


def t(text: str) -> Term:
    return Term(parse_filter(text))


# -- reading ---------------------------------------------------------------------------------------


def test_separate_argv_words_and_one_string_read_the_same():
    words = parse_expression(["(", "status=failed", "or", "status=crashed", ")", "class~Train"])
    assert words == And((Or((t("status=failed"), t("status=crashed"))), t("class~Train")))
    assert parse_expression(["(status=failed or status=crashed) class~Train"]) == words
    assert parse_expression("(status=failed  or status=crashed)   and class~Train") == words
    assert parse_expression(["(status=failed", "or", "status=crashed)", "and", "class~Train"]) == words


def test_precedence_not_then_and_then_or():
    assert parse_expression("status=failed or (lr>1e-3 and not tag=best)") == Or(
        (t("status=failed"), And((t("lr>1e-3"), Not(t("tag=best")))))
    )
    assert parse_expression("a=1 or b=2 c=3") == Or((t("a=1"), And((t("b=2"), t("c=3")))))
    assert parse_expression("a=1 b=2 or c=3") == Or((And((t("a=1"), t("b=2"))), t("c=3")))
    assert parse_expression("not a=1 and b=2") == And((Not(t("a=1")), t("b=2")))
    assert parse_expression("not (a=1 or b=2)") == Not(Or((t("a=1"), t("b=2"))))
    assert parse_expression("not(a=1 or b=2) c=3") == And((Not(Or((t("a=1"), t("b=2")))), t("c=3")))
    assert parse_expression("not not a=1") == Not(Not(t("a=1")))
    assert parse_expression("a=1 and (b=2 and c=3)") == And((t("a=1"), t("b=2"), t("c=3")))  # flattened
    assert parse_expression("((a=1))") == t("a=1")


def test_todays_forms_are_unchanged():
    assert parse_expression(["status=failed", "class~Train"]) == And((t("status=failed"), t("class~Train")))
    assert parse_expression(["name=my run"]) == t("name=my run")
    assert parse_expression(["name=my run"]).filters()[0].value == "my run"
    assert parse_expression(["name=my", "run"]).filters()[0].value == "my run"  # joined with a space
    assert parse_expression(["name=a  b"]).filters()[0].value == "a  b"  # as written inside one word
    assert parse_expression(["lr > 1e-3"]) == t("lr>1e-3")
    assert parse_expression(["lr > 1e-3"]).filters()[0].text == "lr > 1e-3"  # messages quote what was written
    assert parse_expression([]) == And(())
    assert parse_expression(["", "  "]) == And(())
    assert parse_expression("name==x") == t("name=x")


def test_keywords_inside_a_value_stay_in_it_unless_a_filter_follows():
    assert parse_expression("name=rock and roll").filters()[0].value == "rock and roll"
    assert parse_expression("name=do not disturb").filters()[0].value == "do not disturb"
    assert parse_expression("name=rock and roll or tag=x") == Or((t("name=rock and roll"), t("tag=x")))
    assert parse_expression("name=this or that and tag=x") == And((t("name=this or that"), t("tag=x")))
    assert parse_expression("name=orchid and tag=android") == And((t("name=orchid"), t("tag=android")))
    assert parse_expression("name=x not tag=y") == And((t("name=x"), Not(t("tag=y"))))


def test_parentheses_of_a_regex_stay_in_the_value():
    assert parse_expression("class~(Train|Eval)") == t("class~(Train|Eval)")
    assert parse_expression(["name~^a(b)"]).filters()[0].value == "^a(b)"
    assert parse_expression("(class~(Train|Eval))") == t("class~(Train|Eval)")
    assert parse_expression("(tag=x or class~(Train|Eval))").filters()[1].value == "(Train|Eval)"
    assert parse_expression("(status=failed)") == t("status=failed")
    assert parse_expression("((status=failed))") == t("status=failed")
    assert parse_expression(r"(name~a\))").filters()[0].value == r"a\)"  # an escaped ) is the regex's
    assert parse_expression("name=a (b) c").filters()[0].value == "a (b) c"
    assert parse_expression("(name=a( )").filters()[0].value == "a("
    assert parse_expression("(name=x or name=[)])").filters()[1].value == "[)]"


def test_operator_words_glued_to_parentheses():
    assert parse_expression("not(status=failed)") == Not(t("status=failed"))
    assert parse_expression("a=1 or(b=2 and not(c=3))") == Or((t("a=1"), And((t("b=2"), Not(t("c=3"))))))


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=failed or", "'or' has no filter after it; put a filter after 'or', e.g. status=failed or ("
         "lr>1e-3 and not tag=best). In: status=failed or <-- here"),
        ("status=failed and", "'and' has no filter after it"),
        ("or status=failed", "'or' has no filter before it; put a filter before 'or'"),
        ("a=1 and or b=2", "'and' has no filter after it; put a filter after 'and', e.g. status=failed or ("
         "lr>1e-3 and not tag=best). In: a=1 and <-- here or b=2"),
        ("a=1 not", "'not' has no filter after it; write not key OP value or not (...)"),
        ("not", "'not' has no filter after it"),
        ("(a=1 or)", "'or' has no filter after it"),
        ("( a=1", "this '(' is never closed; close each group with ')', e.g. status=failed or (lr>1e-3 and not "
         "tag=best). In: ( <-- here a=1"),
        ("a=1 (", "this '(' is never closed"),
        ("(", "this '(' is never closed"),
        ("a=1 ) b=2", "this ')' has no '(' before it; open each group you close, e.g. status=failed or ("
         "lr>1e-3 and not tag=best). In: a=1 ) <-- here b=2"),
        ("status=failed)", "this ')' has no '(' before it"),
        ("()", "'()' holds no filter; put filters inside the parentheses or drop them"),
        ("a=1 ()", "'()' holds no filter"),
    ],
)
def test_malformed_expressions_say_where_and_how(query: str, message: str):
    with pytest.raises(FuruQueryError) as raised:
        parse_expression(query)
    assert f"Cannot read the filters {query!r}: " in str(raised.value)
    assert message in str(raised.value)


def test_a_word_that_is_no_filter_is_named():
    with pytest.raises(FuruQueryError) as raised:
        parse_expression(["lr"])
    assert str(raised.value).startswith("Cannot read filter 'lr': write key OP value, e.g. status=failed,")
    assert "joined by and, or, not and parentheses: status=failed or (lr>1e-3 and not tag=best)." in str(raised.value)
    with pytest.raises(FuruQueryError, match=r"Cannot read filter 'lr'.* In: \(status=failed\) lr <-- here$"):
        parse_expression(["(status=failed)", "lr"])
    with pytest.raises(FuruQueryError, match=r"Cannot read filter 'lr\)'.* In: tag=x or \(lr\) <-- here$"):
        parse_expression(["tag=x", "or", "(lr)"])
    with pytest.raises(FuruQueryError, match=r"status takes .* \(not failed or lr\)\.$"):
        parse_expression(["status=failed", "or", "lr"])  # "or" before a plain word is part of the value
    with pytest.raises(FuruQueryError, match="status takes = or != and one or more of"):
        parse_expression("tag=x or status=done")
    with pytest.raises(FuruQueryError, match="'>>' is not an operator"):
        parse_expression("tag=x or lr>>1")


def test_nesting_is_limited_and_long_chains_do_not_recurse():
    with pytest.raises(FuruQueryError, match="filters nest more than 100 deep"):
        parse_expression("(" * 101 + "a=1" + ")" * 101)
    assert parse_expression("(" * 100 + "a=1" + ")" * 100) == t("a=1")
    with pytest.raises(FuruQueryError, match="filters nest more than 100 deep"):
        parse_expression("not " * 101 + "a=1")
    with pytest.raises(FuruQueryError, match="filters nest more than 100 deep"):
        parse_expression("(not " * 51 + "a=1" + ")" * 51)
    assert parse_expression("not " * 100 + "a=1").test(Item(config={"a": 1})) is True  # an even number of nots
    assert len(parse_expression(" or ".join(["a=1"] * 5000)).filters()) == 5000
    assert len(parse_expression(["a=1"] * 5000).filters()) == 5000


# -- evaluating ------------------------------------------------------------------------------------


def test_test_combines_the_terms():
    failed = Item(status="failed", config={"lr": 0.01}, tags=["best"])
    crashed = Item(status="crashed", config={"lr": 1e-4})
    success = Item(status="success", config={"lr": 0.01})
    bare = Item(status="failed")  # no config: a config term is false, its not is true
    expression = parse_expression("(status=failed or status=crashed) and not lr<1e-3")
    assert [expression.test(item) for item in (failed, crashed, success, bare)] == [True, False, False, True]
    assert parse_expression("tag=best or lr<1e-3").test(crashed) is True
    assert parse_expression("not lr>1").test(bare) is True
    assert parse_expression("").test(bare) is True


def test_filters_and_plain_and():
    expression = parse_expression("a=1 (b=2 or not c=3) d=4")
    assert [f.text for f in expression.filters()] == ["a=1", "b=2", "c=3", "d=4"]
    assert expression.is_plain_and is False
    assert parse_expression(["a=1", "b=2"]).is_plain_and is True
    assert parse_expression("a=1").is_plain_and is True
    assert parse_expression("").is_plain_and is True
    assert parse_expression("not a=1").is_plain_and is False
    assert parse_expression("a=1 or b=2").is_plain_and is False


def test_filters_are_equal_when_they_mean_the_same():
    assert parse_filter("lr > 1e-3") == parse_filter("lr>1e-3")
    assert parse_filter("lr>1e-3").text == "lr>1e-3" and parse_filter("lr > 1e-3").text == "lr > 1e-3"
    assert parse_filter("name==x") == parse_filter("name=x")
    assert parse_filter("class=Train") != parse_filter("fqn=Train")  # the key as written is kept
    assert parse_filter("created>7d") == parse_filter("created>7d")
    assert len({parse_filter("a=1"), parse_filter("a = 1")}) == 1


# -- the canonical text ----------------------------------------------------------------------------


def test_canonical_text():
    assert parse_expression(["(", "status=failed", "or", "status=crashed", ")", "class~Train"]).text == (
        "(status=failed or status=crashed) and class~Train"
    )
    assert parse_expression("status=failed or (lr>1e-3 and not tag=best)").text == (
        "status=failed or lr>1e-3 and not tag=best"
    )
    assert parse_expression("not (a=1 or b=2)").text == "not (a=1 or b=2)"
    assert parse_expression("not (a=1 b=2)").text == "not (a=1 and b=2)"
    assert parse_expression("lr > 1e-3").text == "lr>1e-3"
    assert parse_expression("").text == ""
    assert parse_expression("(name=a( or tag=x) c=1").text == "(name=a( or tag=x) and c=1"
    assert parse_expression("(tag=x or name=a( ) c=1").text == "(tag=x or name=a( ) and c=1"
    assert str(parse_expression("a=1 b=2")) == "a=1 and b=2"


VALUES = [
    "x", "my run", "rock and roll", "do not disturb", "a(b)", "(Train|Eval)", "a(", "a((", "[)]", "a\\",
    "C:\\", "a\\\\", "x)y", "", "0.001", "()", "or", "not", "and", "2026-11-01", "1h30m", "x\ny",
]
KEYS = ["name", "tag", "class", "hash", "lr", "data.name", "config.name", "a-b", "fqn"]


@st.composite
def terms(draw: st.DrawFn) -> Expression:
    key = draw(st.sampled_from(KEYS))
    op = draw(st.sampled_from(["=", "!=", "~", "!~", ">", "<="]))
    value = draw(st.sampled_from(VALUES))
    if op in ("~", "!~") and value in ("a(", "a((", "a\\", "C:\\", "x)y", "()"):  # not valid regexes
        value = "x"
    if key == "tag" and op in (">", "<="):
        op = "="
    return Term(parse_filter(f"{key}{op}{value}"))


def trees() -> st.SearchStrategy[Expression]:
    return st.recursive(
        terms(),
        lambda children: st.one_of(
            st.builds(Not, children),
            st.lists(children, min_size=2, max_size=4).map(lambda parts: And(tuple(parts))),
            st.lists(children, min_size=2, max_size=4).map(lambda parts: Or(tuple(parts))),
        ),
        max_leaves=8,
    )


def _normal(expression: Expression) -> Expression:
    """What the parser builds for the same meaning: nested ands and ors flattened."""
    if isinstance(expression, Not):
        return Not(_normal(expression.part))
    if isinstance(expression, And | Or):
        kind = type(expression)
        parts = [_normal(part) for part in expression.parts]
        return kind(tuple(inner for part in parts for inner in (part.parts if isinstance(part, kind) else (part,))))
    return expression


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_text_parses_back_to_the_same_expression(expression: Expression):
    expected = _normal(expression)
    assert parse_expression(expression.text) == expected
    assert parse_expression(expected.text).text == expected.text
    assert parse_expression(expected.text.split(" ")) == expected  # as separate argv words too


WORDS = ["a=1", "name=x", "lr>1e-3", "(", ")", "and", "or", "not", "not(", "tag=best)", "(status=failed",
         "class~(T|E)", "run", "x", "lr", ">", "1", "or)", "((", "))", "\\)", "name~a(", "=", "~", "a=(", "c=)"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=10), st.booleans())
def test_any_input_parses_or_is_a_query_error(words: list[str], one_string: bool):
    try:
        expression = parse_expression(" ".join(words) if one_string else words)
    except FuruQueryError:
        return
    assert parse_expression(expression.text) == expression


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_any_text_parses_or_is_a_query_error(text: str):
    try:
        expression = parse_expression(text)
    except FuruQueryError:
        return
    assert parse_expression(expression.text) == expression


# -- hostile values give query errors, not crashes ----------------------------------------------------


def test_values_out_of_range_are_query_errors():
    with pytest.raises(FuruQueryError, match="as a time"):
        parse_time("0001-01-01")
    with pytest.raises(FuruQueryError, match="as a time"):
        parse_time("9999-12-31")
    with pytest.raises(FuruQueryError, match="too large a size"):
        parse_size("9" * 400)
    with pytest.raises(FuruQueryError, match="too long a duration"):
        parse_filter("runtime>99999999999999d")
    with pytest.raises(FuruQueryError, match="not a valid regular expression"):
        parse_filter("name~a{99999999999}")
    assert math.isclose(parse_time("2026-11-01")[1] - parse_time("2026-11-01")[0], 86400)


def test_a_nested_configs_class_is_a_known_field():
    items = [Item(config={"__class__": "m.Train", "data": {"__class__": "m.Shuffled", "rows": 3}})]
    check_config_keys([parse_filter("data.__class__~Shuffled"), parse_filter("__class__=m.Train")], None, items)
    with pytest.raises(FuruQueryError, match=r"no artifact's config has a field 'data\.__clas'.*Config fields: data "):
        check_config_keys([parse_filter("data.__clas~Shuffled")], None, items)
    check_config_keys([], "data.rows,-data.__class__", items)
    with pytest.raises(FuruQueryError, match="Cannot sort by 'data.row'"):
        check_config_keys([], "created,-data.row", items)
