"""``furu.Furu[T]``: the base class of every cached step.

A subclass is a frozen pydantic model (its fields are the config) with two
methods: ``_create()`` computes the result into ``self.furu_dir`` and
``_load()`` reads it back. Everything else, from identity to locking to
metadata, is furu's job and lives in the modules this class delegates to.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict

from furu import identity, layout, serialization, settings
from furu.history import Change, check_history
from furu.instance_cache import memo_of
from furu.namespace import class_fqn, namespace_parts
from furu.state import ArtifactState, read_state

if TYPE_CHECKING:
    from furu.metadata import Metadata
    from furu.provenance.model import GitProvenance

T = TypeVar("T")


class Furu(BaseModel, Generic[T]):
    """A cached, exactly-once, self-describing step of a pipeline.

    Class keywords: ``version="2"`` (bump to invalidate old results),
    ``version_controlled=True`` (the result is meant to be committed; it goes
    to ``furu-data/artifacts/``) and ``history=[furu.added("momentum"), ...]``
    (the changes the class went through, so its older results are still found:
    see :mod:`furu.history`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    __furu_config__ = True  # how the layers below recognise a config (furu.configs.is_config)

    furu_version: ClassVar[str] = ""
    furu_version_controlled: ClassVar[bool] = False
    furu_history: ClassVar[tuple[Change, ...]] = ()

    def __init_subclass__(
        cls,
        *,
        version: str | int | None = None,
        version_controlled: bool | None = None,
        history: Sequence[Change] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if version is not None:
            cls.furu_version = str(version)
        if version_controlled is not None:
            cls.furu_version_controlled = version_controlled
        cls.furu_history = tuple(history or ())  # never inherited: a subclass is another class, with its own past

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.furu_history:  # checked once the fields exist, so a mistake shows at import
            cls.furu_history = check_history(cls, cls.furu_history)

    # -- what subclasses write ---------------------------------------------------------

    def _create(self) -> T:
        """Compute the result, writing files into ``self.furu_dir``; return the result."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement _create()")

    def _load(self) -> T:
        """Read the result back from ``self.furu_dir``."""
        raise NotImplementedError(f"{type(self).__qualname__} must implement _load()")

    def _validate(self) -> bool:
        """Return False to make a cached result count as missing (it is recomputed)."""
        return True

    def _dependencies(self) -> list[Furu[Any]]:
        """Dependencies not expressed as fields; recorded like field dependencies."""
        return []

    # -- identity and location ---------------------------------------------------------

    @property
    def furu_hash(self) -> str:
        """32 hex chars of xxh3-128 over the class name, version and hashed fields."""
        return identity.furu_hash(self)

    @classmethod
    def furu_fqn(cls) -> str:
        """``module.QualName``, the class's stable name."""
        return class_fqn(cls)

    @property
    def furu_dir(self) -> Path:
        """This artifact's directory (it exists once creation has started)."""
        return self._paths().root

    @property
    def raw_dir(self) -> Path:
        """A directory shared by all artifacts for big files (datasets, downloads)."""
        path = layout.raw_dir(settings.current().data_root)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def checkpoint_dir(self) -> Path:
        """Survives failed and preempted attempts; removed after a success."""
        path = self._paths().checkpoint
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _paths(self, current: settings.Settings | None = None) -> layout.ArtifactPaths:
        current = current or settings.current()
        memo = memo_of(self)
        cached = memo.paths
        if cached is not None and cached[0] is current:
            return cached[1]
        paths = layout.ArtifactPaths(f"{_class_dir(type(self), current)}/{self.furu_hash}")
        memo.paths = (current, paths)
        return paths

    # -- running -----------------------------------------------------------------------

    def load_or_create(self, executor: Any = None) -> T:
        """Return the cached result, creating it first (exactly once) when missing.

        With a submitit ``executor`` a miss is submitted as a cluster job and a
        handle to it is returned instead (see :mod:`furu.cluster`).
        """
        if executor is not None:
            from furu.cluster import submit

            return submit(self, executor)  # type: ignore[no-any-return]  # a job handle
        result: T = _execution().load_or_create(self)
        return result

    def exists(self) -> bool:
        """Whether a successful result is on disk and ``_validate()`` accepts it."""
        return self._paths().has_success() and self._validate()

    def get_state(self) -> ArtifactState:
        """The recorded attempts and outcome (``result="absent"`` before any attempt)."""
        return read_state(self._paths(), class_fqn(type(self)), self.furu_hash)

    def get_metadata(self) -> Metadata:
        """The metadata recorded when the result was created."""
        from furu.metadata import read_metadata

        return read_metadata(self._paths(), self)

    def provenance(self) -> GitProvenance:
        """The git provenance recorded when the result was created (commit, snapshot, ...)."""
        from furu.metadata import read_metadata, recorded_provenance

        return recorded_provenance(read_metadata(self._paths(), self), require_snapshot=False)

    # -- serialisation -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (with ``__class__`` tags) that ``from_dict`` rebuilds."""
        return serialization.to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild an object from ``to_dict()`` output; subclasses are kept."""
        return serialization.from_dict(data, expected=cls)  # type: ignore[no-any-return]

    def to_python(self) -> str:
        """Python source (imports and one expression) that rebuilds this object."""
        return serialization.to_python(self)

    # -- identity semantics ------------------------------------------------------------

    def __hash__(self) -> int:
        return int(self.furu_hash[:16], 16)


def _class_dir(cls: type[Furu[Any]], current: settings.Settings) -> str:
    key = (cls, current)
    found = _class_dirs.get(key)
    if found is None:
        found = layout.class_dir(layout.artifacts_base(current, cls.furu_version_controlled), namespace_parts(class_fqn(cls), cls))
        _class_dirs[key] = found
    return found


def _execution() -> Any:
    """:mod:`furu.execution`, imported on the first ``load_or_create``, then held here.

    ``import furu`` stays light without it; an import statement inside the method
    would cost a cache hit a third of its time (about 2 us of 7) on every call.
    """
    global _execution_module
    if _execution_module is None:
        import furu.execution

        _execution_module = furu.execution
    return _execution_module


_execution_module: Any = None
_class_dirs: dict[tuple[type, settings.Settings], str] = {}
