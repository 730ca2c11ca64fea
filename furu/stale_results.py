"""Stale results grouped by why, and ``furu migrate`` asked for with a form: what the dashboard's stale view calls.

::

    view = stale_results(catalog)
    for group in view.groups: print(group.fqn, group.count, "; ".join(group.reasons))
    asked = MigrationRequest(filter="class=lab.steps.Data", values={"scale": "2"})
    print(asked.command())                        # furu migrate class=lab.steps.Data --set scale=2
    plan = run_migration(asked, yes=False)        # the plan, as furu migrate prints it
    print(plan_document(plan).model_dump_json())  # what furu migrate --json prints

Nothing here decides anything about a migration: :func:`run_migration` is
one call of :func:`furu.migrate.migrate`, with the options as the command line
gives them (``--set`` values are text, read as the field's type); given the
plan a person confirmed, it plans once more first and writes nothing unless
that is still the plan. :func:`plan_document` is the plan in the form
``furu migrate --json`` prints.

A stale result that was migrated already (with ``alias`` or ``copy`` the old
artifact stays, and its class still does not reach it) is not in a group: it
is listed under ``migrated``, with where it went, until that target is gone.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from pydantic import BaseModel, Field

from furu.atomic import read_model
from furu.catalog import ArtifactRecord, Catalog
from furu.catalog.pages import page
from furu.errors import FuruError
from furu.importing import ClassImportError, sources_changed_since_import
from furu.layout import ArtifactPaths
from furu.metadata import Metadata, MigrationPolicy
from furu.migrate import FromText, FuruMigrationError, MigrationPlan, migrate
from furu.namespace import class_fqn
from furu.settings import Settings
from furu.staleness import resolve_class

SHOWN_PER_GROUP = 200
"""A group lists at most this many records (its ``hashes`` and ``count`` are complete)."""



# -- a migration as a form asks for it -----------------------------------------------


class MigrationRequest(BaseModel):
    """The options of ``furu migrate``, as a form (or a request body) gives them."""

    filter: str = Field(
        min_length=1, max_length=10_000,
        description="What to migrate: a filter as `furu ls` takes it (class=pkg.mod.Train lr=0.1), a hash or prefix.",
    )
    values: dict[str, str] = Field(default_factory=dict, description="--set FIELD=VALUE: an added field's value, as text.")
    rename: dict[str, str] = Field(default_factory=dict, description="--rename OLD=NEW.")
    drop: list[str] = Field(default_factory=list, description="--drop FIELD: a removed field.")
    from_class: str | None = Field(default=None, description="--from OLD.MODULE.CLASS: the class the results were made with.")
    policy: MigrationPolicy = "alias"
    cascade: bool = Field(default=True, description="Migrate the dependents too (false: --no-cascade).")
    overwrite: bool = Field(default=False, description="--overwrite: migrate over a target that holds another result.")

    def command(self, *, yes: bool = False) -> str:
        """The ``furu migrate`` command line that asks for the same (``--yes``: that carries it out)."""
        words = ["furu", "migrate", *_filter_words(self.filter)]
        words += [part for name, value in self.values.items() for part in ("--set", f"{name}={value}")]
        words += [part for old, new in self.rename.items() for part in ("--rename", f"{old}={new}")]
        words += [part for name in self.drop for part in ("--drop", name)]
        words += ["--from", self.from_class] if self.from_class else []
        words += ["--policy", self.policy] if self.policy != "alias" else []
        words += [] if self.cascade else ["--no-cascade"]
        words += ["--overwrite"] if self.overwrite else []
        words += ["--yes"] if yes else []
        return shlex.join(words)


def _filter_words(text: str) -> list[str]:
    """The filter as the shell would pass it in words (one word when it does not split cleanly)."""
    try:
        words = shlex.split(text)
    except ValueError:
        return [text]
    return words or [text]


# -- stale results by reason ----------------------------------------------------------


class StaleGroup(BaseModel):
    """The stale results of one class that are stale for the same reasons."""

    fqn: str
    class_name: str
    reasons: list[str] = Field(description="What changed, in words, as `furu ls --stale` says it.")
    still_loads: bool = Field(description="Its class's declared history finds them: load_or_create migrates each on first use.")
    count: int
    hashes: list[str] = Field(description="Every result of the group, oldest first.")
    records: list[ArtifactRecord] = Field(description=f"The first {SHOWN_PER_GROUP} of them.")
    stale_dependencies: list[str] = Field(
        description="Classes of stale results these depend on: migrating those (with their dependents) migrates these too."
    )
    request: MigrationRequest = Field(
        description="The migration of all the class's results to today's defaults (a class that moved: to today's name, --from its old one)."
    )
    command: str = Field(description="The command that plans that migration.")


class MigratedStale(BaseModel):
    """A stale result carried over already: its old artifact stays while the new one links into it (alias) or as a copy."""

    record: ArtifactRecord
    to_fqn: str
    to_hash: str
    policy: MigrationPolicy


class StaleResults(BaseModel):
    groups: list[StaleGroup]
    migrated: list[MigratedStale]
    total: int = Field(description="Stale results, migrated ones included.")
    code_changed: list[str] = Field(
        default_factory=list,
        description="Project source files edited since this process imported them: the groups are judged by the classes as imported.",
    )


def stale_results(catalog: Catalog | None = None) -> StaleResults:
    """The catalog's stale results, grouped by class and reasons (this imports the classes they name)."""
    found = page("stale=true", sort="class,created", limit=0, catalog=catalog or Catalog())
    stale = {record.hash for record in found.records}
    groups: dict[tuple[str, tuple[str, ...], bool], list[ArtifactRecord]] = {}
    migrated: list[MigratedStale] = []
    for record in found.records:
        carried = _carried_to(record)
        if carried is not None:
            migrated.append(carried)
            continue
        groups.setdefault((record.fqn, tuple(record.stale_reasons), bool(record.stale_still_loads)), []).append(record)
    return StaleResults(
        groups=[_group(fqn, list(reasons), still_loads, records, stale) for (fqn, reasons, still_loads), records in groups.items()],
        migrated=migrated,
        total=len(found.records),
        code_changed=sources_changed_since_import(),
    )


