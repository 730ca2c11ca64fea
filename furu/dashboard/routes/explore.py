"""``/api/explore``: the experiments the code defines (FuruList collections, Furu classes) against what exists.

One call to :func:`furu.explore.explore_in_subprocess`: the package is
imported in a fresh ``python -m furu.explore`` each time, so the page shows
the code as it is now and nothing a module does while importing stays in the
server.
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Query

from furu.explore import Exploration, explore_in_subprocess

router = APIRouter(tags=["explore"])

PACKAGE_PATTERN = r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$"


@router.get("/explore", response_model=Exploration)
def explore(
    package: Annotated[
        str | None,
        Query(max_length=200, pattern=PACKAGE_PATTERN, description="The package to import (default: every package under the project root)"),
    ] = None,
) -> Exploration:
    return explore_in_subprocess(package, cwd=os.getcwd())
