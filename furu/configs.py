"""What furu's machinery knows of a config, without importing :class:`furu.Furu`.

``furu.core.Furu`` is the facade users subclass; it sits on top of the
machinery it delegates to (identity, execution, metadata, the cluster
backend). Those lower layers must not import it back, so they see a config
through :class:`Config`, a structural type, and recognise one at run time
with :func:`is_config`: every ``Furu`` class carries ``__furu_config__``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from typing_extensions import TypeIs

if TYPE_CHECKING:
    from furu.layout import ArtifactPaths
    from furu.settings import Settings

T_co = TypeVar("T_co", covariant=True)

CONFIG_MARKER = "__furu_config__"


class Config(Protocol[T_co]):
    """A furu config as the machinery uses it: identity, location and the user's hooks."""

    furu_version: ClassVar[str]
    furu_version_controlled: ClassVar[bool]

    @property
    def furu_hash(self) -> str: ...

    @property
    def furu_dir(self) -> Path: ...

    @classmethod
    def furu_fqn(cls) -> str: ...

    def _paths(self, current: Settings | None = None) -> ArtifactPaths: ...

    def _create(self) -> T_co: ...

    def _load(self) -> T_co: ...

    def _validate(self) -> bool: ...

    def _dependencies(self) -> list[Any]: ...

    def exists(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...

    def load_or_create(self, executor: Any = None) -> T_co: ...


def is_config(value: object) -> TypeIs[Config[Any]]:
    """Whether ``value`` is a furu config (an instance of a ``furu.Furu`` subclass)."""
    return getattr(type(value), CONFIG_MARKER, False) is True


def field_names(config: Config[Any]) -> list[str]:
    """The config's fields (a config is a pydantic model; the protocol leaves that out)."""
    return list(type(config).model_fields)  # type: ignore[attr-defined]


def is_config_class(value: object) -> TypeIs[type[Config[Any]]]:
    """Whether ``value`` is a ``furu.Furu`` subclass (``furu.Furu`` itself included)."""
    return isinstance(value, type) and getattr(value, CONFIG_MARKER, False) is True
