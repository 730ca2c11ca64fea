"""``furu migrate``: carry results over to today's classes, with their dependents, after a plan.

::

    plan = furu.migrate("class=mypkg.train.Train", rename={"lr": "learning_rate"})
    for step in plan.steps: print(step.source.label, "->", step.target_hash[:8], step.changes)
    furu.migrate("class=mypkg.train.Train", rename={"lr": "learning_rate"}, yes=True)

Each selected result's stored config is changed as asked (``rename``,
``drop``, ``values`` for added fields, ``from_class`` for a moved class), then
rebuilt with today's class: a field today's class lacks must be dropped, an
added field takes its default or the given value, and a value that does not
validate is an error naming the field. Nothing is ever defaulted implicitly
beyond the class's own defaults, and the whole plan is checked before anything
is written. Dependents follow (their stored configs hold the old dependency,
so their hashes change too) unless ``cascade=False``. Each step is one
:func:`furu.migration.carry`: under both locks, crash-safe, recorded in both
artifacts' metadata; run the same migration again to finish an interrupted one.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from furu.catalog import ArtifactRecord, Catalog
from furu.catalog.pages import page
from furu.dependency_ref import DependencyRef
from furu.errors import FuruError, FuruSpecError
from furu.history import Added, MovedFrom, Removed, Renamed, forward, shown_value
from furu.importing import ClassImportError, import_user_class, make_project_importable
from furu.lineage import dependents_index
from furu.metadata import MigrationPolicy
from furu.migration import POLICIES, carry, links_into, migrated_from
from furu.layout import ArtifactPaths
from furu.namespace import is_main_fqn, main_class_problem
from furu.refs import ref_kind, resolve_entry
from furu.serialization import CLASS_KEY, from_dict, stored_value
from furu.settings import Settings, current
from furu.specs import parse_value
from furu.staleness import why_invalid

if TYPE_CHECKING:
    from furu.core import Furu

_CLASS_TERM = re.compile(r"^(class|fqn)=(?P<fqn>[A-Za-z_][\w.:]*)$")


class FuruMigrationError(FuruError):
    """The migration cannot be done as asked; nothing was written."""


class FromText(str):
    """A ``values`` entry given as command-line text (``--set momentum=0.9``): read as the field's type."""


StepState = Literal["planned", "conflict", "finish", "migrated", "finished", "already"]


@dataclass
class MigrationStep:
    """One artifact to carry over: from its record to the new identity."""

    source: ArtifactRecord
    target_fqn: str
    target_hash: str
    target_dir: str
    changes: list[str]
    cascaded_from: str | None = None
    """The hash of the migrated dependency this step follows from (None: selected by the filter)."""
    state: StepState = "planned"
    """``planned``; ``conflict`` (the target holds another result); ``finish`` (an interrupted run of this
    migration); after ``yes``: ``migrated``, ``finished`` or ``already``."""
    target: Any = field(default=None, repr=False)


@dataclass
class MigrationPlan:
    policy: MigrationPolicy
    steps: list[MigrationStep]
    skipped: list[tuple[ArtifactRecord, str]]
    """Selected artifacts left alone, with why (not a result, already current)."""
    applied: bool = False

    @property
    def conflicts(self) -> list[MigrationStep]:
        return [step for step in self.steps if step.state == "conflict"]


