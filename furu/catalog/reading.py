"""Reading one artifact directory: the cheap summary every listing needs, the details, the size.

The summary costs one ``stat`` of ``.furu/`` and one read of ``state.json``
(plus ``annotations.json`` and the success marker where they matter): a cold
scan of 100,000 artifacts is bounded by that. Nothing here raises on a broken
artifact: a furu file that cannot be read (truncated, edited by hand, a
directory in its place, no permission) gives the entry a ``problem`` that names
the file, and makes it ``damaged`` when the success marker is there (the result
still loads: ``load_or_create`` checks nothing else) or ``corrupt`` when not.
"""

from __future__ import annotations

import gc
import os
import stat as stat_module
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from furu.atomic import TEMP_MARKER, read_regular
from furu.catalog.entry import NO_STAMP, Details, Entry, Shard
from furu.layout import CONFIG_FILE, INTERNAL_DIR, METADATA_FILE, STATE_FILE, SUCCESS_FILE


def _first_parse(data: bytes) -> Any:
    """Import pydantic_core's JSON parser (3x the stdlib's on these small files) at the first file read.

    A listing from an up-to-date index reads no file, and so never loads pydantic.
    """
    global _parse_json
    from pydantic_core import from_json

    _parse_json = from_json
    return from_json(data)


_parse_json: Callable[[bytes], Any] = _first_parse


ANNOTATIONS_FILE = "annotations.json"
_BAD = (ValueError, KeyError, TypeError, IndexError, AttributeError)
_ATTEMPT_STATUSES = frozenset({"success", "failed", "running", "crashed", "preempted", "queued", "lost"})


@contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cycle collector while building many small objects (none of them cyclic).

    Reading 100,000 entries with it running costs far more: every few hundred
    allocations it walks the ever larger heap again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_entry(shard: Shard, name: str, racy_after_ns: int) -> Entry:
    """Read the summary of ``<shard.class_dir>/<name>``.

    An entry whose ``.furu/`` changed at or after ``racy_after_ns`` gets no
    stamp, so it is read again next time: a change within the same clock tick
    as this read would otherwise leave the stamp unchanged.
    """
    entry = Entry(shard, name)
    internal = f"{shard.class_dir}/{name}/{INTERNAL_DIR}"
    try:
        info = os.stat(internal)
    except (FileNotFoundError, NotADirectoryError):
        entry.raw_status = entry.status = "corrupt"
        entry.problem = f"no {INTERNAL_DIR}/ directory in {shard.class_dir}/{name}: not a complete artifact"
        return entry
    except OSError as error:
        entry.raw_status = entry.status = "corrupt"
        entry.problem = cannot_read(internal, error)
        return entry
    stamp = info.st_ctime_ns
    entry.stamp = stamp if stamp < racy_after_ns else NO_STAMP
    if not stat_module.S_ISDIR(info.st_mode):
        entry.raw_status = entry.status = "corrupt"
        entry.problem = f"{internal} is a file, not a directory: not a complete artifact (remove it, or `furu rm` it)"
        return entry
    try:
        state = _read_bytes(f"{internal}/{STATE_FILE}")
    except OSError as error:
        _unreadable(entry, internal, cannot_read(f"{internal}/{STATE_FILE}", error))
        return entry
    if state is None:
        _from_success_marker(entry, internal)
        read_marks(entry)
    else:
        _from_state(entry, internal, state)
    entry.status = entry.raw_status
    return entry


def read_marks(entry: Entry) -> None:
    """Tags and name (``annotations.json``), and whether the success marker is there as ``state.json`` says.

    Kept out of :func:`read_entry` so a cold scan reads one file per artifact:
    ``state.json`` already says whether the attempt succeeded.
    """
    internal = f"{entry.dir}/{INTERNAL_DIR}"
    entry.marks_stamp = entry.stamp
    entry.tags, entry.name = [], None
    marker = os.path.exists(f"{internal}/{SUCCESS_FILE}")
    if entry.raw_status in ("success", "damaged") and not marker:
        if entry.raw_status == "success":
            entry.raw_status = entry.status = "absent"
            entry.problem = "state.json says success, but the success marker was removed"
        else:
            entry.raw_status = entry.status = "corrupt"  # damaged, and now no result either
    elif entry.raw_status not in ("success", "damaged") and marker:
        # load_or_create checks the marker alone: the result loads, whatever state.json says
        entry.problem = _join(entry.problem, f"state.json says {entry.status}, but the success marker is there")
        entry.raw_status = entry.status = "damaged"
    path = f"{internal}/{ANNOTATIONS_FILE}"
    try:
        annotations = _read_bytes(path)
    except OSError as error:
        _mark_unreadable(entry, cannot_read(path, error))
        return
    if annotations is not None:
        _from_annotations(entry, path, annotations)


