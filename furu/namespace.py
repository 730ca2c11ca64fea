"""Stable import paths for classes: the ``module.QualName`` that names an artifact.

The namespace is part of every artifact's identity and directory, so it must
be the same in every process that can import the class. Two cases cannot
give that guarantee and are refused with an explanation unless the user opts
in: classes defined in ``__main__`` that has no import path (a notebook,
``python -c``, a script run as ``python script.py``), and classes defined
inside a function (``<locals>``).

With ``FURU_ALLOW_MAIN_CLASSES=1`` a ``__main__`` class is named
``__main__.QualName``, so its artifacts live in ``data/__main__/<QualName>/``.
That top-level namespace cannot collide with importable code: a class in
``__main__`` whose module has an import path is named by that path instead
(``python -m package.script``), and ``__main__`` is never a package, so no
``__main__.<module>`` can be imported either. Only the process that defined
such a class can rebuild its configs; :func:`main_class_problem` is the one
sentence every command gives when it meets one.
"""

from __future__ import annotations

import re
import sys

from furu import settings
from furu.errors import FuruNamespaceError

ALLOW_LOCAL_CLASSES_ENV = "FURU_ALLOW_LOCAL_CLASSES"
ALLOW_MAIN_CLASSES_ENV = "FURU_ALLOW_MAIN_CLASSES"
SPEC_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
"""``module:Class``, how a config spec (``furu run pkg.mod:Train lr=3e-4``) names its class."""
MAIN_MODULE = "__main__"
"""The module part of the fqn (and the top-level directory) of classes defined in ``__main__``."""

_fqn_cache: dict[type, str] = {}


def is_spec(text: str) -> bool:
    """Whether ``text`` starts with ``module:Class`` (the rest may be ``key=value`` words)."""
    head = text.strip().split(None, 1)[0] if text.strip() else ""
    return bool(SPEC_TARGET.match(head))


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
    """Split an fqn into directory names: the module's dotted parts, then the qualname.

    A ``__main__`` class gets ``("__main__", QualName)``: see the module docstring
    for why that directory is reserved for them.
    """
    qualname = cls.__qualname__
    module = fqn[: -len(qualname) - 1]
    return (*module.split("."), qualname.replace("<locals>", "locals"))


def is_main_fqn(fqn: str) -> bool:
    """Whether ``fqn`` names a class defined in ``__main__`` (a notebook, ``python -c``, a script)."""
    return fqn.startswith(MAIN_MODULE + ".")


def main_class_problem(fqn: str) -> str:
    """Why furu's commands cannot import ``fqn``, a ``__main__`` class (one sentence, no final period)."""
    return (
        f"{fqn} was defined in a notebook or `python -c` (module __main__) and exists only in the "
        "process that defined it: no furu command can import it to rebuild or check its configs"
    )


def _module_name(cls: type) -> str:
    module = cls.__module__
    if module != MAIN_MODULE:
        return module
    main = sys.modules.get(MAIN_MODULE)
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != MAIN_MODULE:
        return str(spec.name)
    if settings.current().allow_main_classes:
        return MAIN_MODULE
    allow = (
        f"set {ALLOW_MAIN_CLASSES_ENV}=1 (or allow_main_classes = true in [tool.furu]) to store its "
        f"artifacts under <data root>/data/{MAIN_MODULE}/{cls.__qualname__}/, where furu's commands "
        "list them but cannot rebuild them"
    )
    if getattr(main, "__file__", None):
        raise FuruNamespaceError(
            f"{cls.__qualname__} is defined in a script run as a file (module '__main__'), so "
            "its import path is unknown and its artifacts could not be found by other "
            "processes. Run the script as a module (`python -m package.script`), or move the "
            f"class into an importable module, or {allow}."
        )
    raise FuruNamespaceError(
        f"{cls.__qualname__} is defined in a notebook or `python -c` (module '__main__'), so no "
        "other process can import it. Move the class into an importable module, or, to prototype, "
        f"{allow}."
    )
