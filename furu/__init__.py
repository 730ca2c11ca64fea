"""furu: cached, exactly-once, self-describing research pipeline steps.

Write each step as a typed config class with ``_create()`` and ``_load()``;
furu hashes the config into a stable artifact directory, computes it once
even with many processes racing, and records where the result came from.
"""

from typing import TYPE_CHECKING

from furu._lazy import lazy_attributes
from furu._version import __version__
from furu.errors import (
    FuruConfigError,
    FuruError,
    FuruGitError,
    FuruLockLost,
    FuruLockTimeout,
    FuruNamespaceError,
    FuruNotFound,
    FuruProjectRootError,
)

if TYPE_CHECKING:
    from furu.cluster import load_or_create_all
    from furu.collection import FuruList
    from furu.core import Furu
    from furu.history import added, moved_from, removed, renamed
    from furu.migrate import migrate
    from furu.identity import UnhashableValueError, skip_hash
    from furu.metadata import Metadata
    from furu.planning import FuruDryRun, PlanNode, plan
    from furu.share.export import export
    from furu.share.importing import import_bundle
    from furu.state import ArtifactState, Attempt
    from furu.time_travel import timetravel

# Everything else loads on first use (``furu.Furu`` imports pydantic's models, the cluster
# backend imports submitit, sharing imports dulwich), so ``import furu`` and the ``furu``
# command start fast: ``furu --help`` needs none of them.
__getattr__ = lazy_attributes(
    "furu",
    {
        "Furu": "furu.core",
        "added": "furu.history",
        "renamed": "furu.history",
        "removed": "furu.history",
        "moved_from": "furu.history",
        "migrate": "furu.migrate",
        "FuruList": "furu.collection",
        "UnhashableValueError": "furu.identity",
        "skip_hash": "furu.identity",
        "Metadata": "furu.metadata",
        "FuruDryRun": "furu.planning",
        "PlanNode": "furu.planning",
        "plan": "furu.planning",
        "ArtifactState": "furu.state",
        "Attempt": "furu.state",
        "timetravel": "furu.time_travel",
        "load_or_create_all": "furu.cluster",
        "export": "furu.share",
        "import_bundle": "furu.share",
    },
)


__all__ = [
    "ArtifactState",
    "Attempt",
    "Furu",
    "FuruConfigError",
    "FuruDryRun",
    "FuruError",
    "FuruGitError",
    "FuruList",
    "FuruLockLost",
    "FuruLockTimeout",
    "FuruNamespaceError",
    "FuruNotFound",
    "FuruProjectRootError",
    "Metadata",
    "PlanNode",
    "UnhashableValueError",
    "__version__",
    "added",
    "export",
    "import_bundle",
    "load_or_create_all",
    "migrate",
    "moved_from",
    "plan",
    "removed",
    "renamed",
    "skip_hash",
    "timetravel",
]
