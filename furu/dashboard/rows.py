"""Library records as the dashboard's table rows: the fields a row shows, and the config values asked for as columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from furu.catalog import ArtifactRecord
from furu.dashboard.schemas import ExperimentRow
from furu.query import config_value, is_missing


def row_of(record: ArtifactRecord, columns: Sequence[str] = ()) -> ExperimentRow:
    values: dict[str, Any] = {}
    for column in columns:
        found = config_value(record.config, tuple(column.removeprefix("config.").split(".")))
        if not is_missing(found):
            values[column] = found
    return ExperimentRow(
        hash=record.hash,
        short_hash=record.short_hash,
        fqn=record.fqn,
        class_name=record.class_name,
        namespace=record.namespace,
        status=record.status,
        problem=record.problem,
        job_id=record.job_id,
        created=record.created,
        updated=record.updated,
        runtime_secs=record.runtime_secs,
        size_bytes=record.size_bytes,
        attempts=record.attempts,
        tags=list(record.tags),
        name=record.name,
        host=record.host,
        user=record.user,
        version_controlled=record.version_controlled,
        dependencies=len(record.dependencies),
        code_changed=record.code_changed,
        code_drift=record.code_drift.kind if record.code_drift is not None else None,
        stale=record.stale,
        values=values,
    )


def split_columns(text: str | None) -> list[str]:
    """``lr,data.name`` -> ``["lr", "data.name"]`` (blank parts dropped)."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]
