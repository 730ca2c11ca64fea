"""A handle on an artifact another process (not a cluster job) is creating."""

from __future__ import annotations

from typing import Generic, TypeVar

from furu.configs import Config

T = TypeVar("T")


class ArtifactHandle(Generic[T]):
    """Looks like a submitit job where it matters: ``done()``, ``result()``, ``job_id``."""

    job_id: str | None = None

    def __init__(self, obj: Config[T]) -> None:
        self.obj = obj

    def done(self) -> bool:
        return self.obj.exists()

    def result(self) -> T:
        """Wait for the other process (as ``load_or_create`` waits) and return the result."""
        return self.obj.load_or_create()

    def __repr__(self) -> str:
        return f"ArtifactHandle({self.obj.furu_fqn()} {self.obj.furu_hash[:8]})"
