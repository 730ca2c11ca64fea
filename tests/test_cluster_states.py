"""How scheduler states map onto attempts (the table in furu.cluster.scheduler)."""

from __future__ import annotations

import pytest

from furu.cluster.scheduler import outcome


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("PENDING", "alive"),
        ("RUNNING", "alive"),
        ("REQUEUED", "alive"),
        ("UNKNOWN", "alive"),
        ("COMPLETED", "crashed"),
        ("PREEMPTED", "preempted"),
        ("TIMEOUT", "preempted"),
        ("NODE_FAIL", "preempted"),
        ("CANCELLED", "failed"),
        ("FAILED", "failed"),
        ("OUT_OF_MEMORY", "failed"),
    ],
)
def test_scheduler_states_map_to_attempt_outcomes(state: str, expected: str) -> None:
    assert outcome(state, cancelled_is_preempted=False) == expected


def test_cancelled_can_count_as_preempted() -> None:
    assert outcome("CANCELLED", cancelled_is_preempted=True) == "preempted"
    assert outcome("FAILED", cancelled_is_preempted=True) == "failed"
