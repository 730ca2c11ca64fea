"""Who depends on whom, from what artifacts recorded: dependency trees, dependent trees, the class graph.

Every successful artifact records its declared dependencies (Furu objects in
its fields and ``_dependencies()``) and the ones it actually loaded while
``_create`` ran (``metadata.json``). These trees are built from those records
only, so they describe what happened, not what the code says today.

:func:`downstream` is the complete version that invalidation needs: an
artifact whose ``metadata.json`` cannot be read still has the declared
dependencies of its ``config.json``, and one whose records cannot be read at
all is named, because nobody can tell whether it depends on what changed.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic_core import from_json

from furu.catalog import Catalog, Entry
from furu.layout import ArtifactPaths

EdgeKind = Literal["root", "declared", "loaded", "declared+loaded"]


# Results are dataclasses, not pydantic models, so `furu deps` and `rdeps` never import pydantic
# (see furu.catalog.record).


@dataclass(slots=True, kw_only=True)
class LineageNode:
    """One artifact in a dependency or dependent tree.

    Attributes:
        status: The artifact's status, or ``missing`` when its directory is gone.
        edge: How it is linked to its parent in the tree.
        repeated: Shown in full earlier in the tree; children omitted.
    """

    fqn: str
    hash: str
    status: str
    dir: str | None = None
    edge: EdgeKind
    repeated: bool = False
    children: list[LineageNode] = field(default_factory=list)

    def walk(self) -> list[LineageNode]:
        return [self, *(node for child in self.children for node in child.walk())]


@dataclass(frozen=True, slots=True)
class ClassEdge:
    """Artifacts of class ``source`` depend on artifacts of class ``target``: ``artifacts`` of them record it."""

    source: str
    target: str
    artifacts: int


@dataclass(slots=True, kw_only=True)
class ClassGraph:
    """The class-level graph: which classes' artifacts depend on which (``classes``: class -> number of artifacts)."""

    classes: dict[str, int]
    edges: list[ClassEdge]


def dependency_tree(entry: Entry, catalog: Catalog, *, max_depth: int | None = None) -> LineageNode:
    """What ``entry`` depends on, transitively (declared and loaded dependencies); each level is one query."""
    catalog.sync()
    seen: set[str] = set()

    def by_hash(hashes: list[str]) -> dict[str, Entry]:
        marks = ", ".join("?" * len(hashes))
        return {found.hash: found for found in catalog.select(f"a.hash IN ({marks})", hashes)} if hashes else {}

    def node(current: Entry | None, fqn: str, hash_: str, edge: EdgeKind, depth: int) -> LineageNode:
        out = _node(current, fqn, hash_, edge)
        if hash_ in seen:
            out.repeated = True
            return out
        seen.add(hash_)
        if current is None or (max_depth is not None and depth >= max_depth):
            return out
        catalog.ensure_details([current])
        edges = _edges(current)
        found = by_hash(list(edges))
        for dep_hash, (dep_fqn, dep_edge) in edges.items():
            out.children.append(node(found.get(dep_hash), dep_fqn, dep_hash, dep_edge, depth + 1))
        return out

    return node(entry, entry.fqn, entry.hash, "root", 0)


def dependent_tree(entry: Entry, catalog: Catalog, *, max_depth: int | None = None) -> LineageNode:
    """What depends on ``entry``, transitively: the index's dependency edges, one query per artifact."""
    catalog.sync()
    catalog.ensure_rows(("details",))
    seen: set[str] = set()

    def node(current: Entry, edge: EdgeKind, depth: int) -> LineageNode:
        out = _node(current, current.fqn, current.hash, edge)
        if current.hash in seen:
            out.repeated = True
            return out
        seen.add(current.hash)
        if max_depth is not None and depth >= max_depth:
            return out
        for child, child_edge in _indexed_dependents(current.hash, catalog):
            out.children.append(node(child, child_edge, depth + 1))
        return out

    return node(entry, "root", 0)


