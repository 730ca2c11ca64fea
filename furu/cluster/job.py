"""The callable a cluster job runs: rebuild the config and create it as the queued attempt.

It is a :class:`submitit.helpers.Checkpointable`, so when the scheduler
preempts the job or it times out, submitit calls :meth:`FuruJob.checkpoint`:
furu records the attempt as preempted and asks submitit to requeue the same
job (which resumes from ``checkpoint_dir``), at most ``FURU_PREEMPT_MAX``
times.
"""

from __future__ import annotations

import os
from typing import Any

import submitit

from furu.cluster.code import JobCode, use_job_code
from furu.errors import FuruError
from furu.execution import JobContext, running_job
from furu.logs import logger
from furu.preemption import mark_running_preempted
from furu.provenance.model import GitProvenance
from furu.serialization import from_dict


class FuruJob(submitit.helpers.Checkpointable):
    """Picklable description of one artifact to create inside a job (plain data only)."""

    def __init__(
        self,
        *,
        config: dict[str, Any],
        furu_hash: str,
        attempt_id: str,
        backend: str,
        environment: dict[str, str],
        cwd: str,
        provenance: GitProvenance | None,
        code: JobCode | None,
        preempt_max: int,
    ) -> None:
        self.config = config
        self.furu_hash = furu_hash
        self.attempt_id = attempt_id
        self.backend = backend
        self.environment = environment
        self.cwd = cwd
        self.provenance = provenance
        self.code = code
        self.preempt_max = preempt_max
        self.preemptions = 0

    def __call__(self) -> Any:
        os.environ.update(self.environment)
        os.chdir(self.cwd)
        if self.code is not None:
            use_job_code(self.code)
        obj = from_dict(self.config)
        if obj.furu_hash != self.furu_hash:
            raise FuruError(
                f"The job rebuilt {obj.furu_fqn()} with hash {obj.furu_hash}, not the submitted "
                f"{self.furu_hash}: the code it imported differs from the submission's. Check that "
                "the job's Python environment matches the submitter's."
            )
        environment = submitit.JobEnvironment()
        context = JobContext(
            furu_hash=self.furu_hash,
            attempt_id=self.attempt_id,
            backend=self.backend,
            job_id=environment.job_id,
            job_folder=str(environment.paths.folder),
            provenance=self.provenance,
        )
        with running_job(context):
            return obj.load_or_create()

    def checkpoint(  # type: ignore[override]  # submitit treats None as "do not requeue"
        self, *args: Any, **kwargs: Any
    ) -> submitit.helpers.DelayedSubmission | None:
        """Called by submitit on preemption or timeout: record it, then requeue (or give up)."""
        self.preemptions += 1
        mark_running_preempted("preempted or timed out by the scheduler", release_locks=False)
        if self.preemptions > self.preempt_max:
            logger.warning(
                "not requeueing %s: preempted %d times (FURU_PREEMPT_MAX=%d)",
                self.furu_hash[:8], self.preemptions, self.preempt_max,
            )
            return None
        return submitit.helpers.DelayedSubmission(self, *args, **kwargs)
