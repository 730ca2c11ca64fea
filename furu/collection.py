"""``furu.FuruList``: a named collection of experiments, declared as a class.

::

    class Sweep(furu.FuruList[Train]):
        baseline = Train(lr=1e-3)
        by_size = {"small": Train(lr=1e-4), "large": Train(lr=1e-2)}
        grid = [Train(lr=lr) for lr in (1e-3, 3e-4)]

    Sweep.all()                  # every experiment, in declaration order
    Sweep.items()                # ("baseline", ...), ("by_size.small", ...), ("grid.0", ...)
    Sweep.by_name("by_size.small")

Names are the attribute name, then ``.key`` for dict entries and ``.index``
for list entries. Base classes' experiments come first.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from furu.core import Furu
from furu.errors import FuruError

T = TypeVar("T", bound=Furu[Any])


class FuruList(Generic[T]):
    """Subclass and assign experiments as class attributes (alone, in dicts or in lists)."""

    _furu_items: ClassVar[tuple[tuple[str, Any], ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        items: dict[str, Any] = dict(cls._furu_items)
        for attribute, value in vars(cls).items():
            if attribute.startswith("_"):
                continue
            for name, obj in _named(attribute, value):
                items[name] = obj
        cls._furu_items = tuple(items.items())

    def __init__(self) -> None:
        raise TypeError(f"{type(self).__name__} is a collection; use its class methods (all(), items(), by_name())")

    @classmethod
    def items(cls) -> list[tuple[str, T]]:
        return list(cls._furu_items)

    @classmethod
    def all(cls) -> list[T]:
        return [obj for _, obj in cls._furu_items]

    @classmethod
    def names(cls) -> list[str]:
        return [name for name, _ in cls._furu_items]

    @classmethod
    def by_name(cls, name: str) -> T:
        for candidate, obj in cls._furu_items:
            if candidate == name:
                return obj  # type: ignore[no-any-return]
        raise FuruError(f"{cls.__qualname__} has no experiment named {name!r}; known names: {', '.join(cls.names())}")


def _named(attribute: str, value: Any) -> list[tuple[str, Furu[Any]]]:
    if isinstance(value, Furu):
        return [(attribute, value)]
    if isinstance(value, dict) and value and all(isinstance(v, Furu) for v in value.values()):
        return [(f"{attribute}.{key}", obj) for key, obj in value.items()]
    if isinstance(value, list | tuple) and value and all(isinstance(v, Furu) for v in value):
        return [(f"{attribute}.{index}", obj) for index, obj in enumerate(value)]
    return []
