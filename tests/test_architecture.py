"""The architecture holds: the import contracts in pyproject.toml, and the core type-checks strictly.

The contracts are import-linter's (layers, forbidden, acyclic siblings); the
layer list in ``[tool.importlinter]`` is the architecture CONTRIBUTING.md
describes. A new top-level module must be placed in a layer, or no contract
would constrain it.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_import_contracts_are_kept() -> None:
    result = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in result.stdout


def test_every_top_level_module_has_a_layer() -> None:
    [layers] = [contract["layers"] for contract in _contracts() if contract["type"] == "layers"]
    placed = [name.strip().strip("()") for layer in layers for name in layer.replace("|", ":").split(":")]
    assert len(placed) == len(set(placed)), "a module is in two layers"
    modules = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "furu").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert sorted(modules - set(placed)) == [], "place these in a layer of [tool.importlinter] in pyproject.toml"
    assert sorted(set(placed) - modules - {"dashboard", "tui"}) == [], "these layers name modules that do not exist"


def test_the_core_type_checks_strictly() -> None:
    result = subprocess.run([BIN / "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