def migrate(
    filters: str | Sequence[str] = (),
    *,
    values: dict[str, Any] | None = None,
    rename: dict[str, str] | None = None,
    drop: Sequence[str] = (),
    from_class: str | None = None,
    policy: MigrationPolicy = "alias",
    cascade: bool = True,
    yes: bool = False,
    overwrite: bool = False,
    by: str = "furu.migrate()",
    catalog: Catalog | None = None,
    settings: Settings | None = None,
) -> MigrationPlan:
    """Plan the migration of the results ``filters`` selects; with ``yes``, carry it out (see the module docstring).

    ``filters`` is what ``furu ls`` takes, a hash or prefix, or a class
    (``class=pkg.mod.Train``); with ``from_class`` it names the class to
    migrate *to*, and the results selected are those of ``from_class``.
    """
    if policy not in POLICIES:
        raise FuruMigrationError(f"Unknown policy {policy!r}: use one of {', '.join(POLICIES)}.")
    settings = settings or current()
    catalog = catalog or Catalog(settings)
    make_project_importable()
    words = [filters] if isinstance(filters, str) else list(filters)
    target_class, selected = _select(words, from_class, catalog)
    changes = _Changes(values or {}, rename or {}, list(drop), target_class)
    plan = MigrationPlan(policy=policy, steps=[], skipped=[])
    problems: list[str] = []
    migrated: dict[str, MigrationStep] = {}
    for record in selected:
        if record.status != "success" and not links_into(record.dir):  # links left: a move was interrupted
            plan.skipped.append((record, f"it is {record.status}, not a result"))
            continue
        try:
            step = changes.step(record)
        except FuruMigrationError as error:
            problems.append(f"{record.label}: {error}")
            continue
        if step is None:
            plan.skipped.append((record, "it is current: today's class rebuilds it to the same hash"))
            continue
        plan.steps.append(step)
        migrated[record.hash] = step
    if cascade and migrated:
        problems += _cascade(plan, migrated, catalog)
    _check_targets(plan, problems, overwrite)
    if yes:
        problems += [
            f"{step.target_fqn} {step.target_hash[:8]} already holds a result, not one migrated from "
            f"{step.source.label}: --overwrite sets it aside (into its .furu/leftovers/) and migrates over it"
            for step in plan.conflicts
        ]
    if problems:
        shown = "\n  ".join(problems)
        raise FuruMigrationError(f"Cannot migrate; nothing was written:\n  {shown}")
    if yes:
        _apply(plan, by, overwrite, settings)
    return plan


# -- selecting -----------------------------------------------------------------------


def _select(words: list[str], from_class: str | None, catalog: Catalog) -> tuple[str | None, list[ArtifactRecord]]:
    """The class to migrate to (when named), and the records the filter selects."""
    if not words:
        raise FuruMigrationError(
            "Say what to migrate: a filter as `furu ls` takes it (class=pkg.mod.Train lr=0.1), a hash or prefix."
        )
    if len(words) == 1 and ref_kind(words) == "hash" and from_class is None:
        entry = resolve_entry(words[0], catalog)
        return None, catalog.records([entry], details=True)
    target_class = None
    if from_class is not None:
        tokens = [token for word in words for token in word.split()]
        named = [m.group("fqn") for token in tokens if (m := _CLASS_TERM.match(token))]
        if len(named) != 1:
            raise FuruMigrationError(
                f"With --from {from_class}, name the class to migrate to once in the filter: "
                f"`furu migrate class=pkg.mod.NewName --from {from_class}`."
            )
        target_class = named[0].replace(":", ".")
        words = [f"class={from_class.replace(':', '.')}" if _CLASS_TERM.match(t) else t for t in tokens]
    listing = page(words, limit=0, catalog=catalog)
    return target_class, listing.records


# -- changing one stored config ------------------------------------------------------


