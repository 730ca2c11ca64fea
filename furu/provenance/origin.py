"""Which work tree the code came from, when a repository has several (``git worktree add``).

furu keeps one cache per repository: inside a linked worktree the project
root maps onto the main worktree (see :mod:`furu.project`). The snapshot,
though, must be of the checkout whose files Python imported: the work tree
holding the class's source file, else the one holding the working
directory. Only work trees of the project's own repository qualify, so a
class imported from another repository (an editable install of a library)
never has that library snapshotted in place of the project.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from furu.provenance.repository import common_dir_of, discover_git_dir


def code_locations(cls: type | None) -> list[Path]:
    """Where the code of ``cls`` was imported from, then the working directory."""
    locations = []
    module = sys.modules.get(cls.__module__) if cls is not None else None
    source = getattr(module, "__file__", None)
    if isinstance(source, str):
        locations.append(Path(source).parent)
    locations.append(Path(os.getcwd()))
    return locations


def code_git_dir(project_git_dir: str, locations: Iterable[Path]) -> str:
    """The git dir of the first of ``locations`` in a work tree of the project's repository."""
    common = os.path.realpath(common_dir_of(project_git_dir))
    for location in locations:
        if not location.is_dir():
            continue  # e.g. a module imported from a zip file
        git_dir = discover_git_dir(location)
        if git_dir is None:
            continue
        if git_dir == project_git_dir or os.path.realpath(common_dir_of(git_dir)) == common:
            return git_dir
    return project_git_dir
