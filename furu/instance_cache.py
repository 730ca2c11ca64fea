"""Per-object memo for frozen configs: what furu worked out about one config object, kept with it.

Frozen pydantic models cannot hold private state without slowing down every
construction, and they are not hashable when a field holds a list. This maps
``id(obj)`` to a value, guarded by a weak reference so an entry dies with its
object and a recycled id never returns a stale value.

Each config gets one :class:`ConfigMemo`, shared by identity and layout: a
cache hit on a freshly built config then pays for one weak reference, not one
per thing it remembers.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from furu.layout import ArtifactPaths
    from furu.settings import Settings

V = TypeVar("V")


class InstanceCache(Generic[V]):
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], V]] = {}

    def get(self, obj: object) -> V | None:
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        return None

    def put(self, obj: object, value: V) -> None:
        key = id(obj)
        entries = self._entries

        def forget(ref: weakref.ref[Any]) -> None:
            current = entries.get(key)
            if current is not None and current[0] is ref:
                del entries[key]

        entries[key] = (weakref.ref(obj, forget), value)

    def __len__(self) -> int:
        return len(self._entries)


class ConfigMemo:
    """What is known about one config object; None until worked out.

    ``identity``: its hash and the JSON depth of its stored form (furu.identity);
    ``paths``: the settings they were derived under, and its artifact's paths (furu.core).
    """

    __slots__ = ("identity", "paths")

    def __init__(self) -> None:
        self.identity: tuple[str, int] | None = None
        self.paths: tuple[Settings, ArtifactPaths] | None = None


_memos: InstanceCache[ConfigMemo] = InstanceCache()


def memo_of(obj: object) -> ConfigMemo:
    """The memo of ``obj``, made on first use."""
    memo = _memos.get(obj)
    if memo is None:
        memo = ConfigMemo()
        _memos.put(obj, memo)
    return memo


__all__ = ["ConfigMemo", "InstanceCache", "memo_of"]
