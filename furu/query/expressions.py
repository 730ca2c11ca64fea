"""Filter expressions: terms combined with and, or, not (:class:`Term`, :class:`And`, :class:`Or`, :class:`Not`).

An :class:`Expression` tests an entry or record, gives its WHERE clause over the catalog's index,
and has a canonical ``text`` that :func:`~furu.query.parser.parse_expression` reads back to an
equal expression. Reading one from what the user typed is :mod:`furu.query.parser`'s job.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from furu.query.filters import Filter
from furu.query.sql import SHARD_KINDS, code_changed_count_sql, config_count_sql, filter_sql, stale_count_sql


class Expression(ABC):
    """A parsed filter expression: terms combined with and, or, not (see :func:`parse_expression`)."""

    @abstractmethod
    def test(self, item: Any) -> bool:
        """Whether an entry or record matches."""

    @abstractmethod
    def filters(self) -> list[Filter]:
        """Every term, left to right (for what must be read first, and for typo checks)."""

    @property
    @abstractmethod
    def text(self) -> str:
        """The canonical form: parses back to an equal expression (the dashboard's filter builder keeps it)."""

    @abstractmethod
    def sql(self, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
        """A WHERE clause over the catalog index (``artifacts a``, ``fields f``) and its ``?`` parameters.

        ``now`` is when running and queued artifacts' runtime ends. It selects exactly what :meth:`test`
        does on the same data; regex operators need the connection's ``regexp`` (:func:`sql_regexp`).
        ``per_row`` asks for the form that tests one row at a time (a config filter probes that
        artifact's fields), for a query that walks an index in the page's order and stops after the
        page; the default form finds every match at once, for counts and selective filters.
        """

    def count_sql(self, now: float) -> tuple[str, list[Any]]:
        """A query for how many artifacts match (one row, one number), with its parameters."""
        where, params = self.sql(now)
        return f"SELECT count(*) FROM artifacts a WHERE {where}", params

    @property
    def is_plain_and(self) -> bool:
        """Whether this is terms that must all hold (what ``furu ls`` always took): no or, no not."""
        return False

    def matches(self, item: Any) -> bool:
        return self.test(item)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Term(Expression):
    """One ``key OP value`` filter."""

    filter: Filter

    def test(self, item: Any) -> bool:
        return self.filter.test(item)

    def filters(self) -> list[Filter]:
        return [self.filter]

    @property
    def text(self) -> str:
        return f"{self.filter.key}{self.filter.op}{self.filter.value}"

    def sql(self, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
        return filter_sql(self.filter, now, per_row=per_row)

    def count_sql(self, now: float) -> tuple[str, list[Any]]:
        if self.filter.kind == "config":  # off the fields index alone
            return config_count_sql(self.filter)
        if self.filter.kind == "code_changed":
            return code_changed_count_sql(self.filter)
        if self.filter.kind == "stale":
            return stale_count_sql(self.filter)
        return super().count_sql(now)

    @property
    def is_plain_and(self) -> bool:
        return True


@dataclass(frozen=True)
class And(Expression):
    """Every part holds; ``And(())`` matches everything (no filters at all)."""

    parts: tuple[Expression, ...]

    def test(self, item: Any) -> bool:
        return all(part.test(item) for part in self.parts)

    def filters(self) -> list[Filter]:
        return [f for part in self.parts for f in part.filters()]

    @property
    def text(self) -> str:
        return " and ".join(_grouped(part) if isinstance(part, Or) else part.text for part in self.parts)

    def sql(self, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
        return _joined(self.parts, "AND", "1", now, per_row)

    def count_sql(self, now: float) -> tuple[str, list[Any]]:
        if len(self.parts) == 1:
            return self.parts[0].count_sql(now)
        terms = [part.filter for part in self.parts if isinstance(part, Term)]
        configs = [f for f in terms if f.kind == "config"]
        per_class = [f for f in terms if f.kind in SHARD_KINDS]
        if len(configs) == 1 and len(configs) + len(per_class) == len(self.parts):  # lr>1e-3 class~Train
            return config_count_sql(configs[0], per_class)
        return super().count_sql(now)

    @property
    def is_plain_and(self) -> bool:
        return all(isinstance(part, Term) for part in self.parts)


@dataclass(frozen=True)
class Or(Expression):
    """At least one part holds."""

    parts: tuple[Expression, ...]

    def test(self, item: Any) -> bool:
        return any(part.test(item) for part in self.parts)

    def filters(self) -> list[Filter]:
        return [f for part in self.parts for f in part.filters()]

    @property
    def text(self) -> str:
        return " or ".join(part.text for part in self.parts)

    def sql(self, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
        return _joined(self.parts, "OR", "0", now, per_row)


@dataclass(frozen=True)
class Not(Expression):
    """The part does not hold (an artifact without the field matches ``not lr>1``)."""

    part: Expression

    def test(self, item: Any) -> bool:
        return not self.part.test(item)

    def filters(self) -> list[Filter]:
        return self.part.filters()

    @property
    def text(self) -> str:
        inner = self.part.text if isinstance(self.part, Term | Not) else _grouped(self.part)
        return f"not {inner}"

    def sql(self, now: float, *, per_row: bool = False) -> tuple[str, list[Any]]:
        clause, params = self.part.sql(now, per_row=per_row)
        return f"NOT {clause}", params


def _grouped(expression: Expression) -> str:
    """``(...)``, with a space before the ``)`` when the last value would otherwise keep it (``name=a(``)."""
    inner = expression.text
    last = expression
    while not isinstance(last, Term):
        if isinstance(last, Not):
            last = last.part
        elif isinstance(last, And | Or) and last.parts:
            last = last.parts[-1]
        else:
            return f"({inner})"
    value = last.filter.value
    kept = strip_closing(value + ")")[0] != value
    return f"({inner} )" if kept else f"({inner})"


def _joined(parts: Sequence[Expression], word: str, empty: str, now: float, per_row: bool) -> tuple[str, list[Any]]:
    if not parts:
        return empty, []
    clauses, params = [], []
    for part in parts:
        clause, part_params = part.sql(now, per_row=per_row)
        clauses.append(clause)
        params += part_params
    return "(" + f" {word} ".join(clauses) + ")", params


def strip_closing(text: str) -> tuple[str, int]:
    """Take the ``)`` that close groups off the end of a term: those its value has more of than ``(``.

    Escaped parentheses (``\\)``) belong to a regex and are not counted.
    """
    count = 0
    while text.endswith(")") and not _escaped(text, len(text) - 1) and _excess_closing(text) > 0:
        text = text[:-1]
        count += 1
    return text, count


def _escaped(text: str, position: int) -> bool:
    backslashes = len(text[:position]) - len(text[:position].rstrip("\\"))
    return backslashes % 2 == 1


def _excess_closing(text: str) -> int:
    excess, escaped = 0, False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            excess -= 1
        elif char == ")":
            excess += 1
    return excess
