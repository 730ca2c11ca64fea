"""What the code defines, against what exists: a package's ``furu.FuruList`` collections and ``Furu`` classes.

::

    from furu.explore import explore
    found = explore("lab")                # imports every module of the package lab
    for collection in found.collections:  # each FuruList subclass, with its named experiments
        for item in collection.items:     # status cached / missing / running / failed, and for the
            print(item.name, item.status, len(item.to_compute))  # others what running it would compute
    found.classes                         # each Furu subclass with how many results it has
    found.problems                        # modules that did not import, one line each

Unlike :mod:`furu.source_graph` (which parses the source and never imports
it) this imports the package's modules: a collection's experiments exist only
once its class body has run. A module that raises while importing is named in
``problems`` with the error in one line and the others are still explored.
Nothing is computed: the plan of a missing experiment is :func:`furu.plan`.

``python -m furu.explore [PACKAGE] [--json]`` prints the same; the dashboard
runs it that way (:func:`explore_in_subprocess`) so that each visit sees the
code as it is now, and a module that crashes the interpreter or prints on
import cannot take the server with it.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from furu.catalog import Catalog, counts
from furu.collection import FuruList
from furu.core import Furu
from furu.errors import FuruError
from furu.importing import make_project_importable, one_line
from furu.namespace import class_fqn
from furu.planning import PlanNode, PlanStatus, plan
from furu.project import code_root
from furu.serialization import to_python

SCHEMA_VERSION = 1
SUBPROCESS_TIMEOUT_SECS = 120.0
_SKIPPED_DIRS = {"tests", "test", "docs", "build", "dist", "node_modules", "furu-data", "__pycache__"}
_SKIPPED_MODULES = {"__main__", "conftest", "setup"}
"""Importing these runs a program (``__main__``, ``setup``) or a test suite's hooks, not definitions."""


class PlannedStep(BaseModel):
    """One artifact that running an experiment would create (it is not cached)."""

    fqn: str
    hash: str
    status: PlanStatus


class CollectionItem(BaseModel):
    name: str = Field(description="As FuruList names it: attribute, then .key or .index (grid.0).")
    fqn: str
    hash: str
    status: PlanStatus = Field(description="cached: it exists; missing, running or failed: it does not (yet).")
    python: str = Field(description="The Python that builds this config.")
    to_compute: list[PlannedStep] = Field(
        description="What load_or_create would create: this one and its dependencies that are not cached, each once."
    )
    plan: PlanNode | None = Field(description="The dependency tree with each node's status (furu.plan); None when cached.")


class CollectionInfo(BaseModel):
    fqn: str
    module: str
    name: str
    doc: str | None
    items: list[CollectionItem]
    existing: int
    missing: int = Field(description="Items that do not exist (missing, running or failed).")
    to_compute: int = Field(description="Distinct artifacts that running every missing item would create.")
    python: str = Field(description="The snippet that creates the missing items (the cached ones load).")
    command: str = Field(description="The same from a shell.")


class ClassInfo(BaseModel):
    fqn: str
    module: str
    name: str
    artifacts: int = Field(description="Its artifacts in the catalog, whatever their status.")
    existing: int = Field(description="Its artifacts with a result (status success).")
    in_collections: int = Field(description="Items of the package's collections that are of this class.")


class ModuleProblem(BaseModel):
    module: str
    problem: str


class Exploration(BaseModel):
    """What :func:`explore` found."""

    schema_version: int = SCHEMA_VERSION
    package: str | None = Field(description="The package explored (None: every package under the project root).")
    modules: list[str] = Field(description="The modules imported, in order.")
    collections: list[CollectionInfo]
    classes: list[ClassInfo]
    problems: list[ModuleProblem]


def explore(package: str | None = None, *, catalog: Catalog | None = None, cwd: str | None = None) -> Exploration:
    """Import ``package`` (default: every package under the project root) and report its collections and classes."""
    make_project_importable(cwd)
    problems: list[ModuleProblem] = []
    names = package_modules(package, code_root(cwd), problems)
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except (Exception, SystemExit) as error:  # noqa: BLE001 - user code may raise anything at import
            problems.append(ModuleProblem(module=name, problem=one_line(error)))
    collection_types: dict[str, type[FuruList[Any]]] = {}
    furu_types: dict[str, type[Furu[Any]]] = {}
    for module in modules:
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue  # imported from elsewhere: listed where it is defined
            if issubclass(value, FuruList) and value is not FuruList:
                collection_types.setdefault(f"{value.__module__}.{value.__qualname__}", value)
            elif issubclass(value, Furu) and value is not Furu:
                furu_types.setdefault(class_fqn(value), value)
    collections = [_collection(fqn, cls, problems) for fqn, cls in sorted(collection_types.items())]
    catalog = catalog or Catalog()
    everything = counts(by="class", catalog=catalog)
    successes = counts("status=success", by="class", catalog=catalog)
    used: dict[str, int] = {}
    for collection in collections:
        for item in collection.items:
            used[item.fqn] = used.get(item.fqn, 0) + 1
    classes = [
        ClassInfo(
            fqn=fqn, module=cls.__module__, name=cls.__qualname__, artifacts=everything.get(fqn, 0),
            existing=successes.get(fqn, 0), in_collections=used.get(fqn, 0),
        )
        for fqn, cls in sorted(furu_types.items())
    ]
    return Exploration(package=package, modules=[m.__name__ for m in modules], collections=collections, classes=classes, problems=problems)


