"""What changed in a class, one line per change: for ``furu migrate`` and for a class's declared history.

A class declares the changes it went through, oldest first, and from then on
``load_or_create`` finds the results its older forms made by itself (and
records the migration), with no command run::

    class Train(furu.Furu[Model], history=[
        furu.moved_from("old.models.Train"),
        furu.renamed("lr", "learning_rate"),
        furu.added("momentum"),        # results made before it ran with its default
        furu.removed("seed", was=0),   # what the code does now is what seed=0 did
    ]):
        learning_rate: float = 1e-3
        momentum: float = 0.9

Each change reads both ways: :meth:`Change.forward` turns a stored (older)
config into today's form (what ``furu migrate`` does to every artifact it
migrates), and :func:`older_forms` turns today's config back into the
identities its older forms had (what ``load_or_create`` looks for on a miss).
Going back stops where it cannot be exact: an added field whose value is not
the one older results ran with, a removed field without ``was``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from furu.errors import FuruConfigError
from furu.identity import HashOf, hash_of_fields, hashed_field_names
from furu.namespace import class_fqn
from furu.serialization import CLASS_KEY, stored_value
from furu.configs import Config, is_config

MAX_OLDER_FORMS = 64
"""How many older identities a miss checks at most (each is one ``access(2)``)."""


class _Unset:
    """Marks an argument that was not given (``None`` is a value a field may take)."""

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class Added:
    """Field ``field`` was added; results made before it correspond to ``value`` (default: the field's default)."""

    field: str
    value: Any = UNSET

    def describe(self, cls: type | None = None) -> str:
        value = self.value if self.value is not UNSET or cls is None else field_default(cls, self.field)
        given = "" if value is UNSET else (" with value " if self.value is not UNSET else " with default ") + shown_value(value)
        return f"field `{self.field}` added{given}"


@dataclass(frozen=True, slots=True)
class Renamed:
    """Field ``old`` is now called ``new``."""

    old: str
    new: str

    def describe(self, cls: type | None = None) -> str:
        return f"field `{self.old}` renamed to `{self.new}`"


@dataclass(frozen=True, slots=True)
class Removed:
    """Field ``field`` was removed; today's code does what ``field=was`` did (unset: any value)."""

    field: str
    was: Any = UNSET

    def describe(self, cls: type | None = None) -> str:
        was = "" if self.was is UNSET else f" (it was {shown_value(self.was)})"
        return f"field `{self.field}` removed{was}"


@dataclass(frozen=True, slots=True)
class MovedFrom:
    """The class was called ``fqn`` (``module.QualName``) before: it moved or was renamed."""

    fqn: str

    def describe(self, cls: type | None = None) -> str:
        return f"class moved from `{self.dotted}`"

    @property
    def dotted(self) -> str:
        """``module.QualName`` (``module:Outer.Inner`` may be written to say where the module ends)."""
        return self.fqn.replace(":", ".")

    @property
    def dir_parts(self) -> tuple[str, ...]:
        """The class directory's parts under a root: the module's dotted parts, then the qualname."""
        module, _, qualname = self.fqn.partition(":") if ":" in self.fqn else self.fqn.rpartition(".")
        return (*module.split("."), qualname)


Change = Added | Renamed | Removed | MovedFrom


def added(field: str, value: Any = UNSET) -> Added:
    """Declare an added field; ``value`` is what older results ran with (default: the field's default)."""
    return Added(field, value)


def renamed(old: str, new: str) -> Renamed:
    """Declare that field ``old`` is now called ``new``."""
    return Renamed(old, new)


def removed(field: str, *, was: Any = UNSET) -> Removed:
    """Declare a removed field; ``was`` is the value whose results today's code reproduces."""
    return Removed(field, was)


def moved_from(fqn: str) -> MovedFrom:
    """Declare that the class was ``fqn`` before (moved to another module, or renamed)."""
    return MovedFrom(fqn)


@dataclass(frozen=True, slots=True)
class OlderForm:
    """An identity an older form of a config had, and the changes that lead from it to today's."""

    fqn: str
    hash: str
    changes: tuple[str, ...]
    """In words, oldest first; a dependency's older form reads "dependency `data`: field `n` added ..."."""
    class_dir_parts: tuple[str, ...] | None
    """Where its class directory is, when the class was called otherwise (None: today's class directory)."""


_MOVED_HERE: dict[str, type] = {}
"""Old ``module.QualName`` -> the class declaring ``moved_from`` it, for every class defined so far."""


def class_moved_from(fqn: str) -> type | None:
    """The class (among those imported) whose history says it was called ``fqn`` before."""
    return _MOVED_HERE.get(fqn.replace(":", "."))


def check_history(cls: type, history: Sequence[Any]) -> tuple[Change, ...]:
    """Validate a class's declared history against its fields, so a mistake shows at import, not on a miss.

    The old names it moved from are remembered, so a result stored under one is
    recognised as this class's (:func:`class_moved_from`).
    """
    changes = tuple(history)
    fields = set(getattr(cls, "model_fields", {}))
    label = cls.__qualname__
    for change in changes:
        if not isinstance(change, Change):
            raise FuruConfigError(
                f"{label}: history entries are furu.added(...), furu.renamed(...), furu.removed(...) or "
                f"furu.moved_from(...); got {change!r}."
            )
        if isinstance(change, Added) and change.field not in fields:
            raise FuruConfigError(f"{label}: history says field `{change.field}` was added, but {label} has no such field.")
        if isinstance(change, Added) and change.value is UNSET and field_default(cls, change.field) is UNSET:
            raise FuruConfigError(
                f"{label}: field `{change.field}` has no default, so furu cannot tell what results made before it "
                f"ran with: write furu.added({change.field!r}, value=...)."
            )
        if isinstance(change, Removed) and change.field in fields:
            raise FuruConfigError(f"{label}: history says field `{change.field}` was removed, but {label} still has it.")
    for change in changes:
        if isinstance(change, MovedFrom):
            _MOVED_HERE[change.dotted] = cls
    return changes


def older_forms(obj: Config[Any], limit: int = MAX_OLDER_FORMS) -> list[OlderForm]:
    """The identities ``obj`` had under its classes' declared histories, newest first.

    Its own history gives the older forms of its own fields and class name;
    each field holding a config contributes that config's older forms (a
    result made before a dependency changed names the dependency's old hash).
    """
    return list(itertools.islice(_older_forms(obj, limit), limit))


def _older_forms(obj: Config[Any], limit: int) -> Iterator[OlderForm]:
    cls = type(obj)
    version = cls.furu_version
    states = list(_own_states(cls, {name: getattr(obj, name) for name in hashed_field_names(cls)}))
    nested = {
        name: [None, *older_forms(value, limit)]
        for name, value in states[0][2].items()
        if is_config(value)
    }
    nested = {name: options for name, options in nested.items() if len(options) > 1}
    names = list(nested)
    for (fqn, where, fields, changes), choice in itertools.product(states, itertools.product(*(nested[n] for n in names))):
        if not changes and all(option is None for option in choice):
            continue  # today's own form: the miss that brought us here
        values, words = dict(fields), list(changes)
        for name, option in zip(names, choice, strict=True):
            if option is None:
                continue
            field = next((n for n in (name, *_renamed_back(cls, name)) if n in values), None)
            if field is None:
                continue
            values[field] = HashOf(option.hash)
            words += [f"dependency `{name}`: {change}" for change in option.changes]
        yield OlderForm(fqn, hash_of_fields(fqn, version, values), tuple(words), where)


_State = tuple[str, tuple[str, ...] | None, dict[str, Any], tuple[str, ...]]


def _own_states(cls: type, fields: dict[str, Any]) -> Iterator[_State]:
    """Today's (fqn, class dir, hashed fields), then each older one its history leads back to, with the changes since."""
    fqn = class_fqn(cls)
    where: tuple[str, ...] | None = None
    history: tuple[Change, ...] = getattr(cls, "furu_history", ())
    yield fqn, where, fields, ()
    fields = dict(fields)
    since: list[str] = []
    for change in reversed(history):
        if isinstance(change, Renamed):
            if change.new in fields:
                fields[change.old] = fields.pop(change.new)
        elif isinstance(change, Added):
            if change.field in fields:
                value = change.value if change.value is not UNSET else field_default(cls, change.field)
                if not _same(fields[change.field], value):
                    return  # this config did not exist before the field did
                del fields[change.field]
        elif isinstance(change, Removed):
            if change.was is UNSET:
                return  # which value older results had is unknown
            fields[change.field] = change.was
        else:
            fqn, where = change.dotted, change.dir_parts
        since.insert(0, change.describe(cls))
        yield fqn, where, dict(fields), tuple(since)


def forward(config: dict[str, Any], cls: type) -> tuple[dict[str, Any], list[str]]:
    """A stored config of an older form of ``cls`` in today's form, by its declared history; and the changes, in words.

    Only what the history says is changed: a stored config it does not fit stays
    as it is where it does not fit (today's class then refuses it, naming the field).
    """
    changed = dict(config)
    words = []
    for change in getattr(cls, "furu_history", ()):
        if isinstance(change, Renamed) and change.old in changed and change.new not in changed:
            changed[change.new] = changed.pop(change.old)
        elif isinstance(change, Removed) and change.field in changed:
            del changed[change.field]
        elif isinstance(change, Added) and change.field not in changed and change.value is not UNSET:
            changed[change.field] = stored_value(change.value, cls.model_fields[change.field].annotation)  # type: ignore[attr-defined]
        elif isinstance(change, MovedFrom) and changed.get(CLASS_KEY) == change.dotted:
            changed[CLASS_KEY] = class_fqn(cls)
        else:
            continue
        words.append(change.describe(cls))
    return changed, words


def _renamed_back(cls: type, name: str) -> list[str]:
    """The older names of field ``name`` (newest first)."""
    names = []
    for change in reversed(getattr(cls, "furu_history", ())):
        if isinstance(change, Renamed) and change.new == name:
            name = change.old
            names.append(name)
    return names


def field_default(cls: type, name: str) -> Any:
    """The default of field ``name`` of a pydantic class (UNSET when it has none)."""
    info = getattr(cls, "model_fields", {}).get(name)
    if info is None or info.is_required():
        return UNSET
    return info.get_default(call_default_factory=True)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # noqa: BLE001 - e.g. numpy arrays: no single truth value, so not provably the same
        return False


def shown_value(value: Any) -> str:
    """A value as the words of a change show it: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
