"""Code drift in the catalog: which results' class code changed since they were made.

The index keeps the fingerprint each artifact's metadata.json recorded
(``code_file``, ``module_digest``, ``class_digest``; see
:mod:`furu.fingerprint`). Whether the code changed depends on the file's
digest alone, and a project's results come from a handful of files, so today's
digest of each file is computed once per process and compared per distinct
``(file, digest)`` pair, never per artifact:

* records get ``code_changed`` and ``code_drift`` (:func:`add_drift`);
* the filter ``code_changed=true`` reads the temporary table
  :data:`~furu.query.DRIFTED_CODE_TABLE` of the pairs that drifted, which
  :func:`note_drifted_code` fills before the query runs, so the SQL and the
  Python form of the filter give the same answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from furu.catalog.entry import Entry
from furu.catalog.record import ArtifactRecord
from furu.fingerprint import CodeFingerprint, Drift, current_module_digest, drift_of
from furu.query import DRIFTED_CODE_SCHEMA, DRIFTED_CODE_TABLE


def add_drift(entries: Sequence[Entry], records: Sequence[ArtifactRecord], project_root: Path | None) -> None:
    """Set ``code_changed`` and ``code_drift`` of the records of entries whose details are read.

    Worked out once per distinct fingerprint and class: a page of results
    shares a few.
    """
    found: dict[tuple[tuple[str, str, str | None], str], Drift | None] = {}
    for entry, record in zip(entries, records, strict=True):
        code = entry.details.code if entry.details is not None else None
        if code is None:
            continue
        key = (code, qualname_of(entry))
        if key not in found:
            found[key] = drift_of(CodeFingerprint(*code), key[1], project_root)
        drift = found[key]
        record.code_changed, record.code_drift = drift is not None, drift


def note_drifted_code(db: sqlite3.Connection, project_root: Path | None) -> None:
    """Fill :data:`~furu.query.DRIFTED_CODE_TABLE` with the recorded ``(file, digest)`` pairs whose file differs now.

    A temporary table of this connection: it is never written to the index on
    disk, and takes no lock another process would wait for.
    """
    pairs = db.execute(
        "SELECT DISTINCT code_file, module_digest FROM artifacts INDEXED BY artifacts_code WHERE code_file IS NOT NULL"
    ).fetchall()
    drifted = [(file, digest) for file, digest in pairs if current_module_digest(file, project_root) != digest]
    db.execute(DRIFTED_CODE_SCHEMA)
    db.execute(f"DELETE FROM {DRIFTED_CODE_TABLE}")
    db.executemany(f"INSERT INTO {DRIFTED_CODE_TABLE} VALUES (?, ?)", drifted)


def qualname_of(entry: Entry) -> str:
    """The class's qualname: the class directory's name (``<root>/<module parts>/<QualName>``)."""
    return entry.shard.class_dir.rpartition("/")[2]
