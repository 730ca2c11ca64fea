"""The graph of a package's furu classes read from its source, before anything has run.

The experiments' graph (:func:`furu.lineage.class_graph`) shows what ran; this
one shows what the code says: each class that subclasses ``furu.Furu`` (or
another such class), and an edge to every furu class its fields are annotated
with. The modules are parsed, never imported, so a package with heavy or
broken imports is drawn all the same; a module that does not parse is named
in ``problems``.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

_SKIPPED_DIRS = {"tests", "test", "docs", "build", "dist", "node_modules", "furu-data", "__pycache__"}


@dataclass(frozen=True, slots=True)
class SourceClass:
    fqn: str
    bases: list[str]
    """Its furu base classes among those found (a subclass groups under them)."""


@dataclass(frozen=True, slots=True)
class SourceEdge:
    source: str
    target: str


@dataclass(slots=True)
class SourceGraph:
    classes: list[SourceClass] = field(default_factory=list)
    edges: list[SourceEdge] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def source_class_graph(package: str | None, project_root: Path | None) -> SourceGraph:
    """Read ``package`` (a dotted name under the project root; None: every package there)."""
    graph = SourceGraph()
    if project_root is None:
        graph.problems.append("no project root (a pyproject.toml above the working directory) to read packages from")
        return graph
    return _graph_of(dict(_modules(project_root, package, graph.problems)), graph)


def files_class_graph(files: dict[str, Path]) -> SourceGraph:
    """The same graph from given module files (``module name -> path``): what a result's code fingerprint names."""
    graph = SourceGraph()
    modules = {}
    for module, path in sorted(files.items()):
        try:
            modules[module] = ast.parse(path.read_bytes(), filename=os.fspath(path))
        except (SyntaxError, ValueError, OSError) as error:
            graph.problems.append(f"{path} cannot be read: {error}")
    return _graph_of(modules, graph)


def _graph_of(modules: dict[str, ast.Module], graph: SourceGraph) -> SourceGraph:
    found: dict[str, tuple[ast.ClassDef, str]] = {}  # fqn -> (node, module)
    for module, tree in modules.items():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                found[f"{module}.{node.name}"] = (node, module)
    by_name: dict[str, list[str]] = {}
    for fqn in found:
        by_name.setdefault(fqn.rsplit(".", 1)[1], []).append(fqn)
    furu_classes: dict[str, list[str]] = {}
    changed = True
    while changed:  # a subclass of a furu class is one too, wherever it is defined
        changed = False
        for fqn, (node, module) in found.items():
            if fqn in furu_classes:
                continue
            names = [name for base in node.bases if (name := _base_name(base)) is not None]
            furu_bases = [b for name in names for b in _resolve(name, module, by_name) if b in furu_classes]
            if furu_bases or any(name in ("furu.Furu", "Furu") for name in names):
                furu_classes[fqn] = furu_bases
                changed = True
    for fqn, bases in sorted(furu_classes.items()):
        graph.classes.append(SourceClass(fqn=fqn, bases=bases))
        node, module = found[fqn]
        targets: set[str] = set()
        for statement in node.body:
            if isinstance(statement, ast.AnnAssign):
                for name in _names_in(statement.annotation):
                    targets.update(t for t in _resolve(name, module, by_name) if t in furu_classes and t != fqn)
        graph.edges.extend(SourceEdge(source=fqn, target=target) for target in sorted(targets))
    return graph


_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _modules(root: Path, package: str | None, problems: list[str]) -> list[tuple[str, ast.Module]]:
    if package is not None and not _DOTTED.fullmatch(package):
        problems.append(f"{package!r} is not a package name (dotted, like mypkg.models)")
        return []
    tops = [root / Path(*package.split("."))] if package else [
        child for child in sorted(root.iterdir()) if child.is_dir() and child.name not in _SKIPPED_DIRS
        and not child.name.startswith(".") and (child / "__init__.py").is_file()
    ]
    found = []
    for top in tops:
        files = [top.with_suffix(".py")] if not top.is_dir() and top.with_suffix(".py").is_file() else sorted(top.rglob("*.py"))
        if not files:
            problems.append(f"no Python files at {top}")
        for file in files:
            if _SKIPPED_DIRS & set(file.relative_to(root).parts):
                continue
            module = ".".join(file.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
            try:
                found.append((module, ast.parse(file.read_bytes(), filename=os.fspath(file))))
            except (SyntaxError, ValueError, OSError) as error:
                problems.append(f"{file.relative_to(root)} cannot be read: {error}")
    return found


def _base_name(node: ast.expr) -> str | None:
    """``furu.Furu[Model]`` -> ``furu.Furu``; ``Base`` -> ``Base``."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, (ast.Name, ast.Attribute)):
        return ast.unparse(node)
    return None


def _names_in(annotation: ast.expr) -> set[str]:
    names = set()
    for node in ast.walk(annotation):
        if isinstance(node, (ast.Name, ast.Attribute)):
            names.add(ast.unparse(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):  # "Forward" references
            names.add(node.value)
    return names


def _resolve(name: str, module: str, by_name: dict[str, list[str]]) -> list[str]:
    """The found classes a name in ``module`` may mean: its own module's first, then any with that name."""
    simple = name.rsplit(".", 1)[-1]
    candidates = by_name.get(simple, [])
    own = [c for c in candidates if c == f"{module}.{simple}"]
    return own or candidates
