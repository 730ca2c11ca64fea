"""What the scheduler says about a job, and what that means for the attempt furu recorded.

furu records a cluster attempt as ``queued`` when it submits and the job
itself moves it to ``running``, ``success``, ``failed`` or ``preempted``. A
job can also end without saying anything (killed, cancelled before it
started, node lost); then the scheduler's final state is mapped onto the
attempt:

=========================================  =============================================
scheduler state                            attempt
=========================================  =============================================
PENDING, RUNNING, REQUEUED, ... (alive)    unchanged (still queued / running)
COMPLETED without a success marker         crashed
PREEMPTED, TIMEOUT, NODE_FAIL              preempted (resubmitted up to FURU_PREEMPT_MAX)
CANCELLED                                  failed (preempted with FURU_CANCELLED_IS_PREEMPTED=1)
FAILED, OUT_OF_MEMORY, anything else       failed, with the job's error
=========================================  =============================================
"""

from __future__ import annotations

from typing import Any, Literal

import submitit

ALIVE_STATES = frozenset(
    {"PENDING", "RUNNING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SUSPENDED",
     "CONFIGURING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESV_DEL_HOLD", "UNKNOWN"}
)
PREEMPTED_STATES = frozenset({"PREEMPTED", "TIMEOUT", "NODE_FAIL"})

Outcome = Literal["alive", "crashed", "preempted", "failed"]


def slurm_job(folder: str, job_id: str) -> submitit.SlurmJob[Any]:
    """A handle on an existing job, as submitit would have returned it."""
    return submitit.SlurmJob(folder=folder, job_id=job_id)


def job_state(job: submitit.Job[Any]) -> str:
    """The scheduler's current state, without the ``by <uid>`` suffix (fresh, not cached)."""
    state = job.get_info(mode="force").get("State") or "UNKNOWN"
    return state.split()[0].upper()


def outcome(state: str, *, cancelled_is_preempted: bool) -> Outcome:
    """What a scheduler state means for a furu attempt (see the module table)."""
    if state in ALIVE_STATES:
        return "alive"
    if state == "COMPLETED":
        return "crashed"
    if state in PREEMPTED_STATES:
        return "preempted"
    if state == "CANCELLED":
        return "preempted" if cancelled_is_preempted else "failed"
    return "failed"


def job_error(job: submitit.Job[Any]) -> str | None:
    """The error the job reported (its traceback when submitit has one), or its stderr tail."""
    try:
        error = job.exception()
    except Exception as unreadable:  # noqa: BLE001 - report it: the job's files are gone or partial
        return f"the job's result could not be read: {unreadable}"
    if error is not None:
        return str(error)
    stderr = job.stderr()
    return stderr[-4000:] if stderr else None
