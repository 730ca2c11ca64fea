"""The class-level graph as a tree (:func:`furu.lineage.class_graph`): which classes' results depend on which.

The roots are the classes nothing depends on (the ends of the pipeline); under
each class, the classes its results depend on, with how many results record
that dependency. A class reached twice is shown once in full. ``enter`` on a
class filters the table to its experiments.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree

from furu.humanize import count
from furu.lineage import ClassGraph, class_graph
from furu.tui.source import Source


class DagScreen(Screen[str | None]):
    """The graph; dismissed with the fqn of the class picked (None: escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "back", "Back")]
    DEFAULT_CSS = """
    DagScreen #dag-heading { height: 1; padding: 0 1; background: $boost; }
    DagScreen Tree { background: $surface; }
    """

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("classes", "bold"), " · under each, what its results depend on · enter shows its experiments"), id="dag-heading")
        yield Tree(Text("reading the catalog …", style="italic"), id="dag")
        yield Footer()

    def on_mount(self) -> None:
        tree: Tree[str] = self.query_one(Tree)
        tree.auto_expand = False
        self.set_focus(tree)
        self.run_worker(self._read, thread=True, exclusive=True)

    def _read(self) -> None:
        with self.source.catalog("whole") as catalog:
            graph = class_graph(catalog)
        self.app.call_from_thread(self._show, graph)

    def _show(self, graph: ClassGraph) -> None:
        tree: Tree[str] = self.query_one(Tree)
        tree.clear()
        tree.root.set_label(Text(f"{count(len(graph.classes), 'class')}, {count(sum(graph.classes.values()), 'experiment')}", style="bold"))
        depends: dict[str, list[tuple[str, int]]] = {}
        for edge in graph.edges:
            depends.setdefault(edge.source, []).append((edge.target, edge.artifacts))
        targets = {edge.target for edge in graph.edges}
        roots = [fqn for fqn in graph.classes if fqn not in targets] or list(graph.classes)
        shown: set[str] = set()

        def add(node: Any, fqn: str, via: int | None) -> None:
            experiments = graph.classes.get(fqn, 0)
            label = Text.assemble((fqn.rsplit(".", 1)[-1], "bold cyan"), f"  {fqn.rpartition('.')[0]}", (f"  {count(experiments, 'experiment')}", "dim"))
            if via is not None:
                label.append(f"  ({count(via, 'result')} of the one above record{'s' if via == 1 else ''} it)", style="dim")
            if fqn in shown and depends.get(fqn):
                node.add_leaf(label.append("  … shown above", style="dim italic"), data=fqn)
                return
            shown.add(fqn)
            below = depends.get(fqn, [])
            if not below:
                node.add_leaf(label, data=fqn)
                return
            branch = node.add(label, data=fqn, expand=True)
            for target, artifacts in below:
                add(branch, target, artifacts)

        for fqn in roots:
            add(tree.root, fqn, None)
        tree.root.expand()

    @on(Tree.NodeSelected)
    def picked(self, event: Tree.NodeSelected[str]) -> None:
        if isinstance(event.node.data, str):
            self.dismiss(event.node.data)

    def action_back(self) -> None:
        self.dismiss(None)
