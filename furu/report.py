"""Everything about one artifact in one object: what ``furu show`` prints (and ``--json`` returns).

Each part is read separately and a part that cannot be read is reported in
``problems`` rather than raised, so a half-written or corrupt artifact can
still be inspected. :func:`code_diff` is ``furu show --code-diff``: how its
class's module file differs from the one it was made with.
"""

from __future__ import annotations

import difflib
import errno
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from furu.atomic import read_model
from furu.catalog import ArtifactRecord, Catalog, Entry
from furu.catalog.reading import cannot_read
from furu.errors import FuruError, FuruGitError, FuruNotFound
from furu.fingerprint import Drift, resolve_file
from furu.layout import INTERNAL_DIR
from furu.lineage import LineageNode, dependency_tree, direct_dependents
from furu.metadata import ConfigRecord, Metadata
from furu.provenance.model import GitProvenance
from furu.state import ArtifactState

MAX_FILES = 200


class FileInfo(BaseModel):
    path: str = Field(description="Relative to the artifact directory.")
    bytes: int


class ArtifactReport(BaseModel):
    record: ArtifactRecord
    code_changed: bool = Field(
        default=False,
        description="Whether its class's module file changed since it was made (false also when no fingerprint was recorded).",
    )
    code_drift: Drift | None = Field(default=None, description="How it changed: kind (class, module, gone), file, sentence.")
    state: ArtifactState | None = None
    metadata: Metadata | None = None
    dependencies: LineageNode | None = Field(default=None, description="Direct dependencies (the root is this artifact).")
    dependents: list[ArtifactRecord] = Field(default_factory=list, description="Direct dependents.")
    files: list[FileInfo] = Field(default_factory=list, description="Result files (not .furu/), largest first.")
    files_omitted: int = 0
    log_tail: list[str] = Field(default_factory=list)
    python: str | None = Field(default=None, description="Python code that rebuilds the config.")
    problems: list[str] = Field(default_factory=list)


class Commands(BaseModel):
    """The commands and code a person copies to get at one artifact again."""

    directory: str
    python: str | None = Field(description="Python code that rebuilds the config (None: nothing recorded it).")
    timetravel: str = Field(description="furu timetravel HASH: a worktree at the code it was made with.")
    show: str


def commands_of(report: ArtifactReport) -> Commands:
    """What the views offer to copy for the artifact of ``report``."""
    record = report.record
    return Commands(
        directory=record.dir, python=report.python, timetravel=f"furu timetravel {record.hash}", show=f"furu show {record.short_hash}"
    )


def artifact_report(entry: Entry, catalog: Catalog, *, log_lines: int = 20) -> ArtifactReport:
    paths = entry.record().paths
    record = catalog.records([entry], details=True, sizes=True)[0]
    report = ArtifactReport(record=record, code_changed=record.code_changed is True, code_drift=record.code_drift)
    if record.problem and record.status in ("corrupt", "damaged"):
        report.problems.append(record.problem)
    try:
        report.state = read_model(paths.state, ArtifactState)
    except (FileNotFoundError, NotADirectoryError):
        pass  # no state yet, or no .furu/ directory (the record's problem says so)
    except (FuruError, OSError) as error:
        _note_file(report, paths.state, error)
    try:
        report.metadata = read_model(paths.metadata, Metadata)
        report.python = report.metadata.python
    except (FileNotFoundError, NotADirectoryError):
        report.python = _python_from_config_record(paths.config, report)
    except (FuruError, OSError) as error:
        _note_file(report, paths.metadata, error)
        report.python = _python_from_config_record(paths.config, report)
    report.dependencies = dependency_tree(entry, catalog, max_depth=1)
    direct = direct_dependents(entry, catalog)
    report.dependents = catalog.records(sorted({id(e): e for e, _ in direct}.values(), key=lambda e: (e.fqn, e.hash)), details=False)
    report.files, report.files_omitted = list_files(paths.root)
    try:
        report.log_tail = tail(paths.log, log_lines)
    except OSError as error:
        _note_file(report, paths.log, error)
    return report


class CodeDiff(BaseModel):
    """``furu show --code-diff``: its class's module file, then and now."""

    hash: str
    file: str = Field(description="The file as its fingerprint names it (relative to the project root when inside it).")
    path: str = Field(description="The file's path in the git tree ('/'-separated).")
    commit: str = Field(description="The commit the old file is read from: its snapshot, or HEAD then when it was clean.")
    diff: str = Field(description="Unified diff from the file then to the file in the working tree; '' when they are equal.")


