"""``furu deps``, ``furu rdeps``, ``furu dag``: dependency trees and the class graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from furu.cli.app import PANEL_FIND, app
from furu.cli.completion import complete_ref
from furu.cli.render import JSON_HELP, catalog, console, literal, print_json, status_text

if TYPE_CHECKING:
    from rich.tree import Tree

    from furu.lineage import ClassGraph, LineageNode

RefArgument = Annotated[list[str], typer.Argument(help="A hash or prefix, a path, or module:Class key=value ...", autocompletion=complete_ref)]
DepthOption = Annotated[int | None, typer.Option("--depth", "-d", help="Stop after this many levels.")]


@app.command("deps", rich_help_panel=PANEL_FIND)
def deps_command(ref: RefArgument, depth: DepthOption = None, as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """What an artifact depends on, transitively (declared and loaded dependencies)."""
    from furu.lineage import dependency_tree
    from furu.refs import resolve_entry

    cat = catalog()
    tree = dependency_tree(resolve_entry(ref, cat), cat, max_depth=depth)
    _show(tree, as_json)


@app.command("rdeps", rich_help_panel=PANEL_FIND)
def rdeps_command(ref: RefArgument, depth: DepthOption = None, as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """What depends on an artifact, transitively."""
    from furu.lineage import dependent_tree
    from furu.refs import resolve_entry

    cat = catalog()
    tree = dependent_tree(resolve_entry(ref, cat), cat, max_depth=depth)
    _show(tree, as_json)


@app.command("dag", rich_help_panel=PANEL_FIND)
def dag_command(as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False) -> None:
    """The class-level graph: which classes' artifacts depend on which."""
    from furu.lineage import class_graph

    graph = class_graph(catalog())
    if as_json:
        print_json(graph)
        return
    out = console()
    if not graph.classes:
        out.print("No artifacts yet.")
        return
    out.print(render_class_graph(graph))


def render_class_graph(graph: ClassGraph) -> Tree:
    """Classes nothing depends on at the top, their dependencies below; shared ones marked (see above)."""
    from rich.tree import Tree

    children: dict[str, list[tuple[str, int]]] = {name: [] for name in graph.classes}
    has_parent = set()
    for edge in graph.edges:
        children.setdefault(edge.source, []).append((edge.target, edge.artifacts))
        has_parent.add(edge.target)
    root = Tree("[bold]classes[/] [dim](artifacts; edges: artifacts recording the dependency)[/]")
    shown: set[str] = set()

    def add(parent: Tree, name: str, via: int | None, path: tuple[str, ...]) -> None:
        count = graph.classes.get(name, 0)
        edge = f" [dim]<- {via}[/]" if via is not None else ""
        if name in shown or name in path:
            parent.add(f"{literal(name)} [dim]({count}; see above)[/]{edge}")
            return
        shown.add(name)
        branch = parent.add(f"[cyan]{literal(name)}[/] ({count}){edge}")
        for target, artifacts in children.get(name, []):
            add(branch, target, artifacts, (*path, name))

    roots = [name for name in graph.classes if name not in has_parent] or list(graph.classes)
    for name in roots:
        add(root, name, None, ())
    for name in graph.classes:
        if name not in shown:
            add(root, name, None, ())
    return root


def _show(tree: LineageNode, as_json: bool) -> None:
    if as_json:
        print_json(tree)
        return
    from rich.tree import Tree

    out = console()
    view = Tree(_label(tree))
    _add(view, tree)
    out.print(view)


def _add(view: Tree, node: LineageNode) -> None:
    for child in node.children:
        _add(view.add(_label(child)), child)


def _label(node: LineageNode) -> str:
    edge = "" if node.edge == "root" else f" [dim]({literal(node.edge)})[/]"
    repeated = " [dim](see above)[/]" if node.repeated else ""
    style = status_text(node.status).style
    status = literal(node.status)
    artifact = f"{literal(node.fqn)} {literal(node.hash[:8])}{edge}{repeated}"
    return f"[{style}]{status}[/] {artifact}" if style else f"{status} {artifact}"
