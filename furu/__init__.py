"""furu: cached, exactly-once, self-describing research pipeline steps.

Write each step as a typed config class with ``_create()`` and ``_load()``;
furu hashes the config into a stable artifact directory, computes it once
even with many processes racing, and records where the result came from.
"""

from furu._version import __version__
from furu.collection import FuruList
from furu.core import Furu
from furu.errors import (
    FuruConfigError,
    FuruError,
    FuruGitError,
    FuruLockTimeout,
    FuruNamespaceError,
    FuruNotFound,
    FuruProjectRootError,
)
from furu.identity import UnhashableValueError, skip_hash
from furu.metadata import Metadata
from furu.plan import FuruDryRun, PlanNode, plan
from furu.state import ArtifactState, Attempt
from furu.timetravel import timetravel



def __getattr__(name: str) -> object:
    # The cluster API imports submitit; load it only when asked for.
    if name == "load_or_create_all":
        from furu.cluster import load_or_create_all

        return load_or_create_all
    raise AttributeError(f"module 'furu' has no attribute {name!r}")


__all__ = [
    "ArtifactState",
    "Attempt",
    "Furu",
    "FuruConfigError",
    "FuruDryRun",
    "FuruError",
    "FuruGitError",
    "FuruList",
    "FuruLockTimeout",
    "FuruNamespaceError",
    "FuruNotFound",
    "FuruProjectRootError",
    "Metadata",
    "PlanNode",
    "UnhashableValueError",
    "__version__",
    "load_or_create_all",
    "plan",
    "skip_hash",
    "timetravel",
]