@dataclass
class _Changes:
    values: dict[str, Any]
    rename: dict[str, str]
    drop: list[str]
    target_class: str | None
    """Today's class, when the results were made by another (``--from``)."""

    def step(self, record: ArtifactRecord) -> MigrationStep | None:
        """The step for one selected result; None when today's class already rebuilds it unchanged."""
        config = _stored_config(record)
        fqn = self.target_class or record.fqn
        cls = _import(fqn)
        if fqn == record.fqn and _rebuilds_to(config, record.hash):
            return None  # already today's form (e.g. the target of an earlier run of this migration)
        changed = copy.deepcopy(config)
        changed[CLASS_KEY] = fqn
        words = [MovedFrom(record.fqn).describe()] if fqn != record.fqn else []
        fields = getattr(cls, "model_fields", {})
        for old, new in self.rename.items():
            if old not in changed:
                raise FuruMigrationError(f"--rename {old}={new}: its stored config has no field `{old}`")
            if new not in fields:
                raise FuruMigrationError(f"--rename {old}={new}: {fqn} has no field `{new}`")
            changed[new] = changed.pop(old)
            words.append(Renamed(old, new).describe())
        for name in self.drop:
            if name in fields:
                raise FuruMigrationError(f"--drop {name}: {fqn} still has a field `{name}`; only a removed field is dropped")
            if name in changed:
                words.append(Removed(name, was=changed.pop(name)).describe())
        leftover = [key for key in changed if key != CLASS_KEY and key not in fields]
        if leftover:
            name = leftover[0]
            raise FuruMigrationError(
                f"its stored config has field `{name}` = {shown_value(changed[name])}, which {fqn} no longer has: "
                f"add --drop {name} (or --rename {name}=NEW if it was renamed)"
            )
        for name, info in fields.items():
            if name in changed:
                if name in self.values:
                    raise FuruMigrationError(
                        f"--set {name}: its stored config has `{name}` = {shown_value(changed[name])}; --set only gives "
                        "a value to a field the stored config lacks (an added field)"
                    )
                continue
            if name in self.values:
                value = self.values[name]
                if isinstance(value, FromText):
                    try:
                        value = parse_value(info.annotation, str(value), f"--set {name}")
                    except FuruSpecError as error:
                        raise FuruMigrationError(str(error)) from None
                changed[name] = stored_value(value, info.annotation)
                words.append(Added(name, value).describe(cls))
            elif info.is_required():
                raise FuruMigrationError(f"field `{name}` was added and has no default: give it with --set {name}=VALUE")
            else:
                words.append(Added(name).describe(cls))
        unknown = [name for name in self.values if name not in fields]
        if unknown:
            raise FuruMigrationError(f"--set {unknown[0]}: {fqn} has no field `{unknown[0]}`")
        target = _rebuild(changed, fqn)
        if target.furu_hash == record.hash:
            return None
        if not words:
            words.append(_unexplained(record, target))
        return _step(record, target, words)


def _step(record: ArtifactRecord, target: Furu[Any], changes: list[str], cascaded_from: str | None = None) -> MigrationStep:
    return MigrationStep(
        source=record, target_fqn=target.furu_fqn(), target_hash=target.furu_hash, target_dir=str(target.furu_dir),
        changes=changes, cascaded_from=cascaded_from, target=target,
    )


def _stored_config(record: ArtifactRecord) -> dict[str, Any]:
    if record.config is None:
        raise FuruMigrationError("it has no readable stored config (.furu/metadata.json)")
    return record.config


def _import(fqn: str) -> type:
    if is_main_fqn(fqn):
        raise FuruMigrationError(main_class_problem(fqn))
    try:
        return import_user_class(fqn)
    except ClassImportError as error:
        raise FuruMigrationError(f"cannot import {fqn}: {error.problem}") from None


def _rebuild(config: dict[str, Any], fqn: str) -> Furu[Any]:
    try:
        return from_dict(config)  # type: ignore[no-any-return]
    except Exception as error:  # noqa: BLE001 - any refusal by today's code is the user's to fix, so say it
        raise FuruMigrationError(f"today's {fqn} does not accept the migrated config: {why_invalid(error)}") from None


def _rebuilds_to(config: dict[str, Any], furu_hash: str) -> bool:
    try:
        return bool(from_dict(config).furu_hash == furu_hash)
    except Exception:  # noqa: BLE001 - not rebuilding is the ordinary case of a stale config
        return False


def _unexplained(record: ArtifactRecord, target: Furu[Any]) -> str:
    if record.version is not None and record.version != type(target).furu_version:
        return f"version {record.version!r} -> {type(target).furu_version!r}"
    return "its stored config now hashes differently (a value does not round-trip the same way)"


# -- dependents ----------------------------------------------------------------------


