"""A new attempt starts from an empty artifact directory: earlier attempts' files are moved aside.

An attempt that was killed, crashed, failed, lost its lock or was
invalidated leaves its files in the artifact directory; a new attempt that
wrote beside them would mix two attempts into one result. So before a new
attempt starts (holding the lock, and only without a success marker), every
entry beside ``.furu/`` is renamed into ``.furu/leftovers/<attempt id>/``.
Renaming moves a symlink itself, never what it points to. Only the latest
attempt's leftovers are kept, for a look at what went wrong; the checkpoint
(``.furu/checkpoint/``) stays where it is, since it exists to be resumed from.
"""

from __future__ import annotations

import os
import shutil

from furu.layout import INTERNAL_DIR, ArtifactPaths
from furu.logs import logger
from furu.state import ArtifactState, Attempt


def set_aside_leftovers(paths: ArtifactPaths, state: ArtifactState, starting: Attempt) -> int:
    """Move the files earlier attempts left beside ``.furu/`` aside, as ``starting`` begins; how many moved."""
    earlier = next((a for a in reversed(state.attempts) if a is not starting), None)
    if earlier is None or paths.success.exists():
        return 0
    with os.scandir(paths.root_str) as items:
        names = sorted(item.name for item in items if item.name != INTERNAL_DIR)
    if not names:
        return 0
    if paths.leftovers.exists():
        shutil.rmtree(paths.leftovers)  # an older attempt's leftovers: only the latest are kept
    target = paths.leftovers / earlier.id
    target.mkdir(parents=True)
    for name in names:
        os.rename(os.path.join(paths.root_str, name), target / name)
    logger.info(
        "moved %d file(s) that attempt %d (%s) left in %s to %s",
        len(names), earlier.number, earlier.status, paths.root_str, target,
    )
    return len(names)
