"""``/api/stale``: stale results grouped by why, the ``furu migrate`` plan for a choice, carrying it out; a result's code diff.

Each route is one library call: :func:`furu.stale_results.stale_results`
(``furu ls --stale``, grouped), :func:`furu.stale_results.run_migration`
(``furu migrate``, the same :func:`furu.migrate.migrate` the command calls)
and :func:`furu.report.code_diff` (``furu show --code-diff``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from furu.dashboard.routes.experiments import ServiceDep, checked_ref
from furu.errors import FuruError
from furu.refs import resolve_entry
from furu.report import CodeDiff, code_diff
from furu.migrate import PlanDocument, plan_document
from furu.stale_results import MigrationRequest, StaleResults, run_migration, stale_results

router = APIRouter(tags=["stale"])


class MigrationAnswer(BaseModel):
    plan: PlanDocument = Field(description="What `furu migrate --json` prints for the same options.")
    command: str = Field(description="The `furu migrate` command that shows this plan.")
    apply_command: str = Field(description="The command that carries it out (`--yes`).")


class ApplyBody(MigrationRequest):
    confirm: bool = Field(False, description="Must be true: the person saw the plan and confirmed it.")
    planned: list[tuple[str, str]] | None = Field(
        None, description="The (source hash, target hash) pairs of the plan shown; when today's plan differs, nothing is applied."
    )


@router.get("/stale", response_model=StaleResults)
def stale(svc: ServiceDep) -> StaleResults:
    with svc.catalog() as catalog:
        return stale_results(catalog)


@router.post("/stale/plan", response_model=MigrationAnswer)
def plan(svc: ServiceDep, body: MigrationRequest) -> MigrationAnswer:
    """The plan, nothing written (`furu migrate` without `--yes`); a migration that cannot be done is a 400 that lists why."""
    with svc.catalog() as catalog:
        planned = run_migration(body, yes=False, by="furu dashboard", catalog=catalog, settings=svc.settings)
    return _answer(body, plan_document(planned))


@router.post("/stale/apply", response_model=MigrationAnswer)
def apply(svc: ServiceDep, body: ApplyBody) -> MigrationAnswer:
    """Carry the plan out (`furu migrate --yes`); refused without `confirm`, and when the plan is no longer the one shown."""
    if not body.confirm:
        raise FuruError("Nothing was migrated: confirm the plan first (send confirm=true with the plan's steps as planned).")
    request = MigrationRequest.model_validate(body.model_dump(exclude={"confirm", "planned"}))
    with svc.catalog() as catalog:
        done = run_migration(request, yes=True, planned=body.planned, by="furu dashboard", catalog=catalog, settings=svc.settings)
    return _answer(request, plan_document(done))


@router.get("/experiments/{ref}/code-diff", response_model=CodeDiff, tags=["experiments"])
def experiment_code_diff(svc: ServiceDep, ref: str) -> CodeDiff:
    """How its class's module file differs from the one it was made with (`furu show HASH --code-diff`)."""
    with svc.catalog() as catalog:
        entry = resolve_entry(checked_ref(ref), catalog)
    return code_diff(entry, svc.settings.project_root)


def _answer(request: MigrationRequest, document: PlanDocument) -> MigrationAnswer:
    return MigrationAnswer(plan=document, command=request.command(), apply_command=request.command(yes=True))