def _cascade(plan: MigrationPlan, migrated: dict[str, MigrationStep], catalog: Catalog) -> list[str]:
    """Add the steps of everything downstream whose stored config holds a migrated dependency."""
    problems: list[str] = []
    reverse = dependents_index(catalog)
    frontier = list(migrated.values())
    while frontier:
        following: list[MigrationStep] = []
        for step in frontier:
            for entry, _edge in reverse.get(step.source.hash, []):
                if entry.hash in migrated or entry.status != "success":
                    continue
                record = catalog.records([entry], details=True)[0]
                config = _stored_config(record)
                substituted = _substitute(config, migrated)
                if substituted == config:
                    continue  # it loaded the dependency without holding it in its config: its hash stays
                try:
                    substituted, declared = forward(substituted, _import(record.fqn))  # its own declared changes too
                    target = _rebuild(substituted, record.fqn)
                except FuruMigrationError as error:
                    problems.append(f"{record.label} (downstream of {step.source.label}): {error}; --no-cascade leaves it")
                    continue
                cascaded = _step(
                    record, target,
                    [f"its dependency {step.source.label} was migrated to {step.target_hash[:8]} ({'; '.join(step.changes)})", *declared],
                    cascaded_from=step.source.hash,
                )
                plan.steps.append(cascaded)
                migrated[record.hash] = cascaded
                following.append(cascaded)
        frontier = following
    return problems


def _substitute(value: Any, migrated: dict[str, MigrationStep]) -> Any:
    """``value`` with every nested stored config of a migrated artifact replaced by its new one."""
    if isinstance(value, dict):
        for step in migrated.values():
            if step.source.config is not None and value == step.source.config and step.target is not None:
                return step.target.to_dict()
        return {key: _substitute(item, migrated) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, migrated) for item in value]
    return value


# -- targets and carrying out --------------------------------------------------------


def _check_targets(plan: MigrationPlan, problems: list[str], overwrite: bool) -> None:
    seen: dict[str, MigrationStep] = {}
    for step in plan.steps:
        earlier = seen.get(step.target_hash)
        if earlier is not None:
            problems.append(
                f"{earlier.source.label} and {step.source.label} would both become {step.target_fqn} "
                f"{step.target_hash[:8]}: narrow the filter to one of them"
            )
        seen[step.target_hash] = step
        paths = ArtifactPaths(step.target_dir)
        if not paths.has_success():
            continue
        origin = migrated_from(paths)
        if origin is not None and origin.dir == step.source.dir:
            step.state = "finish"
        elif not overwrite:
            step.state = "conflict"


def _apply(plan: MigrationPlan, by: str, overwrite: bool, settings: Settings) -> None:
    renamed: dict[str, DependencyRef] = {}
    for step in plan.steps:
        step.state = carry(
            step.source.dir, step.target, policy=plan.policy, changes=step.changes, by=by, settings=settings,
            cascaded_from=step.cascaded_from, overwrite=overwrite, renamed_dependencies=renamed,
        )
        renamed[step.source.hash] = DependencyRef(fqn=step.target_fqn, hash=step.target_hash)
    plan.applied = True


# -- the plan as furu migrate --json prints it -----------------------------------------


class PlanStep(BaseModel):
    source: ArtifactRecord
    target_fqn: str
    target_hash: str
    target_dir: str
    changes: list[str]
    cascaded_from: str | None = Field(description="The migrated dependency this step follows from (null: the filter selected it).")
    state: StepState = Field(
        description="planned; conflict (the target holds another result); finish (an interrupted run of this migration); "
        "after applying: migrated, finished or already."
    )


class SkippedRecord(BaseModel):
    record: ArtifactRecord
    reason: str


class PlanDocument(BaseModel):
    """``furu migrate --json``: the plan, or (``applied``) what was done."""

    policy: MigrationPolicy
    applied: bool
    steps: list[PlanStep]
    skipped: list[SkippedRecord]


def plan_document(plan: MigrationPlan) -> PlanDocument:
    return PlanDocument(
        policy=plan.policy,
        applied=plan.applied,
        steps=[
            PlanStep(
                source=step.source, target_fqn=step.target_fqn, target_hash=step.target_hash, target_dir=step.target_dir,
                changes=step.changes, cascaded_from=step.cascaded_from, state=step.state,
            )
            for step in plan.steps
        ],
        skipped=[SkippedRecord(record=record, reason=reason) for record, reason in plan.skipped],
    )
