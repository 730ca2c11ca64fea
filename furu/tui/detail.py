"""One experiment's detail, as ``furu show`` tells it: the same report (:func:`furu.report.artifact_report`).

Five tabs: the summary (facts, problems, staleness, attempts with the
traceback of a failure, provenance with the uncommitted changes, the Python
code), the config as a tree (fold with space; enter on a nested config opens
that dependency's detail, found by :func:`furu.lineage.dependency_at`), the
lineage (what it depends on and what depends on it; enter opens one), its
files, and the end of its log (``l`` follows it live).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Log, Static, TabbedContent, TabPane, Tree

from furu.catalog import ArtifactRecord
from furu.catalog.stale import add_staleness
from furu.errors import FuruError
from furu.humanize import human_duration, human_size, human_time, short_value
from furu.lineage import dependency_at
from furu.refs import resolve_entry
from furu.report import ArtifactReport, artifact_report
from furu.serialization import CLASS_KEY
from furu.time_travel import report_patch
from furu.tui.actions import ArtifactActions
from furu.humanize import CODE_MARKS, STATUS_STYLE
from furu.tui.cells import highlighted, shown_path

LOG_LINES = 200
TABS = ("summary", "config", "lineage", "files", "log")


class DetailScreen(ArtifactActions):
    """The detail of the experiment ``furu_hash``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("l", "log", "Log"),
        *(Binding(str(number), f"tab('{tab}')", tab.capitalize(), show=False) for number, tab in enumerate(TABS, 1)),
        *ArtifactActions.ACTION_BINDINGS,
    ]
    DEFAULT_CSS = """
    DetailScreen #heading { height: auto; padding: 0 1; background: $boost; }
    DetailScreen TabPane { padding: 0; }
    DetailScreen VerticalScroll > Static { padding: 0 1; }
    DetailScreen Tree { background: $surface; }
    """

    def __init__(self, furu_hash: str) -> None:
        super().__init__()
        self.furu_hash = furu_hash
        self.report: ArtifactReport | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"loading {self.furu_hash[:8]} …", style="italic"), id="heading")
        with TabbedContent(initial="summary"):
            with TabPane("summary", id="summary"):
                with VerticalScroll():
                    yield Static(id="summary-text")
            with TabPane("config", id="config"):
                yield Tree("config", id="config-tree")
            with TabPane("lineage", id="lineage"):
                yield Tree("lineage", id="lineage-tree")
            with TabPane("files", id="files"):
                with VerticalScroll():
                    yield Static(id="files-text")
            with TabPane("log", id="log"):
                yield Log(id="log-lines", highlight=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#config-tree", Tree).auto_expand = False
        self.query_one("#lineage-tree", Tree).auto_expand = False
        self.load()

    def load(self) -> None:
        self.run_worker(self._read, thread=True, exclusive=True, group="detail")

    def _read(self) -> None:
        """In a worker: the report, its staleness and the uncommitted changes it was made with."""
        try:
            with self.furu_app.source.catalog() as catalog:
                report = artifact_report(resolve_entry(self.furu_hash, catalog), catalog, log_lines=LOG_LINES)
        except FuruError as error:
            self.app.call_from_thread(self._unreadable, str(error))
            return
        with self.furu_app.source.stale_lock:
            add_staleness([report.record])
        patch = report_patch(report)
        self.app.call_from_thread(self._show, report, patch)

    def _unreadable(self, error: str) -> None:
        self.query_one("#heading", Static).update(Text(error, style="bold red"))

    def target(self) -> ArtifactRecord | None:
        return self.report.record if self.report is not None else None

    def changed(self) -> None:
        self.furu_app.catalog_changed()
        self.load()

    # -- showing it --------------------------------------------------------------------------

    def _show(self, report: ArtifactReport, patch: str | None) -> None:
        self.report = report
        record = report.record
        self.sub_title = record.label
        self.query_one("#heading", Static).update(heading(report))
        self.query_one("#summary-text", Static).update(summary(report, patch, dark=self.app.current_theme.dark))
        self._fill_config(record)
        self._fill_lineage(report)
        self.query_one("#files-text", Static).update(files(report))
        log = self.query_one("#log-lines", Log)
        log.clear()
        log.write_lines(report.log_tail or ["(the log is empty)"])

    def _fill_config(self, record: ArtifactRecord) -> None:
        tree: Tree[tuple[str, ...]] = self.query_one("#config-tree", Tree)
        tree.clear()
        tree.root.set_label(Text(record.fqn, style="bold cyan"))
        tree.root.data = ()
        if record.config is None:
            tree.root.add_leaf(Text("no config recorded yet (metadata.json is written when it succeeds)", style="italic"))
        else:
            _add_config(tree.root, record.config, ())
        tree.root.expand_all()

    def _fill_lineage(self, report: ArtifactReport) -> None:
        tree: Tree[str] = self.query_one("#lineage-tree", Tree)
        tree.clear()
        tree.root.set_label(Text(report.record.label, style="bold"))
        parents = tree.root.add(Text("depends on", style="bold"), expand=True)
        children = report.dependencies.children if report.dependencies is not None else []
        for child in children:
            label = Text.assemble((child.status, STATUS_STYLE.get(child.status, "")), f" {child.fqn} {child.hash[:8]} ", (f"({child.edge})", "dim"))
            parents.add_leaf(label, data=child.hash)
        if not children:
            parents.add_leaf(Text("nothing", style="italic"))
        dependents = tree.root.add(Text("depended on by", style="bold"), expand=True)
        for dependent in report.dependents:
            dependents.add_leaf(Text.assemble((dependent.status, STATUS_STYLE.get(dependent.status, "")), f" {dependent.label}"), data=dependent.hash)
        if not report.dependents:
            dependents.add_leaf(Text("nothing", style="italic"))
        tree.root.expand()

    # -- moving ------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_tab(self, tab: str) -> None:
        """Show tab ``tab`` and put the keys in it (its tree, its scroll, its log)."""
        self.query_one(TabbedContent).active = tab
        pane = self.query_one(f"#{tab}", TabPane)
        self.set_focus(pane.query("Tree, VerticalScroll, Log").first())

    def action_log(self) -> None:
        from furu.tui.log_view import LogScreen

        if self.report is not None:
            self.app.push_screen(LogScreen(self.report.record))

    @on(Tree.NodeSelected, "#lineage-tree")
    def open_related(self, event: Tree.NodeSelected[str]) -> None:
        if isinstance(event.node.data, str):
            self.app.push_screen(DetailScreen(event.node.data))

    @on(Tree.NodeSelected, "#config-tree")
    def open_dependency(self, event: Tree.NodeSelected[tuple[str, ...]]) -> None:
        path = event.node.data
        if path and event.node.allow_expand:
            self.run_worker(lambda: self._dependency(path), thread=True, group="detail-open")

    def _dependency(self, path: tuple[str, ...]) -> None:
        with self.furu_app.source.catalog() as catalog:
            found = dependency_at(resolve_entry(self.furu_hash, catalog), catalog, path)
        if found is None:
            self.app.call_from_thread(self.notify, f"{'.'.join(path)} is no artifact on disk (a plain config, or not created).")
        else:
            self.app.call_from_thread(self.app.push_screen, DetailScreen(found.hash))


def _add_config(node: Any, config: dict[str, Any] | list[Any], path: tuple[str, ...]) -> None:
    """Each field under ``node``: a nested config (or list) as a branch, a value as a leaf; ``data`` is its path."""
    items = config.items() if isinstance(config, dict) else ((str(i), v) for i, v in enumerate(config))
    for key, value in items:
        if key == CLASS_KEY:
            continue
        here = (*path, key)
        if isinstance(value, dict) and CLASS_KEY in value:
            label = Text.assemble((key, "bold"), " = ", (str(value[CLASS_KEY]), "cyan"), ("  enter opens", "dim italic"))
            _add_config(node.add(label, data=here), value, here)
        elif isinstance(value, list) and any(isinstance(v, dict) and CLASS_KEY in v for v in value):
            _add_config(node.add(Text.assemble((key, "bold"), f" = [{len(value)}]"), data=()), value, here)
        else:
            node.add_leaf(Text.assemble((key, "bold"), " = ", short_value(value, 120)), data=here)


def heading(report: ArtifactReport) -> Text:
    record = report.record
    text = Text.assemble((record.fqn, "bold"), " ", record.hash, "  ", (record.status, STATUS_STYLE.get(record.status, "")))
    if record.job_id:
        text.append(f" (job {record.job_id})", style="dim")
    if record.stale:
        text.append("  stale", style="bold yellow")
    if report.code_drift is not None:
        text.append(f"  code {CODE_MARKS.get(report.code_drift.kind, report.code_drift.kind)}", style="yellow")
    for label in [record.name, *(f"#{tag}" for tag in record.tags)]:
        if label:
            text.append(f"  {label}", style="cyan")
    return text


def summary(report: ArtifactReport, patch: str | None, *, dark: bool = True) -> RenderableType:
    """What ``furu show`` prints above the config: facts, problems, attempts, traceback, provenance, code."""
    record = report.record
    parts: list[RenderableType] = []
    facts = Table(box=None, show_header=False, pad_edge=False)
    facts.add_column(style="dim", no_wrap=True)
    facts.add_column()
    for key, value in (
        ("directory", shown_path(record.dir)), ("name", record.name), ("tags", ", ".join(record.tags) or None),
        ("created", human_time(record.created)), ("updated", human_time(record.updated)),
        ("runtime", human_duration(record.runtime_secs)), ("size", human_size(record.size_bytes)),
        ("version", repr(record.version) if record.version else None),
        ("version-controlled", "yes" if record.version_controlled else None), ("problem", record.problem),
    ):
        if value:
            facts.add_row(key, Text(value))
    parts.append(facts)
    notes = [p for p in report.problems if p != record.problem]
    if record.stale:
        why = [*record.stale_reasons, *(["its declared history still finds it"] if record.stale_still_loads else [])]
        notes.append("stale: " + ("; ".join(why) or "today's classes no longer rebuild its config to its hash"))
    if report.code_drift is not None:
        notes.append(f"{report.code_drift.sentence} (furu show {record.short_hash} --code-diff)")
    for problem in notes:
        parts.append(Text.assemble(("! ", "bold yellow"), problem))
    state = report.state
    if state is not None and state.attempts:
        parts.append(Text("\nattempts", style="bold"))
        attempts = Table(box=None, pad_edge=False, header_style="dim")
        for header in ("#", "status", "started", "runtime", "where", "error / reason"):
            attempts.add_column(header)
        for attempt in state.attempts:
            runtime = (attempt.ended_at - attempt.started_at).total_seconds() if attempt.ended_at else None
            reason = f"{attempt.error.type.rsplit('.', 1)[-1]}: {attempt.error.message}" if attempt.error else attempt.reason
            job = f" job {attempt.job_id}" if attempt.job_id else ""
            attempts.add_row(
                str(attempt.number), Text(attempt.status, style=STATUS_STYLE.get(attempt.status, "")), human_time(attempt.started_at),
                human_duration(runtime), Text(f"{attempt.host} pid {attempt.pid} ({attempt.backend}{job})"), Text(reason or ""),
            )
        parts.append(attempts)
        latest = state.attempts[-1]
        if latest.error is not None:
            parts.append(Text.assemble(("\ntraceback", "bold"), (f" (attempt {latest.number})", "dim")))
            parts.append(Text(latest.error.traceback.rstrip(), style="red"))
    parts.extend(provenance(report, patch, dark=dark))
    if report.python:
        parts.append(Text.assemble(("\npython", "bold"), (" (e copies it)", "dim")))
        parts.append(highlighted(report.python, "python", dark=dark))
    parts.append(Text.assemble(("\ncommands", "bold"), "\n", f"furu timetravel {record.hash}  (T)\nfuru show {record.short_hash}"))
    return Group(*parts)


def provenance(report: ArtifactReport, patch: str | None, *, dark: bool = True) -> list[RenderableType]:
    meta = report.metadata
    if meta is None:
        return []
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    table.add_row("host", Text(f"{meta.host.user}@{meta.host.hostname}, python {meta.host.python_version}"))
    table.add_row("command", Text(" ".join(meta.host.argv)))
    git = meta.git
    if git is None or not git.in_repository:
        table.add_row("git", Text((git.note if git else None) or "not recorded"))
    else:
        table.add_row("branch", Text(git.branch or "detached"))
        table.add_row("commit", Text((git.head_commit or "")[:12] + ("  (dirty: uncommitted changes)" if git.dirty else "")))
        if git.snapshot_id:
            table.add_row("snapshot", Text(f"{git.snapshot_id[:12]}  (furu timetravel {report.record.short_hash})"))
    fingerprint = meta.code
    if report.code_drift is not None:
        table.add_row("code", Text(report.code_drift.sentence, style="yellow"))
    elif fingerprint is not None:
        table.add_row("code", Text(f"unchanged since it was made ({fingerprint.file})"))
    parts: list[RenderableType] = [Text("\nprovenance", style="bold"), table]
    if patch:
        parts.append(Text.assemble(("\nuncommitted changes", "bold"), (" it was made with", "dim")))
        parts.append(highlighted(patch, "diff", dark=dark))
    return parts


def files(report: ArtifactReport) -> RenderableType:
    if not report.files:
        return Text("No result files (only furu's own .furu/).", style="italic")
    table = Table(box=None, pad_edge=False, header_style="dim")
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("file")
    for info in report.files:
        table.add_row(human_size(info.bytes), Text(info.path))
    if report.files_omitted:
        table.add_row("", Text(f"… and {report.files_omitted} more", style="dim"))
    return Group(Text(shown_path(report.record.dir), style="dim"), table)
