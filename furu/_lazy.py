"""Attributes a package loads on first use, so ``import furu`` stays fast."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_attributes(package: str, origins: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``origins[name]`` and returns its ``name``."""

    def __getattr__(name: str) -> Any:
        module = origins.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # found once: later lookups skip this function
        return value

    return __getattr__
