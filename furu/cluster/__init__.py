"""Running artifacts on a cluster through submitit (SLURM): exactly once, with state and requeue.

``obj.load_or_create(executor=submitit_executor)`` and
``furu.load_or_create_all(objs, executor=...)``; the executor of
``[tool.furu.executor]`` is ``configured_executor()``; see docs/slurm.md.
"""

from furu.cluster.executor import configured_executor
from furu.cluster.handle import ArtifactHandle
from furu.cluster.runs import submit_configs, wait_for
from furu.cluster.submit import load_or_create_all, reconcile, submit

__all__ = ["ArtifactHandle", "configured_executor", "load_or_create_all", "reconcile", "submit", "submit_configs", "wait_for"]