def code_diff(entry: Entry, project_root: Path | None) -> CodeDiff:
    """How the module file of ``entry``'s class differs from the one it was made with (its git snapshot).

    Raises a :class:`FuruError` that says why when there is nothing to compare
    with: no fingerprint (a class from ``python -c``), no snapshot (made outside
    a git repository), or a snapshot this clone does not have.
    """
    label = f"{entry.fqn} {entry.hash[:8]}"
    paths = entry.record().paths
    try:
        metadata = read_model(paths.metadata, Metadata)
    except FileNotFoundError:
        raise FuruNotFound(f"{label} has no metadata.json (it never succeeded), so no code was recorded for it.") from None
    if metadata.code is None:
        raise FuruError(
            f"{label} has no code fingerprint: its class had no source file (defined in `python -c` or a notebook), "
            "or it was made before furu recorded one; there is no file to compare."
        )
    commit = _code_commit(metadata.git, label)
    assert metadata.git is not None
    current = resolve_file(metadata.code.file, project_root)
    from furu.provenance.git_command import locate_repository
    from furu.provenance.patch import snapshot_file  # pygit2: loaded for a code diff only

    candidates = (project_root, Path(metadata.git.repo_root) if metadata.git.repo_root else None)
    repository = next((root for root in candidates if root is not None and locate_repository(root) is not None), None)
    if repository is None:
        raise FuruGitError(f"No git repository found to read the code of {label} from: run this inside the project's clone.")
    path, then = snapshot_file(commit, current, repo_path=repository)
    try:
        now: bytes | None = current.read_bytes()
    except FileNotFoundError:
        now = None
    return CodeDiff(hash=entry.hash, file=metadata.code.file, path=path, commit=commit, diff=unified_diff(then, now, path))


def unified_diff(then: bytes | None, now: bytes | None, path: str) -> str:
    """A git-style unified diff of one file (None: it does not exist on that side)."""
    old, new = _lines(then), _lines(now)
    lines = difflib.unified_diff(
        old, new, "/dev/null" if then is None else f"a/{path}", "/dev/null" if now is None else f"b/{path}"
    )
    return "".join(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)


def _lines(data: bytes | None) -> list[str]:
    """Lines as git counts them: split at newlines only (``str.splitlines`` also splits at form feeds)."""
    return [] if data is None else io.StringIO(data.decode("utf-8", errors="replace"), newline="\n").readlines()


def _code_commit(git: GitProvenance | None, label: str) -> str:
    """The commit holding the code an artifact was made with: its snapshot, else HEAD when the tree was clean."""
    if git is None or not git.in_repository:
        why = (git.note if git is not None else None) or "no git provenance was recorded"
        raise FuruGitError(f"{label} has no code snapshot to compare with ({why}).")
    if git.snapshot_id:
        return git.snapshot_id
    if git.head_commit and not git.dirty:
        return git.head_commit
    raise FuruGitError(f"{label} has no code snapshot to compare with (its working tree had uncommitted changes).")


def list_files(root: Path, limit: int = MAX_FILES) -> tuple[list[FileInfo], int]:
    """Files under ``root`` except ``.furu/``, largest first (at most ``limit``; also how many more)."""
    found: list[FileInfo] = []
    for directory, subdirs, files in os.walk(root):
        if directory == str(root):
            subdirs[:] = [d for d in subdirs if d != INTERNAL_DIR]
        for name in files:
            full = os.path.join(directory, name)
            try:
                size = os.lstat(full).st_size
            except FileNotFoundError:
                continue
            found.append(FileInfo(path=os.path.relpath(full, root), bytes=size))
    found.sort(key=lambda f: (-f.bytes, f.path))
    return found[:limit], max(0, len(found) - limit)


MAX_TAIL_BYTES = 4 << 20
"""A tail reads at most this much from the end of a log: one of gigabytes costs what its last lines do."""
MAX_LINE_CHARS = 10_000
"""A longer line (a progress bar that never printed a newline) is cut, and says so."""