def cannot_read(path: str, error: OSError) -> str:
    """The problem text for a furu file the OS refuses to read (a directory in its place, no permission)."""
    return f"{path} cannot be read ({error.strerror or error}): fix its permissions, or remove what is in its place"


def _unreadable(entry: Entry, internal: str, problem: str) -> None:
    """``state.json`` cannot be read: the success marker alone decides whether the result is there.

    Only here is ``success.json`` read in a scan: ``load_or_create`` checks
    that it exists and nothing else, so an artifact with the marker is damaged
    (never garbage) and one without it is corrupt.
    """
    entry.problem = problem
    marker = f"{internal}/{SUCCESS_FILE}"
    if not os.path.exists(marker):
        entry.raw_status = entry.status = "corrupt"
        return
    entry.raw_status = entry.status = "damaged"
    try:
        data = _read_bytes(marker)
        entry.created_ts = entry.updated_ts = _ts(_parse_json(data or b"")["created_at"])
    except OSError as error:
        entry.problem = _join(problem, cannot_read(marker, error))
    except _BAD as error:
        entry.problem = _join(problem, f"{marker} is unreadable (truncated or edited by hand): {error}")


def _mark_unreadable(entry: Entry, problem: str) -> None:
    """A furu file other than state.json is unreadable: damaged for a success, else corrupt."""
    entry.raw_status = entry.status = "damaged" if entry.raw_status in ("success", "damaged") else "corrupt"
    entry.problem = _join(entry.problem, problem)


def _join(first: str | None, second: str) -> str:
    if not first or first == second or second in first.split("; "):
        return first or second
    return f"{first}; {second}"


def _state_schema_version() -> int:
    """The newest state.json this furu reads; asked only of a newer file than the first version,
    so a listing need not import the state models (and pydantic behind them)."""
    from furu.state import ArtifactState

    return ArtifactState.SCHEMA_VERSION


def _from_state(entry: Entry, internal: str, data: bytes) -> None:
    try:
        doc = _parse_json(data)
        if doc.get("schema_version", 1) > 1 and doc["schema_version"] > _state_schema_version():
            raise ValueError(f"schema version {doc['schema_version']} is newer than this furu understands")
        attempts = doc["attempts"]
        result = doc["result"]
        entry.updated_ts = _fromiso(doc["updated_at"]).timestamp()
        entry.attempts = len(attempts)
        latest = attempts[-1] if attempts else None
        problem: str | None = None
        if latest is not None:
            entry.started_ts = _fromiso(latest["started_at"]).timestamp()
            entry.created_ts = entry.started_ts if len(attempts) == 1 else _ts(attempts[0]["started_at"])
            ended = latest.get("ended_at")
            entry.ended_ts = _fromiso(ended).timestamp() if ended is not None else None
            entry.host, entry.user = _text(latest.get("host")), _text(latest.get("user"))
            if latest["status"] not in _ATTEMPT_STATUSES:
                raise ValueError(f"attempt status {latest['status']!r} is not one furu writes")
            raised = latest.get("error")
            if raised:
                message = str(raised.get("message", "")).strip().splitlines()
                kind = str(raised.get("type", "error")).rsplit(".", 1)[-1]
                problem = f"{kind}: {message[-1]}" if message else kind  # KeyboardInterrupt() says nothing more
            elif latest.get("reason"):
                problem = str(latest["reason"])
    except _BAD as error:
        entry.created_ts = entry.updated_ts = entry.started_ts = entry.ended_ts = None
        entry.attempts = 0
        _unreadable(entry, internal, f"{internal}/{STATE_FILE} is unreadable (truncated or edited by hand): {error}")
        return
    if result == "success":
        entry.raw_status = "success"  # read_marks checks the marker is really there
        return
    if latest is None and os.path.exists(f"{internal}/{SUCCESS_FILE}"):
        entry.raw_status = "success"
        return
    if latest is None or result == "absent" or latest["status"] == "success":
        entry.raw_status = "absent"
        return
    entry.raw_status = "crashed" if latest["status"] == "lost" else latest["status"]  # lost: taken over
    entry.problem = problem


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _from_success_marker(entry: Entry, internal: str) -> None:
    """No state.json: a committed artifact (success marker only) or a bare directory."""
    marker = f"{internal}/{SUCCESS_FILE}"
    try:
        data = _read_bytes(marker)
    except OSError as error:
        entry.raw_status = "damaged"  # it exists, so load_or_create loads the result
        entry.problem = cannot_read(marker, error)
        return
    if data is None:
        entry.raw_status = "absent"
        return
    try:
        created = _ts(_parse_json(data)["created_at"])
    except _BAD as error:
        entry.raw_status = "damaged"
        entry.problem = f"{marker} is unreadable (truncated or edited by hand): {error}"
        return
    entry.raw_status = "success"
    entry.created_ts = entry.updated_ts = created


