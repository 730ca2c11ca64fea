"""Jobs run the code they were submitted with, not whatever the working tree holds later.

At submission, the working tree is captured as a git snapshot (the same one
the artifact's metadata records) and its files are written once per snapshot
under ``<FURU_PATH>/timetravel/jobs/<snapshot id>/`` (plain files, not a git
worktree, so the user's repository gains no worktree registrations). Inside the job, every
``sys.path`` entry that lies in the live repository is shadowed by the same
directory in that checkout, so user modules are imported from the snapshot.
Editing files after submitting therefore changes nothing that runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pydantic import BaseModel

from furu.provenance.model import GitProvenance
from furu.settings import Settings

JOBS_CODE_DIR = ("timetravel", "jobs")


class JobCode(BaseModel):
    """Where a job finds its code: the live repository and the snapshot checkout that replaces it."""

    repo_root: str
    checkout: str


def prepare_job_code(provenance: GitProvenance, current: Settings) -> JobCode | None:
    """Write the snapshot's files for jobs (once per snapshot); None when there is no snapshot."""
    if not provenance.in_repository or provenance.snapshot_id is None or provenance.repo_root is None:
        return None
    from furu.provenance.export_tree import export_snapshot_tree  # pygit2: only when submitting

    checkout = current.data_root.joinpath(*JOBS_CODE_DIR, provenance.snapshot_id)
    export_snapshot_tree(provenance.snapshot_id, checkout, repo_path=Path(provenance.repo_root))
    return JobCode(repo_root=provenance.repo_root, checkout=str(checkout))


def use_job_code(code: JobCode) -> None:
    """Inside the job: import user code from the snapshot checkout instead of the live tree."""
    live = os.path.realpath(code.repo_root)
    checkout = os.path.realpath(code.checkout)
    shadowed: list[str] = []
    for entry in sys.path:
        absolute = os.path.realpath(entry or os.getcwd())
        if _inside(absolute, live) and not _inside(absolute, checkout):
            shadowed.append(os.path.normpath(os.path.join(checkout, os.path.relpath(absolute, live))))
    for entry in reversed(shadowed):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory + os.sep)
