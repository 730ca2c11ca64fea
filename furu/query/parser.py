"""Reading ``furu ls`` words into an :class:`~furu.query.expressions.Expression` (:func:`parse_expression`).

A lexer splits argv words into parentheses, keywords and ``key OP value`` terms (a value may hold
spaces and parentheses of its own), and a recursive-descent parser builds the tree. Its errors
quote the query and mark the word at fault.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from furu.query.errors import FuruQueryError
from furu.query.expressions import And, Expression, Not, Or, Term, strip_closing
from furu.query.filters import Filter, parse_filter

_TERM_START = re.compile(r"([A-Za-z0-9_.\-]+)\s*(!=|>=|<=|!~|==|=|~|>|<)")
_WORD_TERM = re.compile(r"[A-Za-z0-9_.\-]+(!=|>=|<=|!~|==|=|~|>|<)")
"""After a value, only a word that holds its own operator starts a new term (``lr > 1`` there is more value):
one string reads as the same words given one by one."""
_KEYWORDS = ("and", "or", "not")
_GLUED = re.compile(r"(and|or|not)\(")
_MAX_DEPTH = 100  # parentheses nested deeper are refused rather than recursed into
_EXAMPLE = "status=failed or (lr>1e-3 and not tag=best)"


def parse_expression(terms: str | Sequence[str]) -> Expression:
    """Parse ``furu ls`` filters: terms joined by ``and`` (or just side by side), ``or``, ``not``, ``( )``.

    ``terms`` are argv words or one string (``"status=failed or (lr>1e-3 and not tag=best)"``);
    parentheses and the lowercase words ``and``, ``or``, ``not`` may stand alone or inside a
    word. ``not`` binds tightest, then ``and``, then ``or``. A word without an operator after a
    term continues its value (``name=my run``); so do ``and``/``or``/``not`` unless a filter or
    a ``(`` follows them (``name=rock and roll``). A ``)`` that closes a group may end the last
    value (``(tag=a or tag=b)``); one that is part of a regex stays (``class~(Train|Eval)``).
    No terms at all give ``And(())``, which matches everything.
    """
    elements = [terms] if isinstance(terms, str) else list(terms)
    tokens = _Lexer(elements).tokens()
    if not tokens:
        return And(())
    parser = _Parser(tokens, elements)
    expression = parser.disjunction(0)
    if parser.index < len(tokens):  # only a ')' stops a top-level disjunction
        raise parser.error(tokens[parser.index], "this ')' has no '(' before it", "open each group you close")
    return expression


@dataclass(frozen=True)
class _Word:
    element: int
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "and", "or", "not", "term"
    element: int
    start: int
    end: int
    filter: Filter | None = None


class _Lexer:
    """Splits argv words into parentheses, keywords and ``key OP value`` terms (values may hold spaces)."""

    def __init__(self, elements: list[str]) -> None:
        self.elements = elements
        self.words = [
            _Word(index, match.start(), match.end())
            for index, element in enumerate(elements)
            for match in re.finditer(r"\S+", element)
        ]
        self.out: list[_Token] = []

    def text(self, word: _Word) -> str:
        return self.elements[word.element][word.start : word.end]

    def tokens(self) -> list[_Token]:
        index, expect_operand = 0, True
        while index < len(self.words):
            word = self.words[index]
            text = self.text(word)
            bare = text.rstrip(")")
            glued = _GLUED.match(text)
            if glued:  # "not(status=failed)": the keyword, then the group
                keyword = glued.group(1)
                self.out.append(_Token(keyword, word.element, word.start, word.start + len(keyword)))
                self.words[index] = _Word(word.element, word.start + len(keyword), word.end)
                expect_operand = True
            elif not bare:
                self._parens(")", word)
                index += 1
                expect_operand = False
            elif bare in _KEYWORDS:  # "or", or "or)" (which the parser refuses: nothing follows the or)
                self.out.append(_Token(bare, word.element, word.start, word.start + len(bare)))
                self._parens(")", _Word(word.element, word.start + len(bare), word.end))
                index += 1
                expect_operand = bare == text
            elif not expect_operand:
                expect_operand = True  # a term or a group right after another: an implicit "and"
            elif text.startswith("("):
                opening = len(text) - len(text.lstrip("("))
                self._parens("(", _Word(word.element, word.start, word.start + opening))
                if opening == len(text):
                    index += 1
                else:
                    self.words[index] = _Word(word.element, word.start + opening, word.end)
            else:
                index = self._term(index)
                expect_operand = False
        return self.out

    def _parens(self, kind: str, word: _Word) -> None:
        for position in range(word.start, word.end):
            self.out.append(_Token(kind, word.element, position, position + 1))

    def _term(self, index: int) -> int:
        """Read the term starting at ``words[index]``; returns the index of the first word after it."""
        word = self.words[index]
        element = self.elements[word.element]
        match = _TERM_START.match(element, word.start)
        if match is None:
            raise FuruQueryError(
                f"Cannot read filter {self.text(word)!r}: write key OP value, e.g. status=failed, class~Train, "
                f"lr>1e-3, created>2026-11-01 (OP is one of = != ~ !~ > >= < <=), joined by and, or, not and "
                f"parentheses: {_EXAMPLE}.{_where(self.elements, word.element, word.end)}"
            )
        end = word.end
        index += 1
        while index < len(self.words) and self.words[index].element == word.element:
            if self.words[index].start >= match.end():
                break
            end = self.words[index].end  # "lr > 1e-3": the operator was a word of its own
            index += 1
        pieces = [_Word(word.element, word.start, end)]
        while index < len(self.words) and self._continues_value(index):
            if self.text(pieces[-1]).endswith(")") and strip_closing(_joined_text(self.elements, pieces))[1]:
                break  # "(status=failed) lr": that ")" closed the group, so the value ended with it
            pieces.append(self.words[index])
            index += 1
        text = _joined_text(self.elements, pieces)
        stripped, closing = strip_closing(text)
        last = pieces[-1]
        self.out.append(_Token("term", word.element, word.start, last.end - closing, parse_filter(stripped)))
        self._parens(")", _Word(last.element, last.end - closing, last.end))
        return index

    def _continues_value(self, index: int) -> bool:
        """Whether ``words[index]`` is more of the value before it rather than an operator or a new term."""
        text = self.text(self.words[index])
        if set(text) <= {"(", ")"}:
            return False  # parentheses standing alone always group
        if text in _KEYWORDS:  # "name=rock and roll": a word of the value unless a filter follows
            after = index + 1
            if after == len(self.words):
                return False
            following = self.text(self.words[after])
            return not (following in _KEYWORDS or following[0] in "()" or self._opens_operand(after))
        if text.rstrip(")") in _KEYWORDS or _GLUED.match(text):
            return False  # "or)", "not(": operators (the parser says what is missing)
        return not self._opens_operand(index)

    def _opens_operand(self, index: int) -> bool:
        """Whether the words from ``index`` start a term, a ``(`` group or a ``not`` of one."""
        offset = 0
        while index < len(self.words):
            word = self.words[index]
            text = self.text(word)[offset:]
            skip = len(text) - len(text.lstrip("(")) if text.startswith("(") else 3 if _GLUED.match(text) else 0
            if text == "not" or skip == len(text):  # what follows decides
                index, offset = index + 1, 0
            elif skip:
                offset += skip
            elif text.rstrip(")") in _KEYWORDS or set(text) <= {")"}:
                return False
            else:
                return _WORD_TERM.match(self.text(word)[offset:]) is not None
        return False


def _joined_text(elements: Sequence[str], pieces: Sequence[_Word]) -> str:
    """The text the pieces cover: as written inside one argv word, joined by a space across words."""
    parts: list[str] = []
    run: _Word | None = None
    for piece in pieces:
        if run is not None and run.element == piece.element:
            run = _Word(run.element, run.start, piece.end)
            continue
        if run is not None:
            parts.append(elements[run.element][run.start : run.end])
        run = piece
    if run is not None:
        parts.append(elements[run.element][run.start : run.end])
    return " ".join(parts)


def _where(elements: Sequence[str], element: int, end: int) -> str:
    """`` In: status=failed or ( <-- here``: the whole query, marked after the token at fault."""
    if len(elements) == 1 and " " not in elements[0].strip():
        return ""
    offset = sum(len(text) + 1 for text in elements[:element]) + end
    query = " ".join(elements)
    return f" In: {query[:offset]} <-- here{query[offset:]}"


class _Parser:
    """Recursive descent over the tokens: or of ands of (possibly negated) terms and groups."""

    def __init__(self, tokens: list[_Token], elements: list[str]) -> None:
        self.tokens = tokens
        self.elements = elements
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index].kind if self.index < len(self.tokens) else None

    def error(self, token: _Token, what: str, fix: str) -> FuruQueryError:
        return FuruQueryError(
            f"Cannot read the filters {' '.join(self.elements)!r}: {what}; {fix}, e.g. {_EXAMPLE}."
            f"{_where(self.elements, token.element, token.end) or ' In: ' + ' '.join(self.elements) + ' <-- here'}"
        )

    def disjunction(self, depth: int) -> Expression:
        parts = [self.conjunction(depth)]
        while self.peek() == "or":
            self.index += 1
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else Or(_flat(parts, Or))

    def conjunction(self, depth: int) -> Expression:
        parts = [self.unary(depth)]
        while self.peek() in ("and", "not", "(", "term"):
            if self.peek() == "and":
                self.index += 1
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else And(_flat(parts, And))

    def unary(self, depth: int) -> Expression:
        negations = 0
        while self.peek() == "not":
            if depth + negations >= _MAX_DEPTH:
                raise self.error(self.tokens[self.index], f"filters nest more than {_MAX_DEPTH} deep", "nest fewer")
            self.index += 1
            negations += 1
        expression = self.primary(depth + negations)
        for _ in range(negations):
            expression = Not(expression)
        return expression

    def primary(self, depth: int) -> Expression:
        kind = self.peek()
        if kind == "term":
            token = self.tokens[self.index]
            self.index += 1
            assert token.filter is not None
            return Term(token.filter)
        if kind == "(":
            opening = self.tokens[self.index]
            if depth >= _MAX_DEPTH:
                raise self.error(opening, f"filters nest more than {_MAX_DEPTH} deep", "nest fewer")
            self.index += 1
            expression = self.disjunction(depth + 1)
            if self.peek() != ")":
                raise self.error(opening, "this '(' is never closed", "close each group with ')'")
            self.index += 1
            return expression
        raise self._missing_operand()

    def _missing_operand(self) -> FuruQueryError:
        before = self.tokens[self.index - 1] if self.index > 0 else None
        token = self.tokens[self.index] if self.index < len(self.tokens) else None
        if before is not None and before.kind == "not":
            return self.error(before, "'not' has no filter after it", "write not key OP value or not (...)")
        if before is not None and before.kind in ("and", "or"):
            return self.error(before, f"{before.kind!r} has no filter after it", f"put a filter after {before.kind!r}")
        if before is not None and before.kind == "(" and token is not None and token.kind == ")":
            return self.error(token, "'()' holds no filter", "put filters inside the parentheses or drop them")
        if token is None:  # the query ends right after a "(" (an empty query is no error)
            assert before is not None
            return self.error(before, "this '(' is never closed", "close each group with ')'")
        if token.kind in ("and", "or"):
            return self.error(token, f"{token.kind!r} has no filter before it", f"put a filter before {token.kind!r}")
        return self.error(token, "this ')' has no '(' before it", "open each group you close")


def _flat(parts: list[Expression], kind: type[And] | type[Or]) -> tuple[Expression, ...]:
    """``a and (b and c)`` as one ``And`` of three: nesting the same operator means nothing."""
    return tuple(inner for part in parts for inner in (part.parts if isinstance(part, kind) else (part,)))
