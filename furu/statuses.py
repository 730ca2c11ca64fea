"""The statuses a listing shows, in the order views sort them (below the catalog and the query language, which both speak them)."""

from __future__ import annotations

from typing import Literal

ArtifactStatus = Literal[
    "success", "damaged", "failed", "running", "crashed", "preempted", "queued", "absent", "corrupt"
]
"""What a listing shows per artifact.

success: the success marker is there (a cache hit). damaged: the success marker
is there, so the result still loads, but another furu file in ``.furu/``
(state.json, metadata.json, config.json, annotations.json) cannot be read, or
state.json says the attempt failed or never finished; ``problem`` says which. failed: the latest attempt
raised. running / queued: an attempt is in progress (running has a live lock
holder). crashed: an attempt stopped without recording an outcome, or says
running but nobody holds its lock any more. preempted: stopped by SIGTERM or
Ctrl-C, resumable. absent: the directory exists but holds no result (never
finished, or invalidated). corrupt: a furu file in ``.furu/`` (or ``.furu/``
itself) cannot be read and there is no success marker.
"""

STATUSES: tuple[str, ...] = (
    "success", "damaged", "failed", "running", "crashed", "preempted", "queued", "absent", "corrupt"
)

__all__ = ["STATUSES", "ArtifactStatus"]