def dependency_at(entry: Entry, catalog: Catalog, path: Sequence[str]) -> Entry | None:
    """The artifact behind the nested config at ``path`` of ``entry``'s config (``("model", "data")``), if any.

    What a view opens when a person picks a nested config in a config tree. Each
    nested config along the path (a mapping with a class) is a dependency of the
    artifact before it: the one its records name with that class, or, when
    several share the class (a list of evaluations), the one whose stored
    config is that nested config. From the records alone; None when the path
    names no nested config or that dependency is not in the catalog.
    """
    from furu.serialization import CLASS_KEY, entries as stored_entries

    catalog.sync()
    current, found = entry, None
    catalog.ensure_details([current])
    value: Any = current.details.config if current.details is not None else None
    for step in path:
        value = stored_entries(value)
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
        value = stored_entries(value)
        if not isinstance(value, dict) or CLASS_KEY not in value:
            found = None
            continue
        hashes = [hash_ for hash_, (fqn, _edge) in _edges(current).items() if fqn == value[CLASS_KEY]]
        marks = ", ".join("?" * len(hashes))
        candidates = catalog.select(f"a.hash IN ({marks})", hashes) if hashes else []
        catalog.ensure_details(candidates)
        if len(candidates) > 1:
            candidates = [c for c in candidates if c.details is not None and c.details.config == value]
        if len(candidates) != 1:
            found = None
            continue  # a nested config that is no artifact (a plain model), or one not on disk
        current = found = candidates[0]
    return found


def direct_dependents(entry: Entry, catalog: Catalog) -> list[tuple[Entry, EdgeKind]]:
    """What records ``entry`` as a dependency, found through the index (milliseconds, however large the catalog)."""
    catalog.sync()
    catalog.ensure_rows(("details",))
    return _indexed_dependents(entry.hash, catalog)


def _indexed_dependents(hash_: str, catalog: Catalog) -> list[tuple[Entry, EdgeKind]]:
    found = catalog.select("a.id IN (SELECT artifact FROM deps WHERE hash = ?)", [hash_], order="a.fqn, a.hash")
    catalog.ensure_details(found)  # those written in the last moments carry no stamp to trust yet
    return [(child, edge[1]) for child in found if (edge := _edges(child).get(hash_)) is not None]


def dependents_index(catalog: Catalog) -> dict[str, list[tuple[Entry, EdgeKind]]]:
    """Dependency hash -> the entries that recorded it (reads every artifact's details)."""
    entries = catalog.entries()
    catalog.ensure_details(entries)
    reverse: dict[str, list[tuple[Entry, EdgeKind]]] = defaultdict(list)
    for entry in entries:
        for dep_hash, (_fqn, edge) in _edges(entry).items():
            reverse[dep_hash].append((entry, edge))
    return reverse


@dataclass
class Downstream:
    """Everything downstream of some artifacts, and the artifacts that could not be checked."""

    order: list[Entry] = field(default_factory=list)
    """Downstream artifacts (not the starting ones), nearest first."""
    unreadable: list[tuple[Entry, str]] = field(default_factory=list)
    """Successes outside ``order`` whose dependency records cannot be read fully, with the problem."""


def downstream(entries: list[Entry], catalog: Catalog) -> Downstream:
    """Everything downstream of ``entries``, from every record of dependencies (see the module docstring)."""
    all_entries = catalog.entries()
    catalog.ensure_details(all_entries)
    reverse: dict[str, list[Entry]] = defaultdict(list)
    gaps: list[tuple[Entry, str]] = []
    for entry in all_entries:
        edges, problem = _complete_edges(entry)
        for dep_hash in edges:
            reverse[dep_hash].append(entry)
        if problem is not None:
            gaps.append((entry, problem))
    seen = {entry.hash for entry in entries}
    result = Downstream()
    frontier = list(entries)
    while frontier:
        following = []
        for entry in frontier:
            for child in reverse.get(entry.hash, []):
                if child.hash not in seen:
                    seen.add(child.hash)
                    result.order.append(child)
                    following.append(child)
        frontier = following
    result.unreadable = [(entry, problem) for entry, problem in gaps if entry.hash not in seen]
    return result


