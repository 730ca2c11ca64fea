"""A throwaway project whose results went stale: made, then ``Data`` gained a field with a default (for the stale view's tests).

It is a git repository, so every result has a code snapshot and its code
drift has a diff. Every result is stale (each Model and Report holds a Data),
and the code of every one drifted (Data's class, the others' module).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.gitenv import git, init_project_repo
from tests.throwaway import create, furu, make_project

MADE = ("Report()", "Report(model=Model(data=Data(name='e')))")
SCALE_REASON = "field `scale` added with default 1"


def stale_project(root: Path) -> dict[str, str]:
    """The project, its results made and then its Data changed; each result's hash by ``Class:data name`` (``Data:d``, ``Report:e``)."""
    make_project(root)
    init_project_repo(root)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the lab")
    create(root, *MADE)
    made = json.loads(furu(root, "ls", "--json").stdout)
    hashes = {f"{r['fqn'].rsplit('.', 1)[1]}:{_data_name(r['config'])}": r["hash"] for r in made}
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace('    name: str = "d"\n', '    name: str = "d"\n    scale: int = 1\n', 1))
    return hashes


def _data_name(config: dict[str, Any]) -> str:
    while "name" not in config:
        config = config.get("model") or config["data"]
    return str(config["name"])
