"""Running configs built on the command line: one spec, optionally swept, each loaded or created.

``furu run mypkg:Train lr=1e-3 --sweep seed=0,1,2`` builds three configs and
runs ``load_or_create`` on each in turn; a failure is recorded and the others
still run. With ``dry_run`` nothing runs: each config's plan status is reported.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field

from furu.core import Furu
from furu.specs import build, expand_sweeps, import_target
from furu.state import creator, this_process

Outcome = Literal["loaded", "created", "failed", "cached", "missing", "running"]


class RunOutcome(BaseModel):
    fqn: str
    hash: str
    dir: str
    assignments: list[str] = Field(description="The key=value words this config was built from.")
    outcome: Outcome = Field(description="loaded/created/failed; with a dry run cached/missing/running/failed.")
    runtime_secs: float | None = None
    result: str | None = Field(default=None, description="repr() of the returned value, shortened.")
    error: str | None = None
    missing_dependencies: int = Field(default=0, description="Dry run: artifacts that would be created (itself included).")
    created_by: str | None = Field(
        default=None, description="host:pid of the process whose result was loaded after waiting for it."
    )

    @property
    def summary(self) -> str:
        """The outcome as the table shows it: ``loaded (created by host:pid)`` after waiting."""
        return f"{self.outcome} (created by {self.created_by})" if self.created_by else self.outcome


def build_sweep(target: str, assignments: Sequence[str], sweeps: Sequence[str] = ()) -> list[tuple[list[str], Furu[Any]]]:
    """Every config of the cartesian product, with the assignments it came from."""
    cls = import_target(target)
    return [(words, build(cls, words)) for words in expand_sweeps(list(assignments), list(sweeps))]


def run_configs(configs: Sequence[tuple[list[str], Furu[Any]]], *, dry_run: bool = False) -> list[RunOutcome]:
    from furu.planning import plan

    outcomes = []
    for words, obj in configs:
        base: dict[str, Any] = {"fqn": obj.furu_fqn(), "hash": obj.furu_hash, "dir": str(obj.furu_dir), "assignments": words}
        if dry_run:
            tree = plan(obj)
            status = tree.status
            missing = sum(node.status != "cached" for node in tree.walk())
            outcomes.append(RunOutcome(**base, outcome=status, missing_dependencies=missing))
            continue
        existed = obj.exists()
        started = time.perf_counter()
        try:
            result = obj.load_or_create()
        except Exception as error:  # noqa: BLE001 - reported per config; the others still run
            outcomes.append(
                RunOutcome(**base, outcome="failed", runtime_secs=time.perf_counter() - started,
                           error=f"{type(error).__name__}: {error}")
            )
            continue
        text = repr(result)
        # Missing before the call: this process created it, or waited for another one that did.
        paths = obj._paths()
        who = None if existed else creator(paths)
        waited_for = None if existed or who == this_process() else who or "another process"
        outcomes.append(
            RunOutcome(
                **base, outcome="loaded" if existed or waited_for else "created", created_by=waited_for,
                runtime_secs=time.perf_counter() - started, result=text if len(text) <= 200 else text[:197] + "...",
            )
        )
    return outcomes
