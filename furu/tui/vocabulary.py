"""What the filter input completes: the keys of the ``furu ls`` language and the values the catalog holds.

Field names are the built-in keys and every config path a stored config has
(:func:`furu.catalog.pages.field_paths`); values are what
:func:`furu.catalog.distinct` counts for a key, most frequent first. Both read
the whole catalog, so they are asked once (on the catalog the UI keeps for
such answers) and kept until the catalog changes (:meth:`Vocabulary.forget`).
Every call here blocks: the input calls it from a worker thread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from furu.catalog import STATUSES, distinct
from furu.catalog.pages import field_paths
from furu.query import BUILTIN_KEYS
from furu.query.values import written_value
from furu.tui.source import Source

WORDS = ("and", "or", "not")
MAX_VALUES = 50
_TERM = re.compile(r"^(?P<key>[\w.]+)(?P<op>!=|>=|<=|!~|=|~|>|<)(?P<value>.*)$")
_BOOLEAN_KEYS = ("version_controlled", "code_changed", "stale")
_LISTED_KEYS = ("class", "fqn", "namespace", "name", "host", "user", "tag", "tags")
_FREE_KEYS = ("hash", "created", "updated", "runtime", "size")
"""Keys whose values are typed, not picked (a hash prefix, a date, a duration, a size)."""


@dataclass(frozen=True, slots=True)
class Completion:
    """What the word being typed can become: ``candidates`` replace ``text[start:]``."""

    start: int
    typed: str
    candidates: list[str]
    kind: str
    """``key`` (a field name), or the key whose values are offered."""
    containing: bool = False
    """After ``~`` or ``!~``: the candidates contain what was typed (a pattern matches anywhere), not start with it."""

    def suggestion(self, text: str) -> str | None:
        """The whole input with the first candidate in place of the word, if that adds something."""
        for candidate in self.candidates:
            if candidate.startswith(self.typed) and len(candidate) > len(self.typed):
                return text[: self.start] + candidate
        return None


class Vocabulary:
    """The field names and values of one project's catalog, read once each."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._fields: list[str] | None = None
        self._values: dict[str, list[str]] = {}

    def forget(self) -> None:
        """The catalog changed: read names and values again when next asked."""
        self._fields = None
        self._values = {}

    def fields(self) -> list[str]:
        if self._fields is None:
            with self.source.catalog("whole") as catalog:
                paths = [path for path, _kinds in field_paths(catalog=catalog) if path.rpartition(".")[2] != "__class__"]
            self._fields = [*BUILTIN_KEYS, *(p for p in paths if p not in BUILTIN_KEYS)]
        return self._fields

    def values(self, key: str) -> list[str]:
        """The values ``key`` takes, as the filter language writes them ([] for keys whose values are typed)."""
        if key == "status":
            return list(STATUSES)
        if key in _BOOLEAN_KEYS:
            return ["true", "false"]
        if key in _FREE_KEYS:
            return []
        if key not in self._values:
            field = key if key in _LISTED_KEYS else f"config.{key.removeprefix('config.')}"
            with self.source.catalog("whole") as catalog:
                found = distinct(field, limit=MAX_VALUES, catalog=catalog)
            self._values[key] = [written_value(v.value) for v in found if v.value is not None or key not in _LISTED_KEYS]
        return self._values[key]

    def complete(self, text: str) -> Completion:
        """The candidates for the last word of ``text`` (a key, or a value after ``key=``, after a comma too)."""
        start = max(text.rfind(" "), text.rfind("(")) + 1
        word = text[start:]
        term = _TERM.match(word)
        if term is None:
            names = [*self.fields(), *WORDS]
            return Completion(start, word, [name for name in names if name.startswith(word)], "key")
        key = term["key"]
        value_start = start + term.start("value")
        value = term["value"]
        if "," in value:
            value_start += value.rfind(",") + 1
            value = value[value.rfind(",") + 1 :]
        values = self.values(key) if key in BUILTIN_KEYS or key in self.fields() or key.startswith("config.") else []
        if key in ("class", "fqn"):  # class=Train matches by its last part too
            values = [*dict.fromkeys(v.rpartition(".")[2] for v in values), *values] if key == "class" else values
        if term["op"] in ("~", "!~"):
            return Completion(value_start, value, [v for v in values if value in v], key, containing=True)
        return Completion(value_start, value, [v for v in values if v.startswith(value)], key)
