"""Helpers for CLI tests that fake damaged or extra artifacts on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any


def truncate(path: Path, keep: int = 20) -> None:
    """Cut a file short, as a crash in the middle of a non-atomic copy would."""
    path.write_bytes(path.read_bytes()[:keep])


def clone_artifact(source: Path, name: str) -> Path:
    """Copy an artifact directory under another hash name (to fake a second artifact)."""
    target = source.with_name(name)
    shutil.copytree(source, target)
    return target


def edit_json(path: Path, change: Any) -> None:
    """Rewrite a furu JSON file with ``change(doc)`` applied (as a hand edit would)."""
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))
