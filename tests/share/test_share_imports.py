"""``furu.share`` loads each side on first use: an import never loads the exporter's catalog, nor pygit2."""

from __future__ import annotations

import subprocess
import sys

import pytest

import furu.share

LOADED = "import sys; {statement}; print(' '.join(m for m in {modules!r} if m in sys.modules))"


@pytest.mark.parametrize(
    ("statement", "absent"),
    [
        ("from furu.share import import_bundle", ("furu.catalog", "furu.share.export", "pygit2", "dulwich")),
        ("from furu.share import export", ("furu.share.importing", "pygit2", "dulwich")),
        ("from furu.share import FuruBundleCorrupt", ("furu.share.export", "furu.share.importing")),
    ],
)
def test_each_side_loads_only_what_it_needs(statement: str, absent: tuple[str, ...]) -> None:
    code = LOADED.format(statement=statement, modules=absent)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("name", furu.share.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(furu.share, name).__name__ in (name, "Literal")  # CodeMode is a Literal alias


def test_export_stays_the_function_when_its_module_is_imported_first() -> None:
    code = (
        "import inspect, furu.share.export as first, furu, furu.share\n"
        "from furu.share import export\n"
        "print(inspect.isfunction(first), inspect.isfunction(export), furu.export is export is furu.share.export)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True", "True"]