def tail(path: Path, lines: int) -> list[str]:
    """The last ``lines`` lines of a log (all of them for 0); [] when it does not exist.

    Read from the end, never through a symlink planted at its name, and never
    blocking on a FIFO in its place (either is an OSError for the caller to report).
    """
    fd = _open_log(path)
    if fd is None:
        return []
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        start = 0 if lines <= 0 else max(0, info.st_size - MAX_TAIL_BYTES)
        handle.seek(start)
        text = handle.read().decode("utf-8", errors="replace")
    found = text.splitlines()
    if start > 0 and found:
        found = found[1:]  # the first one began before the part read
    return [cut_line(line) for line in (found if lines <= 0 else found[-lines:])]


@dataclass(frozen=True, slots=True)
class LogChunk:
    """Whole lines of a log, and the byte offset just after them: where reading goes on from."""

    lines: list[str]
    offset: int
    restarted: bool = False
    """The log was rewritten shorter than the offset asked for, so it was read from its start."""


MAX_CHUNK_BYTES = 256 * 1024
"""A follower reads at most this much per call: a burst of output comes over several calls, never at once."""


def read_log(path: Path, *, offset: int | None = None, lines: int = 200) -> LogChunk:
    """The log's last ``lines`` lines (``offset`` None), or the whole lines written after byte ``offset``.

    For a live tail: start with ``read_log(path)``, then call again with the
    offset it returned. Both read one descriptor (never a symlink planted at the
    log's name, never a FIFO in its place), so no line is lost or shown twice
    between the two. A line still being written is left for the next call,
    unless it alone exceeds :data:`MAX_CHUNK_BYTES` (then it comes cut).
    """
    fd = _open_log(path)
    if fd is None:
        return LogChunk(lines=[], offset=0 if offset is None else offset)
    try:
        info = os.fstat(fd)
        restarted = offset is not None and info.st_size < offset
        if offset is None:
            start = max(0, info.st_size - MAX_TAIL_BYTES)
            data = os.pread(fd, info.st_size - start, start)
        else:
            start = 0 if restarted else offset
            data = os.pread(fd, max(0, min(MAX_CHUNK_BYTES, info.st_size - start)), start)
    finally:
        os.close(fd)
    end = data.rfind(b"\n") + 1
    if end == 0 and len(data) >= MAX_CHUNK_BYTES:
        end = len(data)  # a line that never ends: shown cut
    found = [cut_line(line) for line in data[:end].decode("utf-8", errors="replace").splitlines()]
    if offset is None:
        if start > 0 and found:
            found = found[1:]  # the first one began before the part read
        found = found[-lines:] if lines > 0 else found
    return LogChunk(lines=found, offset=start + end, restarted=restarted)


def tail_after(path: Path, offset: int) -> str:
    """What a finished writer left after ``offset`` without a final newline (its last line), cut as any line; "" for none.

    :func:`read_log` keeps an unfinished line for its next call; once the writer
    is known to be done, this is that line.
    """
    fd = _open_log(path)
    if fd is None:
        return ""
    try:
        data = os.pread(fd, MAX_CHUNK_BYTES, offset)
    finally:
        os.close(fd)
    return cut_line(data.decode("utf-8", errors="replace").rstrip("\n")) if data else ""


def _open_log(path: Path) -> int | None:
    """A descriptor of the regular file at ``path``; None when there is none.

    Never through a symlink planted at its name or its directory's, and never
    blocking on a FIFO in its place (either is an OSError for the caller to report).
    """
    if os.path.islink(path.parent):
        raise OSError(errno.ELOOP, f"{path.parent.name}/ is a symlink, not furu's own directory", str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return fd


def cut_line(line: str) -> str:
    """A line no longer than :data:`MAX_LINE_CHARS`, saying how much was cut."""
    return line if len(line) <= MAX_LINE_CHARS else f"{line[:MAX_LINE_CHARS]}… ({len(line) - MAX_LINE_CHARS} more characters)"


def _python_from_config_record(path: Path, report: ArtifactReport) -> str | None:
    """Before a success there is no metadata.json; config.json (written at each start) has the snippet."""
    try:
        return read_model(path, ConfigRecord).python
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (FuruError, OSError) as error:
        _note_file(report, path, error)
        return None


def _note_file(report: ArtifactReport, path: Path, error: Exception) -> None:
    """A part that cannot be read, named once: the catalog's problem may already name the file."""
    if str(path) in (report.record.problem or ""):
        return
    _note(report, cannot_read(str(path), error) if isinstance(error, OSError) else str(error))


def _note(report: ArtifactReport, problem: str) -> None:
    if problem not in report.problems:
        report.problems.append(problem)
