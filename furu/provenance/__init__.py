"""Git provenance: which code produced an artifact, and a way back to it.

``capture_git_provenance`` records HEAD, branch, remote and a snapshot
commit of the whole working tree (stored under ``refs/furu/snapshots/`` in
the user's repository); ``materialize_snapshot`` checks such a snapshot out
as a linked worktree; ``snapshot_patch`` shows its uncommitted changes.
See docs/provenance.md.
"""

from furu.provenance.capture import (
    capture_cache_stats,
    capture_git_provenance,
    clear_capture_cache,
)
from furu.provenance.model import (
    DEFAULT_MAX_FILE_BYTES,
    SNAPSHOT_REF_PREFIX,
    GitProvenance,
    SkippedFile,
    SubmoduleRecord,
    snapshot_ref_name,
)
from furu.provenance.patch import snapshot_patch
from furu.provenance.worktree import has_snapshot, materialize_snapshot

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
