"""Who depends on whom, from what artifacts recorded: dependency trees, dependent trees, the class graph.

Every successful artifact records its declared dependencies (Furu objects in
its fields and ``_dependencies()``) and the ones it actually loaded while
``_create`` ran (``metadata.json``). These trees are built from those records
only, so they describe what happened, not what the code says today.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Literal

from pydantic import BaseModel, Field

from furu.catalog import Catalog, Entry

EdgeKind = Literal["root", "declared", "loaded", "declared+loaded"]


class LineageNode(BaseModel):
    """One artifact in a dependency or dependent tree."""

    fqn: str
    hash: str
    status: str = Field(description="The artifact's status, or 'missing' when its directory is gone.")
    dir: str | None = None
    edge: EdgeKind = Field(description="How it is linked to its parent in the tree.")
    repeated: bool = Field(default=False, description="Shown in full earlier in the tree; children omitted.")
    children: list[LineageNode] = Field(default_factory=list)

    def walk(self) -> list[LineageNode]:
        return [self, *(node for child in self.children for node in child.walk())]


class ClassEdge(BaseModel):
    source: str = Field(description="The dependent class.")
    target: str = Field(description="The class it depends on.")
    artifacts: int = Field(description="How many artifacts of source record this dependency.")


class ClassGraph(BaseModel):
    """The class-level graph: which classes' artifacts depend on which."""

    classes: dict[str, int] = Field(description="Class -> number of artifacts.")
    edges: list[ClassEdge]


def dependency_tree(entry: Entry, catalog: Catalog, *, max_depth: int | None = None) -> LineageNode:
    """What ``entry`` depends on, transitively (declared and loaded dependencies)."""
    by_hash = _by_hash(catalog)
    seen: set[str] = set()

    def node(current: Entry | None, fqn: str, hash_: str, edge: EdgeKind, depth: int) -> LineageNode:
        out = _node(current, fqn, hash_, edge)
        if hash_ in seen:
            out.repeated = True
            return out
        seen.add(hash_)
        if current is None or (max_depth is not None and depth >= max_depth):
            return out
        catalog.ensure_details([current])
        for dep_hash, (dep_fqn, dep_edge) in _edges(current).items():
            out.children.append(node(by_hash.get(dep_hash), dep_fqn, dep_hash, dep_edge, depth + 1))
        return out

    return node(entry, entry.fqn, entry.hash, "root", 0)


def dependent_tree(entry: Entry, catalog: Catalog, *, max_depth: int | None = None) -> LineageNode:
    """What depends on ``entry``, transitively."""
    reverse = dependents_index(catalog)
    seen: set[str] = set()

    def node(current: Entry, edge: EdgeKind, depth: int) -> LineageNode:
        out = _node(current, current.fqn, current.hash, edge)
        if current.hash in seen:
            out.repeated = True
            return out
        seen.add(current.hash)
        if max_depth is not None and depth >= max_depth:
            return out
        for child, child_edge in sorted(reverse.get(current.hash, []), key=lambda pair: (pair[0].fqn, pair[0].hash)):
            out.children.append(node(child, child_edge, depth + 1))
        return out

    return node(entry, "root", 0)


def dependents_index(catalog: Catalog) -> dict[str, list[tuple[Entry, EdgeKind]]]:
    """Dependency hash -> the entries that recorded it (reads every artifact's details)."""
    entries = catalog.entries()
    catalog.ensure_details(entries)
    reverse: dict[str, list[tuple[Entry, EdgeKind]]] = defaultdict(list)
    for entry in entries:
        for dep_hash, (_fqn, edge) in _edges(entry).items():
            reverse[dep_hash].append((entry, edge))
    return reverse


def transitive_dependents(entries: list[Entry], catalog: Catalog) -> list[Entry]:
    """Everything downstream of ``entries`` (not including them), nearest first."""
    reverse = dependents_index(catalog)
    seen = {entry.hash for entry in entries}
    order: list[Entry] = []
    frontier = list(entries)
    while frontier:
        following = []
        for entry in frontier:
            for child, _edge in reverse.get(entry.hash, []):
                if child.hash not in seen:
                    seen.add(child.hash)
                    order.append(child)
                    following.append(child)
        frontier = following
    return order


def class_graph(catalog: Catalog) -> ClassGraph:
    entries = catalog.entries()
    catalog.ensure_details(entries)
    counts: dict[str, int] = defaultdict(int)
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        counts[entry.fqn] += 1
        for target in {fqn for fqn, _edge in _edges(entry).values()}:
            edges[(entry.fqn, target)] += 1
    return ClassGraph(
        classes=dict(sorted(counts.items())),
        edges=[ClassEdge(source=s, target=t, artifacts=n) for (s, t), n in sorted(edges.items())],
    )


def _edges(entry: Entry) -> dict[str, tuple[str, EdgeKind]]:
    """Dependency hash -> (fqn, how it was recorded), declared first."""
    details = entry.details
    if details is None:
        return {}
    found: dict[str, tuple[str, EdgeKind]] = {}
    loaded = {hash_ for _fqn, hash_ in details.loaded}
    for fqn, hash_ in details.declared:
        found[hash_] = (fqn, "declared+loaded" if hash_ in loaded else "declared")
    for fqn, hash_ in details.loaded:
        found.setdefault(hash_, (fqn, "loaded"))
    return found


def _by_hash(catalog: Catalog) -> dict[str, Entry]:
    return {entry.hash: entry for entry in catalog.entries()}


def _node(entry: Entry | None, fqn: str, hash_: str, edge: EdgeKind) -> LineageNode:
    if entry is None:
        return LineageNode(fqn=fqn, hash=hash_, status="missing", edge=edge)
    return LineageNode(fqn=entry.fqn, hash=entry.hash, status=entry.status, dir=entry.dir, edge=edge)