def transitive_dependents(entries: list[Entry], catalog: Catalog) -> list[Entry]:
    """Everything downstream of ``entries`` (not including them), nearest first."""
    return downstream(entries, catalog).order


def class_graph(catalog: Catalog) -> ClassGraph:
    """Counted in the index: each artifact once per class it depends on (two queries, whatever the catalog's size)."""
    catalog.sync()
    catalog.ensure_rows(("details",))
    counts = catalog.execute("SELECT fqn, count(*) FROM artifacts GROUP BY fqn ORDER BY fqn")
    edges = catalog.execute(
        "SELECT a.fqn, d.fqn, count(DISTINCT a.id) FROM deps d JOIN artifacts a ON a.id = d.artifact "
        "GROUP BY a.fqn, d.fqn ORDER BY a.fqn, d.fqn"
    )
    return ClassGraph(
        classes={fqn: int(n) for fqn, n in counts},
        edges=[ClassEdge(source=s, target=t, artifacts=int(n)) for s, t, n in edges],
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


def _complete_edges(entry: Entry) -> tuple[set[str], str | None]:
    """The hashes ``entry`` depends on, from metadata.json and config.json; and what is unknown.

    The catalog's details come from metadata.json, else config.json. When they
    are fine and metadata.json is there, they are complete. Otherwise both files
    are read here: config.json still gives the declared dependencies, and the
    problem says which records are missing. Only a success has dependents to
    mislead, so only a success (a success marker on disk) gets a problem.
    """
    details = entry.details
    paths = ArtifactPaths(entry.dir)
    if details is not None and details.problem is None and details.config is not None:
        if details.loaded or os.path.exists(paths.metadata):
            return {hash_ for _fqn, hash_ in (*details.declared, *details.loaded)}, None
    metadata, metadata_problem = _read_record(str(paths.metadata))
    if metadata is not None:
        return _hashes(metadata, "declared_dependencies") | _hashes(metadata, "loaded_dependencies"), None
    config, config_problem = _read_record(str(paths.config))
    edges = _hashes(config, "declared_dependencies") if config is not None else set()
    if not os.path.lexists(paths.success_str):
        return edges, None
    if config is not None:
        return edges, f"{metadata_problem}, so the dependencies it loaded while it ran are unknown"
    return edges, f"{metadata_problem} and {config_problem}, so its dependencies are unknown"


def _read_record(path: str) -> tuple[dict[str, Any] | None, str]:
    """A furu JSON record as a dict, or None and why (missing, unreadable, not JSON)."""
    try:
        with open(path, "rb") as handle:
            doc = from_json(handle.read())
    except FileNotFoundError:
        return None, f"{path} is missing"
    except OSError as error:
        return None, f"{path} cannot be read ({error.strerror})"
    except ValueError as error:
        return None, f"{path} is unreadable ({error})"
    if not isinstance(doc, dict):
        return None, f"{path} is unreadable (not a JSON object)"
    return doc, ""


def _hashes(doc: dict[str, Any], key: str) -> set[str]:
    refs = doc.get(key)
    if not isinstance(refs, list):
        return set()
    return {str(ref["hash"]) for ref in refs if isinstance(ref, dict) and "hash" in ref}


def _node(entry: Entry | None, fqn: str, hash_: str, edge: EdgeKind) -> LineageNode:
    if entry is None:
        return LineageNode(fqn=fqn, hash=hash_, status="missing", edge=edge)
    return LineageNode(fqn=entry.fqn, hash=entry.hash, status=entry.status, dir=entry.dir, edge=edge)
