"""furu's speed figures, each printed next to a peer measured in the same run.

Usage: python scripts/bench.py [section ...] [--n N --keep DIR]   (sections: core provenance catalog share dashboard tui)

Every goal from the issues is a ratio against a peer on this machine, never an
absolute number, so the figures mean the same on a laptop and in CI.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

SECTIONS = ("core", "provenance", "catalog", "share", "dashboard", "tui")


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    options = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    wanted = argv[:options] or list(SECTIONS)  # what follows is the sections' own: --n 100000 --keep DIR
    os.environ.setdefault("FURU_ALLOW_LOCAL_CLASSES", "1")
    for section in wanted:
        module_name = f"benchmarks.{section}"
        if importlib.util.find_spec(module_name) is None:
            print(f"# {section}: no benchmark module yet")
            continue
        print(f"# {section}")
        importlib.import_module(module_name).main()


if __name__ == "__main__":
    main(sys.argv[1:])
