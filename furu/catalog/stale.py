"""Stale results in the catalog: which successes today's classes no longer reach, and why.

Unlike code drift (:mod:`furu.catalog.drift`), staleness cannot be read off
the index: each stored config is rebuilt with today's classes
(:mod:`furu.staleness`), which imports them. So it is worked out only when
asked for, by the ``stale`` filter or a caller that wants records marked, and
each result once per process (:func:`~furu.staleness.shared_checker`):

* the filter ``stale=true`` reads the temporary table
  :data:`~furu.query.STALE_TABLE` of stale successes, which :func:`note_stale`
  fills before the query runs;
* records get ``stale``, ``stale_reasons`` and ``stale_still_loads`` (:func:`add_staleness`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from furu.catalog.record import ArtifactRecord
from furu.query import STALE_SCHEMA, STALE_TABLE
from furu.staleness import ConfigCheck, shared_checker

_SUCCESSES = (
    "SELECT a.id, a.fqn, a.hash{} FROM artifacts a INDEXED BY artifacts_status "
    "JOIN details d ON d.artifact = a.id WHERE a.status = 'success' AND d.config IS NOT NULL"
)
"""The successes with a stored config: each with its config only when some have not been checked yet."""


def note_stale(db: sqlite3.Connection) -> None:
    """Fill :data:`~furu.query.STALE_TABLE` with the ids of the index's stale successes.

    Every class the index names is imported first, so a class that moved (a
    declared ``moved_from``) is known before the results stored under its old
    name are checked. A temporary table of this connection: nothing is written
    to the index on disk.
    """
    checker = shared_checker()
    checker.learn(fqn for (fqn,) in db.execute("SELECT DISTINCT fqn FROM shards"))
    stale, unchecked = [], False
    for artifact, fqn, furu_hash in db.execute(_SUCCESSES.format("")):  # checked before: no config to read again
        check = checker.known(fqn, furu_hash)
        unchecked = unchecked or check is None
        if check is not None and check.verdict == "stale":
            stale.append((artifact,))
    if unchecked:
        stale = []
        for artifact, fqn, furu_hash, version, config in db.execute(_SUCCESSES.format(", d.version, d.config")):
            check = checker.known(fqn, furu_hash) or checker.check(fqn, furu_hash, json.loads(config), version)
            if check.verdict == "stale":
                stale.append((artifact,))
    db.execute(STALE_SCHEMA)
    db.execute(f"DELETE FROM {STALE_TABLE}")
    db.executemany(f"INSERT INTO {STALE_TABLE} VALUES (?)", stale)


def add_staleness(records: Sequence[ArtifactRecord]) -> None:
    """Set ``stale``, ``stale_reasons`` and ``stale_still_loads`` of successes whose config was read (others stay ``None``: not known)."""
    checker = shared_checker()
    for record in records:
        if record.status != "success" or record.config is None:
            continue
        check: ConfigCheck = checker.check(record.fqn, record.hash, record.config, record.version)
        if check.verdict != "unknown":
            record.stale, record.stale_reasons, record.stale_still_loads = check.verdict == "stale", check.reasons, check.still_loads