def _group(fqn: str, reasons: list[str], still_loads: bool, records: list[ArtifactRecord], stale: set[str]) -> StaleGroup:
    dependencies = sorted({
        ref.fqn for record in records for ref in (*record.declared_dependencies, *record.loaded_dependencies) if ref.hash in stale
    })
    return StaleGroup(
        fqn=fqn, class_name=records[0].class_name, reasons=reasons, still_loads=still_loads, count=len(records),
        hashes=[record.hash for record in records], records=records[:SHOWN_PER_GROUP], stale_dependencies=dependencies,
        request=(request := _whole_class(fqn)), command=request.command(),
    )


def _whole_class(fqn: str) -> MigrationRequest:
    """All of a class's results, to today's class: the same name, or the one whose history says it moved from ``fqn``."""
    try:
        today = class_fqn(resolve_class(fqn))
    except ClassImportError:
        return MigrationRequest(filter=f"class={fqn}")
    return MigrationRequest(filter=f"class={today}", from_class=fqn if today != fqn else None)


def _carried_to(record: ArtifactRecord) -> MigratedStale | None:
    """Where this result was migrated to, when that target holds a result still."""
    try:
        metadata = read_model(ArtifactPaths(record.dir).metadata, Metadata)
    except (OSError, FuruError):
        return None
    for move in reversed(metadata.migrated_to):
        if ArtifactPaths(move.dir).has_success():
            return MigratedStale(record=record, to_fqn=move.fqn, to_hash=move.hash, policy=move.policy)
    return None


# -- planning and carrying out --------------------------------------------------------


def run_migration(
    request: MigrationRequest,
    *,
    yes: bool,
    planned: Sequence[tuple[str, str]] | None = None,
    by: str = "furu.migrate()",
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> MigrationPlan:
    """:func:`furu.migrate.migrate` with the request's options; with ``yes``, carried out.

    ``planned``: the ``(source hash, target hash)`` pairs of the plan a person
    confirmed. When the plan is no longer exactly that (a result appeared,
    went or changed meanwhile), nothing is written and the error says so.
    Nothing is planned either when the project's code changed after this
    process imported it: its classes would send results to yesterday's hashes.
    """
    changed = sources_changed_since_import()
    if changed:
        raise FuruMigrationError(
            f"Cannot plan a migration with the classes this process imported: {changed[0]}"
            f"{f' (and {len(changed) - 1} more)' if len(changed) > 1 else ''} changed since. Nothing was written; "
            "restart furu dashboard (or your Python session) so it imports today's code, then plan again."
        )

    def call(apply: bool) -> MigrationPlan:
        return migrate(
            request.filter, values={name: FromText(value) for name, value in request.values.items()}, rename=request.rename,
            drop=request.drop, from_class=request.from_class, policy=request.policy, cascade=request.cascade, yes=apply,
            overwrite=request.overwrite, by=by, catalog=catalog, settings=settings,
        )

    if yes and planned is not None:
        now = sorted((step.source.hash, step.target_hash) for step in call(False).steps)
        if now != sorted((source, target) for source, target in planned):
            raise FuruMigrationError(
                f"Cannot migrate; nothing was written: the plan changed since it was shown ({len(planned)} planned, "
                f"{len(now)} now). Show the plan again and confirm that one."
            )
    return call(yes)
