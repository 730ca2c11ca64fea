"""Stable import paths for classes: the ``module.QualName`` that names an artifact.

The namespace is part of every artifact's identity and directory, so it must
be the same in every process that can import the class. Two cases cannot
give that guarantee and are refused with an explanation: classes defined in
a script run as ``python script.py`` (their module is just ``__main__``), and
classes defined inside a function (``<locals>``), unless the user opts in.
"""

from __future__ import annotations

import sys

from furu import settings
from furu.errors import FuruNamespaceError

ALLOW_LOCAL_CLASSES_ENV = "FURU_ALLOW_LOCAL_CLASSES"

_fqn_cache: dict[type, str] = {}


def class_fqn(cls: type) -> str:
    """Return ``module.QualName`` for ``cls``, resolving ``__main__`` when possible."""
    cached = _fqn_cache.get(cls)
    if cached is not None:
        return cached
    module = _module_name(cls)
    qualname = cls.__qualname__
    if "<locals>" in qualname and not settings.current().allow_local_classes:
        raise FuruNamespaceError(
            f"{module}.{qualname} is defined inside a function, so no other process can "
            "import it and its artifacts could never be found again. Move the class to "
            f"module level, or set {ALLOW_LOCAL_CLASSES_ENV}=1 to allow it anyway "
            "(fine for notebooks and tests)."
        )
    fqn = f"{module}.{qualname}"
    _fqn_cache[cls] = fqn
    return fqn


def namespace_parts(fqn: str, cls: type) -> tuple[str, ...]:
    """Split an fqn into directory names: the module's dotted parts, then the qualname."""
    qualname = cls.__qualname__
    module = fqn[: -len(qualname) - 1]
    return (*module.split("."), qualname.replace("<locals>", "locals"))


def _module_name(cls: type) -> str:
    module = cls.__module__
    if module != "__main__":
        return module
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != "__main__":
        return str(spec.name)
    raise FuruNamespaceError(
        f"{cls.__qualname__} is defined in a script run as a file (module '__main__'), so "
        "its import path is unknown and its artifacts could not be found by other "
        "processes. Run the script as a module (`python -m package.script`), or move the "
        "class into an importable module."
    )
