"""Reading one artifact directory: the cheap summary every listing needs, the details, the size.

The summary costs one ``stat`` of ``.furu/`` and one read of ``state.json``
(plus ``annotations.json`` and the success marker where they matter): a cold
scan of 100,000 artifacts is bounded by that. Nothing here raises on a broken
artifact; a file that cannot be read makes the entry ``corrupt`` with a
``problem`` that names the file.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from pydantic_core import from_json

from furu.atomic import TEMP_MARKER
from furu.catalog.entry import NO_STAMP, Details, Entry, Shard
from furu.layout import CONFIG_FILE, INTERNAL_DIR, METADATA_FILE, STATE_FILE, SUCCESS_FILE
from furu.state import ArtifactState

ANNOTATIONS_FILE = "annotations.json"
_READ_CHUNK = 1 << 16
_BAD = (ValueError, KeyError, TypeError, IndexError, AttributeError)


def read_entry(shard: Shard, name: str, racy_after_ns: int) -> Entry:
    """Read the summary of ``<shard.class_dir>/<name>``.

    An entry whose ``.furu/`` changed at or after ``racy_after_ns`` gets no
    stamp, so it is read again next time: a change within the same clock tick
    as this read would otherwise leave the stamp unchanged.
    """
    entry = Entry(shard, name)
    internal = f"{shard.class_dir}/{name}/{INTERNAL_DIR}"
    try:
        stamp = os.stat(internal).st_ctime_ns
    except (FileNotFoundError, NotADirectoryError):
        entry.raw_status = entry.status = "corrupt"
        entry.problem = f"no {INTERNAL_DIR}/ directory in {shard.class_dir}/{name}: not a complete artifact"
        return entry
    entry.stamp = stamp if stamp < racy_after_ns else NO_STAMP
    state = _read_bytes(f"{internal}/{STATE_FILE}")
    if state is None:
        _from_success_marker(entry, internal)
        read_marks(entry)
    else:
        _from_state(entry, internal, state)
    entry.status = entry.raw_status
    return entry


def read_marks(entry: Entry) -> None:
    """Tags and name (``annotations.json``), and whether the success marker is really there.

    Kept out of :func:`read_entry` so a cold scan reads one file per artifact:
    ``state.json`` already says whether the attempt succeeded.
    """
    internal = f"{entry.dir}/{INTERNAL_DIR}"
    entry.marks_stamp = entry.stamp
    entry.tags, entry.name = [], None
    if entry.raw_status == "success" and not os.path.exists(f"{internal}/{SUCCESS_FILE}"):
        entry.raw_status = entry.status = "absent"
        entry.problem = "state.json says success, but the success marker was removed"
    annotations = _read_bytes(f"{internal}/{ANNOTATIONS_FILE}")
    if annotations is not None:
        _from_annotations(entry, internal, annotations)


def _from_state(entry: Entry, internal: str, data: bytes) -> None:
    try:
        doc = from_json(data)
        if doc.get("schema_version", 1) > ArtifactState.SCHEMA_VERSION:
            raise ValueError(f"schema version {doc['schema_version']} is newer than this furu understands")
        attempts = doc["attempts"]
        result = doc["result"]
        entry.updated_ts = _fromiso(doc["updated_at"]).timestamp()
        entry.attempts = len(attempts)
        latest = attempts[-1] if attempts else None
        if latest is not None:
            entry.started_ts = _fromiso(latest["started_at"]).timestamp()
            entry.created_ts = entry.started_ts if len(attempts) == 1 else _ts(attempts[0]["started_at"])
            ended = latest.get("ended_at")
            entry.ended_ts = _fromiso(ended).timestamp() if ended is not None else None
    except _BAD as error:
        entry.raw_status = "corrupt"
        entry.problem = f"{internal}/{STATE_FILE} is unreadable (truncated or edited by hand): {error}"
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
    entry.raw_status = latest["status"]
    raised = latest.get("error")
    if raised:
        message = str(raised.get("message", "")).strip().splitlines()
        entry.problem = f"{raised.get('type', 'error').rsplit('.', 1)[-1]}: {message[-1] if message else ''}"
    elif latest.get("reason"):
        entry.problem = str(latest["reason"])


def _from_success_marker(entry: Entry, internal: str) -> None:
    """No state.json: a committed artifact (success marker only) or a bare directory."""
    data = _read_bytes(f"{internal}/{SUCCESS_FILE}")
    if data is None:
        entry.raw_status = "absent"
        return
    try:
        created = _ts(from_json(data)["created_at"])
    except _BAD as error:
        entry.raw_status = "corrupt"
        entry.problem = f"{internal}/{SUCCESS_FILE} is unreadable (truncated or edited by hand): {error}"
        return
    entry.raw_status = "success"
    entry.created_ts = entry.updated_ts = created


def _from_annotations(entry: Entry, internal: str, data: bytes) -> None:
    try:
        doc = from_json(data)
        entry.tags = [str(tag) for tag in doc.get("tags", [])]
        entry.name = doc.get("name")
    except _BAD as error:
        entry.raw_status = entry.status = "corrupt"
        entry.problem = f"{internal}/{ANNOTATIONS_FILE} is unreadable: {error}"


def read_details(artifact_dir: str, stamp: int) -> Details:
    """Config, version and dependencies from ``metadata.json``, else from ``config.json``.

    ``config.json`` is written when an attempt starts, so failed, running and
    crashed artifacts have a config too; ``metadata.json`` (after a success)
    adds the dependencies that were actually loaded.
    """
    path = f"{artifact_dir}/{INTERNAL_DIR}/{METADATA_FILE}"
    data = _read_bytes(path)
    if data is None:
        path = f"{artifact_dir}/{INTERNAL_DIR}/{CONFIG_FILE}"
        data = _read_bytes(path)
    if data is None:
        return Details(stamp=stamp)
    try:
        doc = from_json(data)
        config = doc["config"]
        if not isinstance(config, dict):
            raise TypeError("config is not an object")
        return Details(
            stamp,
            str(doc["version"]),
            config,
            [(str(d["fqn"]), str(d["hash"])) for d in doc.get("declared_dependencies", [])],
            [(str(d["fqn"]), str(d["hash"])) for d in doc.get("loaded_dependencies", [])],
        )
    except _BAD as error:
        return Details(stamp=stamp, problem=f"{path} is unreadable (truncated or edited by hand): {error}")


def directory_size(path: str) -> int:
    """Bytes of every file below ``path`` (symlinks not followed; furu temp files counted)."""
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
                    except FileNotFoundError:
                        continue
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
    return total


def dir_stamp(path: str) -> int | None:
    try:
        return os.stat(path).st_ctime_ns
    except (FileNotFoundError, NotADirectoryError):
        return None


def is_artifact_name(name: str) -> bool:
    """32 lowercase hex chars: the name of an artifact directory."""
    return len(name) == 32 and not name.strip("0123456789abcdef")


def is_hidden(name: str) -> bool:
    """Dot names (``.gitignore``, ``.catalog``, temp files, deletion tombstones) are never artifacts."""
    return name.startswith(".") or TEMP_MARKER in name


def _read_bytes(path: str) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        data = os.read(fd, _READ_CHUNK)
        if len(data) < _READ_CHUNK:
            return data
        chunks = [data]
        while chunk := os.read(fd, _READ_CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


_fromiso = datetime.fromisoformat


def _ts(value: Any) -> float | None:
    if value is None:
        return None
    return _fromiso(value).timestamp()
