"""typer's help renderer, imported without the two parts ``furu --help`` never uses.

``furu --help`` is drawn by ``typer.rich_utils``, and typer (0.29) imports ``rich.markdown``
(markdown_it and pygments, about 50 ms) and ``rich.traceback`` (rich.pretty and attrs, about
20 ms) at the top of that module: a third of a help screen's start-up. It uses ``Markdown``
only under ``rich_markup_mode="markdown"`` and ``Traceback`` only for pretty exceptions, and
furu's app sets ``rich_markup_mode="rich"`` and ``pretty_exceptions_enable=False``.

So while ``typer.rich_utils`` is being imported, and only then, those two modules are stand-ins
whose one name is a :class:`_Deferred` class: calling it, reading an attribute from it or an
``isinstance`` against it imports the real class. Once the import is done the stand-ins leave
``sys.modules``, so anything else that imports ``rich.markdown`` gets the real module.

Nothing here can change what typer does, only when rich's modules load: if typer's help module
is already imported, or a newer typer imports another name from those modules, it is imported
the ordinary way (slower, the same output). When typer imports them lazily itself (asked for
under fastapi/typer#1128), this module does nothing and can be deleted with its one call in
``furu.cli.app``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

RICH_UTILS = "typer.rich_utils"

# The modules typer's help imports but furu's help never uses, and the one name it takes from each.
DEFERRED: dict[str, str] = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """The type of a stand-in class for ``_module._name``: any use of it imports the real class."""

    _module: str
    _name: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls._name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, attribute: str) -> Any:  # only called for what the stand-in lacks: from_exception, ...
        return getattr(cls._real(), attribute)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls._real())

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls._real())


def _stand_in(module: str, name: str) -> types.ModuleType:
    stand_in = types.ModuleType(module, f"Stands in for {module} while {RICH_UTILS} is imported (furu.cli.fast_help).")
    setattr(stand_in, name, _Deferred(name, (), {"_module": module, "_name": name, "__module__": module}))
    return stand_in


def import_rich_utils() -> None:
    """Import ``typer.rich_utils`` (if it is not yet) with ``rich.markdown`` and ``rich.traceback`` deferred."""
    if RICH_UTILS in sys.modules:
        return
    stand_ins = {module: _stand_in(module, name) for module, name in DEFERRED.items() if module not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        importlib.import_module(RICH_UTILS)
    except ImportError:  # typer wants more of those modules than the stand-ins have: import it as it is
        pass
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    if RICH_UTILS not in sys.modules:
        importlib.import_module(RICH_UTILS)
