"""Running artifacts on a cluster through submitit (SLURM): exactly once, with state and requeue.

``obj.load_or_create(executor=submitit_executor)`` and
``furu.load_or_create_all(objs, executor=...)``; see docs/slurm.md.
"""

from furu.cluster.handle import ArtifactHandle
from furu.cluster.submit import load_or_create_all, reconcile, submit

__all__ = ["ArtifactHandle", "load_or_create_all", "reconcile", "submit"]
