"""pytest plugin (entry point ``pytest11``): the ``furu_tmp_root`` fixture.

It points every furu location (``FURU_PATH``, ``FURU_ARTIFACTS_PATH``) at a
fresh temporary directory for the test, so tests never read or write the
project's own ``furu-data/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from furu.settings import clear_settings_cache


@pytest.fixture
def furu_tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary furu data root; version-controlled artifacts go to ``<root>/artifacts``."""
    root = tmp_path / "furu-data"
    monkeypatch.setenv("FURU_PATH", str(root))
    monkeypatch.setenv("FURU_ARTIFACTS_PATH", str(root / "artifacts"))
    clear_settings_cache()
    yield root
    clear_settings_cache()
