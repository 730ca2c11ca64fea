"""furu: cached, exactly-once, self-describing research pipeline steps.

Write each step as a typed config class with ``_create()`` and ``_load()``;
furu hashes the config into a stable artifact directory, computes it once
even with many processes racing, and records where the result came from.
"""

from furu._lazy import lazy_attributes
from furu._version import __version__
from furu.collection import FuruList
from furu.core import Furu
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
from furu.identity import UnhashableValueError, skip_hash
from furu.metadata import Metadata
from furu.plan import FuruDryRun, PlanNode, plan
from furu.state import ArtifactState, Attempt
from furu.timetravel import timetravel



# Loaded on first use: they import submitit, the catalog and dulwich, which
# a script that only runs load_or_create never needs.
__getattr__ = lazy_attributes(
    "furu",
    {"load_or_create_all": "furu.cluster", "export": "furu.share", "import_bundle": "furu.share"},
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
    "export",
    "import_bundle",
    "load_or_create_all",
    "plan",
    "skip_hash",
    "timetravel",
]
