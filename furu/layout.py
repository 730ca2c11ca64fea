"""Where things live on disk: data roots, artifact directories and the files inside them.

::

    <FURU_PATH>/                    default <project root>/furu-data
        .gitignore                  written by furu: the caches below are never committed
        data/<module parts>/<QualName>/<hash>/
        data/__main__/<QualName>/<hash>/
                                    classes defined in a notebook or ``python -c``
                                    (FURU_ALLOW_MAIN_CLASSES=1; see furu.namespace)
        raw/                        shared big files (``obj.raw_dir``)
    <project root>/furu-data/artifacts/<module parts>/<QualName>/<hash>/
                                    version-controlled artifacts (FURU_ARTIFACTS_PATH overrides)
        .gitignore                  keeps ``git status`` to results and stable metadata

Inside every artifact directory, furu's own files sit in ``.furu/``; the user's
result files sit beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from furu.atomic import write_bytes_atomic

if TYPE_CHECKING:
    from furu.settings import Settings

INTERNAL_DIR = ".furu"
METADATA_FILE = "metadata.json"
CONFIG_FILE = "config.json"
STATE_FILE = "state.json"
EVENTS_FILE = "events.jsonl"
LOG_FILE = "furu.log"
SUCCESS_FILE = "success.json"
LOCK_FILE = "lock"
CHECKPOINT_DIR = "checkpoint"
LEFTOVERS_DIR = "leftovers"

DATA_ROOT_GITIGNORE = """\
# Written by furu. Caches live here; they are rebuilt, never committed.
/data/
/raw/
/timetravel/
/.catalog/
/.journal/
"""

ARTIFACTS_ROOT_GITIGNORE = f"""\
# Written by furu. Commit results and their stable metadata only:
# locks, heartbeats, state, events, logs, checkpoints and temp files stay out.
**/{INTERNAL_DIR}/*
!**/{INTERNAL_DIR}/{METADATA_FILE}
!**/{INTERNAL_DIR}/{SUCCESS_FILE}
*.furu-tmp*
"""


class ArtifactPaths:
    """Every path of one artifact, derived from its directory.

    Built from a string and turned into ``Path`` objects only when asked:
    a cache hit needs nothing but :attr:`success_str`.
    """

    __slots__ = ("root_str", "success_str")

    def __init__(self, root: str | Path) -> None:
        self.root_str = str(root)
        self.success_str = f"{self.root_str}/{INTERNAL_DIR}/{SUCCESS_FILE}"

    def __repr__(self) -> str:
        return f"ArtifactPaths({self.root_str!r})"

    def has_success(self) -> bool:
        """Whether the success marker is there (following links, as ``os.path.exists`` does).

        One ``access(2)``: half the cost of the ``stat`` behind ``exists``, which builds
        a result nobody reads, and a cache hit asks this every time.
        """
        return os.access(self.success_str, os.F_OK)

    @property
    def root(self) -> Path:
        return Path(self.root_str)

    @property
    def internal(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR)

    @property
    def metadata(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, METADATA_FILE)

    @property
    def config(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, CONFIG_FILE)

    @property
    def state(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, STATE_FILE)

    @property
    def events(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, EVENTS_FILE)

    @property
    def log(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, LOG_FILE)

    @property
    def success(self) -> Path:
        return Path(self.success_str)

    @property
    def lock(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, LOCK_FILE)

    @property
    def checkpoint(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, CHECKPOINT_DIR)

    @property
    def leftovers(self) -> Path:
        return Path(self.root_str, INTERNAL_DIR, LEFTOVERS_DIR)


def data_dir(data_root: Path) -> Path:
    return data_root / "data"


def raw_dir(data_root: Path) -> Path:
    return data_root / "raw"


def artifacts_base(settings: Settings, version_controlled: bool) -> Path:
    """The root a class's directories are under: the artifacts root for version-controlled classes."""
    return settings.artifacts_root if version_controlled else data_dir(settings.data_root)


def class_dir(base: Path, namespace: tuple[str, ...]) -> str:
    """``base/<module parts>/<QualName>``; artifact directories are ``<this>/<hash>``.

    ``base/__main__/<QualName>`` holds the classes defined in a notebook or
    ``python -c``; no importable module maps there (see :mod:`furu.namespace`).
    """
    return str(base.joinpath(*namespace))


def shown_path(path: str | Path) -> str:
    """How messages show a path: relative to the working directory when inside it, else absolute."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


_prepared_roots: set[Path] = set()


def prepare_root(root: Path, gitignore: str) -> None:
    """Create a data or artifacts root once per process, with furu's .gitignore.

    The .gitignore is written only when absent: a user's edits to it stand.
    """
    if root in _prepared_roots:
        return
    root.mkdir(parents=True, exist_ok=True)
    rules = root / ".gitignore"
    if not rules.exists():
        write_bytes_atomic(rules, gitignore.encode("utf-8"), fsync=False)
    _prepared_roots.add(root)
