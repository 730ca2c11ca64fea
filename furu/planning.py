"""What ``load_or_create`` would do: the dependency tree with each node's status.

``furu.plan(obj)`` returns it as data; with ``FURU_DRY_RUN=1`` a missing
artifact prints it and raises :class:`FuruDryRun` instead of running anything.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Literal, NoReturn

from pydantic import BaseModel

from furu.dependencies import declared_dependencies
from furu.errors import FuruError
from furu.locking import ArtifactLock
from furu.namespace import class_fqn
from furu.settings import current
from furu.state import AttemptStatus, read_state

if TYPE_CHECKING:
    from rich.tree import Tree

PlanStatus = Literal["cached", "missing", "running", "failed"]

_STYLE = {"cached": "green", "missing": "yellow", "running": "cyan", "failed": "red"}


class PlanNode(BaseModel):
    fqn: str
    hash: str
    path: str
    status: PlanStatus
    last_attempt: AttemptStatus | None
    dependencies: list[PlanNode]

    def walk(self) -> list[PlanNode]:
        """This node and every node below it, depth first."""
        return [self, *(node for child in self.dependencies for node in child.walk())]


class FuruDryRun(FuruError):
    """Raised instead of creating anything when ``FURU_DRY_RUN=1``; ``.plan`` holds the tree."""

    def __init__(self, plan: PlanNode) -> None:
        missing = sum(node.status != "cached" for node in plan.walk())
        super().__init__(
            f"Dry run (FURU_DRY_RUN=1): {plan.fqn} {plan.hash[:8]} is not cached; "
            f"{missing} artifact(s) would be created. Unset FURU_DRY_RUN to run them."
        )
        self.plan = plan


def plan(obj: Any) -> PlanNode:
    """The dependency tree of ``obj`` with cached / missing / running / failed per node."""
    return _node(obj, {})


def _node(obj: Any, seen: dict[str, PlanNode]) -> PlanNode:
    known = seen.get(obj.furu_hash)
    if known is not None:
        return known
    paths = obj._paths()
    state = read_state(paths, class_fqn(type(obj)), obj.furu_hash)
    latest = state.latest_attempt
    status: PlanStatus
    if obj.exists():
        status = "cached"
    elif _lock_is_live(paths.lock):
        status = "running"
    elif latest is not None and latest.status == "failed":
        status = "failed"
    else:
        status = "missing"
    node = PlanNode(
        fqn=class_fqn(type(obj)),
        hash=obj.furu_hash,
        path=str(paths.root),
        status=status,
        last_attempt=latest.status if latest else None,
        dependencies=[_node(dependency, seen) for dependency in declared_dependencies(obj)],
    )
    seen[obj.furu_hash] = node
    return node


def _lock_is_live(lock_path: Any) -> bool:
    settings = current()
    holder = ArtifactLock(lock_path, lease_secs=settings.lease_secs, heartbeat_secs=1).holder()
    return holder is not None and holder.stale_reason is None


def render(node: PlanNode) -> Tree:
    from rich.tree import Tree

    tree = Tree(_line(node))
    _add_children(tree, node)
    return tree


def _add_children(tree: Tree, node: PlanNode) -> None:
    for child in node.dependencies:
        _add_children(tree.add(_line(child)), child)


def _line(node: PlanNode) -> str:
    style = _STYLE[node.status]
    return f"[{style}]{node.status:<8}[/] {node.fqn} [dim]{node.hash[:8]}[/]"


def raise_dry_run(obj: Any) -> NoReturn:
    from rich.console import Console

    tree = plan(obj)
    Console(file=sys.stderr).print(render(tree))
    raise FuruDryRun(tree)