def _from_annotations(entry: Entry, path: str, data: bytes) -> None:
    try:
        doc = _parse_json(data)
        tags = doc.get("tags", [])
        name = doc.get("name")
        if not isinstance(tags, list) or not (name is None or isinstance(name, str)):
            raise TypeError("tags must be a list and name a string")
        entry.tags = [str(tag) for tag in tags]
        entry.name = name
    except _BAD as error:
        _mark_unreadable(entry, f"{path} is unreadable: {error}")


def read_details(artifact_dir: str, stamp: int) -> Details:
    """Config, version and dependencies from ``metadata.json``, else from ``config.json``.

    ``config.json`` is written when an attempt starts, so failed, running and
    crashed artifacts have a config too; ``metadata.json`` (after a success)
    adds the dependencies that were actually loaded and the code fingerprint
    (:mod:`furu.fingerprint`). An unreadable
    ``metadata.json`` is named in ``problem``, and the config still comes from
    ``config.json`` when that one reads.
    """
    problems: list[str] = []
    for name in (METADATA_FILE, CONFIG_FILE):
        path = f"{artifact_dir}/{INTERNAL_DIR}/{name}"
        try:
            data = _read_bytes(path)
        except OSError as error:
            problems.append(cannot_read(path, error))
            continue
        if data is None:
            continue
        try:
            doc = _parse_json(data)
            config = doc["config"]
            if not isinstance(config, dict):
                raise TypeError("config is not an object")
            return Details(
                stamp,
                str(doc["version"]),
                config,
                [(str(d["fqn"]), str(d["hash"])) for d in doc.get("declared_dependencies", [])],
                [(str(d["fqn"]), str(d["hash"])) for d in doc.get("loaded_dependencies", [])],
                "; ".join(problems) or None,
                _fingerprint(doc.get("code")),
            )
        except _BAD as error:
            problems.append(f"{path} is unreadable (truncated or edited by hand): {error}")
    return Details(stamp=stamp, problem="; ".join(problems) or None)


def _fingerprint(code: Any) -> tuple[str, str, str | None] | None:
    """``(file, module_digest, class_digest)`` of metadata.json's ``code``; one that the
    :class:`~furu.fingerprint.CodeFingerprint` model would refuse makes the file unreadable."""
    if code is None:
        return None
    fields = code if isinstance(code, dict) else {}
    file, module, cls = (fields.get(key, 0) for key in ("file", "module_digest", "class_digest"))
    if not (isinstance(file, str) and isinstance(module, str) and (cls is None or isinstance(cls, str))):
        raise TypeError("its code must hold a file and a module_digest (strings) and a class_digest (a string or null)")
    return file, module, cls


def directory_size(path: str) -> int:
    """Bytes of every file below ``path`` (symlinks not followed; furu temp files counted).

    What cannot be listed or stat-ed (gone meanwhile, no permission) counts as
    nothing: a size is an estimate, and one odd file must not stop ``furu du``.
    """
    total = 0
    stack = [path]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                for item in entries:
                    try:
                        if item.is_dir(follow_symlinks=False):
                            stack.append(item.path)
                        else:
                            total += item.stat(follow_symlinks=False).st_size
                    except OSError:
                        continue
        except OSError:
            continue
    return total


def dir_stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_ctime_ns
    except OSError:
        return None


def is_artifact_name(name: str) -> bool:
    """32 lowercase hex chars: the name of an artifact directory."""
    return len(name) == 32 and not name.strip("0123456789abcdef")


def is_hidden(name: str) -> bool:
    """Dot names (``.gitignore``, ``.catalog``, temp files, deletion tombstones) are never artifacts."""
    return name.startswith(".") or TEMP_MARKER in name


def _read_bytes(path: str) -> bytes | None:
    """The file's bytes; None when it does not exist. Any other OSError (a directory, no permission) is raised."""
    try:
        return read_regular(path)  # a FIFO in its place is an error, not a scan that hangs
    except (FileNotFoundError, NotADirectoryError):
        return None


_fromiso = datetime.fromisoformat


def _ts(value: Any) -> float | None:
    if value is None:
        return None
    return _fromiso(value).timestamp()