def package_modules(package: str | None, root: Path | None, problems: list[ModuleProblem]) -> list[str]:
    """Every module of ``package`` (found where Python would import it from), or of each package under ``root``."""
    if package is None:
        if root is None:
            problems.append(ModuleProblem(module="", problem="no project root (a pyproject.toml above the working directory)"))
            return []
        tops = [
            child.name for child in sorted(root.iterdir())
            if child.is_dir() and child.name not in _SKIPPED_DIRS and not child.name.startswith(".")
            and child.name.isidentifier() and (child / "__init__.py").is_file()
        ]
        if not tops:
            problems.append(ModuleProblem(module="", problem=f"no package (a folder with __init__.py) in {root}"))
        return [name for top in tops for name in package_modules(top, root, problems)]
    try:
        spec = importlib.util.find_spec(package)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - finding a submodule imports its parents
        problems.append(ModuleProblem(module=package, problem=one_line(error)))
        return []
    if spec is None:
        problems.append(ModuleProblem(module=package, problem=f"no module named {package!r} (not under the project root, not installed)"))
        return []
    if not spec.submodule_search_locations:
        return [package]
    found = [package]
    for location in spec.submodule_search_locations:
        base = Path(location)
        for file in sorted(base.rglob("*.py")):
            parts = file.relative_to(base).with_suffix("").parts
            if any(part in _SKIPPED_DIRS or part.startswith(".") or not part.isidentifier() for part in parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
                if not parts or not (file.parent / "__init__.py").is_file():
                    continue
            elif parts[-1] in _SKIPPED_MODULES or not (file.parent / "__init__.py").is_file():
                continue
            name = ".".join((package, *parts))
            if name not in found:
                found.append(name)
    return found


def _collection(fqn: str, cls: type[FuruList[Any]], problems: list[ModuleProblem]) -> CollectionInfo:
    items = []
    for name, obj in cls.items():
        try:
            items.append(_item(name, obj))
        except (FuruError, OSError, ValueError, TypeError) as error:
            problems.append(ModuleProblem(module=cls.__module__, problem=f"{cls.__qualname__}.{name}: {one_line(error)}"))
    distinct = {step.hash for item in items for step in item.to_compute}
    existing = sum(item.status == "cached" for item in items)
    python = f"from {cls.__module__} import {cls.__qualname__.split('.')[0]}\n\nfor exp in {cls.__qualname__}.all():\n    exp.load_or_create()\n"
    one_liner = f"from {cls.__module__} import {cls.__qualname__.split('.')[0]}; [exp.load_or_create() for exp in {cls.__qualname__}.all()]"
    return CollectionInfo(
        fqn=fqn, module=cls.__module__, name=cls.__qualname__, doc=(cls.__doc__ or "").strip() or None, items=items,
        existing=existing, missing=len(items) - existing, to_compute=len(distinct), python=python,
        command=f'python -c "{one_liner}"',
    )


def _item(name: str, obj: Furu[Any]) -> CollectionItem:
    tree = plan(obj)
    steps: dict[str, PlannedStep] = {}
    for node in tree.walk():
        if node.status != "cached" and node.hash not in steps:
            steps[node.hash] = PlannedStep(fqn=node.fqn, hash=node.hash, status=node.status)
    return CollectionItem(
        name=name, fqn=tree.fqn, hash=tree.hash, status=tree.status, python=to_python(obj),
        to_compute=list(steps.values()), plan=None if tree.status == "cached" else tree,
    )


def explore_in_subprocess(package: str | None = None, *, cwd: str | None = None, timeout: float = SUBPROCESS_TIMEOUT_SECS) -> Exploration:
    """:func:`explore` in a fresh ``python -m furu.explore`` from ``cwd``: today's code, and nothing it does stays here.

    It runs with ``FURU_DRY_RUN=1``, so a module that calls ``load_or_create``
    while importing computes nothing.
    """
    command = [sys.executable, "-m", "furu.explore", "--json", *([package] if package else [])]
    shown = f"python -m furu.explore{' ' + package if package else ''}"
    try:
        done = subprocess.run(
            command, cwd=cwd or os.getcwd(), env={**os.environ, "FURU_DRY_RUN": "1"}, capture_output=True, text=True,
            timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired:
        raise FuruError(
            f"Exploring {package or 'the project'} took longer than {timeout:.0f} s (a module that does work while importing?); "
            f"run `{shown}` to see where it hangs."
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise FuruError(f"Exploring {package or 'the project'} failed: {last}. Run `{shown}` to see why.")
    return Exploration.model_validate_json(done.stdout)


def _summary(found: Exploration) -> str:
    lines = []
    for collection in found.collections:
        lines.append(f"{collection.fqn}: {collection.existing} of {len(collection.items)} exist, "
                     f"running the rest would create {collection.to_compute} artifact(s)")
        for item in collection.items:
            lines.append(f"  {item.status:<8} {item.name}  {item.fqn} {item.hash[:8]}  ({len(item.to_compute)} to create)")
    for cls in found.classes:
        lines.append(f"{cls.fqn}: {cls.existing} result(s), {cls.artifacts} artifact(s)")
    lines.extend(f"problem: {p.module}: {p.problem}" for p in found.problems)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m furu.explore", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("package", nargs="?", help="The package to import (default: every package under the project root).")
    parser.add_argument("--json", action="store_true", help="Print JSON (the Exploration model).")
    args = parser.parse_args(argv)
    out = sys.stdout
    try:
        with contextlib.redirect_stdout(sys.stderr):  # what the modules print while importing must not mix into the answer
            found = explore(args.package)
    except FuruError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out.write(found.model_dump_json(indent=2) if args.json else _summary(found))
    out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
