"""Git provenance: which code produced an artifact, and a way back to it.

``capture_git_provenance`` records HEAD, branch, remote and a snapshot
commit of the whole working tree (stored under ``refs/furu/snapshots/`` in
the user's repository); ``materialize_snapshot`` checks such a snapshot out
as a linked worktree; ``snapshot_patch`` shows its uncommitted changes.
See docs/provenance.md.
"""

from furu._lazy import lazy_attributes
from furu.provenance.model import (
    DEFAULT_MAX_FILE_BYTES,
    SNAPSHOT_REF_PREFIX,
    GitProvenance,
    SkippedFile,
    SubmoduleRecord,
    snapshot_ref_name,
)

# The functions need pygit2, which takes a while to import; the models (read by
# every metadata.json reader) do not. Load the functions on first use.
__getattr__ = lazy_attributes(
    "furu.provenance",
    {
        "capture_cache_stats": "furu.provenance.capture",
        "capture_git_provenance": "furu.provenance.capture",
        "clear_capture_cache": "furu.provenance.capture",
        "snapshot_patch": "furu.provenance.patch",
        "has_snapshot": "furu.provenance.worktree",
        "materialize_snapshot": "furu.provenance.worktree",
    },
)

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "SNAPSHOT_REF_PREFIX",
    "GitProvenance",
    "SkippedFile",
    "SubmoduleRecord",
    "capture_cache_stats",
    "capture_git_provenance",
    "clear_capture_cache",
    "has_snapshot",
    "materialize_snapshot",
    "snapshot_patch",
    "snapshot_ref_name",
]
