"""New configs from an existing one: the class's form, edits validated as the class reads them, sweeps, reruns.

::

    form = launch_form(Train, base=existing_train)      # every field, nested configs as groups
    plan = launch_plan(Train, {"lr": "3e-4"}, "seed=0,1", base=existing_train)
    plan.errors      # {"lr": "..."} by dotted path; empty when every value reads as its type
    plan.command     # furu run mypkg:Train data.name=toy lr=3e-4 --sweep seed=0,1
    plan.configs     # the two configs, with their hashes

An edit is the text a person would type after ``furu run module:Class``
(``lr=3e-4``, ``data.name=toy``), so the page, the command line and Python
build the very same configs: :func:`furu.specs.build` reads each value as its
field's type, and :func:`furu.specs.expand_sweeps` expands the sweep. Only the
fields that differ from the class's defaults go into the command.

A rerun (:func:`rerun_plan`) names existing artifacts: each is invalidated
(:func:`furu.invalidate.invalidate`, which refuses one being created) and then
run again with the ``furu run`` words that rebuild its config.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import shlex
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from furu.catalog import Catalog, Entry, page
from furu.core import Furu
from furu.errors import FuruError, FuruSpecError
from furu.serialization import from_dict, to_python
from furu.specs import build, expand_sweeps, field_default, field_types, is_structured, parse_value

MAX_CONFIGS = 500
"""A sweep of more configs than this is refused: nobody means to start that many from a form."""
BUSY = ("running", "queued")
"""Statuses a rerun leaves alone: the artifact is being created (invalidate would refuse it too)."""
SWEEP = "sweep"
"""The key of the errors that belong to the sweep text rather than one field."""
ROOT = "config"
"""The key of the errors the whole config raises (a model validator across fields)."""

Kind = Literal["boolean", "integer", "number", "string", "enum", "json", "config"]


class FormField(BaseModel):
    """One field of the form: a value to edit, or a nested config (``kind="config"``) with its own fields."""

    path: str = Field(description="Dotted path from the top config: data.name")
    name: str
    kind: Kind
    annotation: str = Field(description="The declared type, as Python writes it: float, list[int], Dataset")
    json_schema: dict[str, Any] = Field(default_factory=dict, description="pydantic's JSON schema of the field's type")
    value: str | None = Field(default=None, description="The base experiment's value as key=value text (None: no text form)")
    default: str | None = Field(default=None, description="The class's default as text (None: required, or no text form)")
    required: bool = False
    nullable: bool = False
    choices: list[str] = Field(default_factory=list, description="The allowed values of an enum or Literal")
    editable: bool = Field(default=True, description="False: the value has no key=value text form, so it stays as it is")
    differs: bool = Field(default=False, description="The base experiment's value is not the default")
    description: str | None = None
    target: str | None = Field(default=None, description="A nested config's class, as module:Class")
    default_target: str | None = Field(default=None, description="The class of the field's default config (None: no default)")
    fields: list[FormField] = Field(default_factory=list)


class LaunchForm(BaseModel):
    target: str = Field(description="The class, as `furu run` names it: module:Class")
    fqn: str
    base_hash: str | None = Field(default=None, description="The experiment whose values fill the form")
    fields: list[FormField]


class PlannedConfig(BaseModel):
    assignments: list[str] = Field(description="The key=value words that build it")
    fqn: str
    hash: str
    dir: str
    exists: bool = Field(description="Already has a result: running it only loads it")


Executor = Literal["local", "submitit"]
EXECUTOR_ARGS: dict[Executor, tuple[str, ...]] = {"local": (), "submitit": ("--executor", "submitit", "--wait")}
"""What each executor adds to a ``furu run`` command: submitit submits through ``[tool.furu.executor]`` and waits."""


class LaunchPlan(BaseModel):
    target: str
    assignments: list[str] = Field(description="The fields that differ from the class's defaults, as key=value")
    sweeps: list[str] = Field(description="The sweep words, key=v1,v2 each (a cartesian product)")
    errors: dict[str, str] = Field(description="Problems by dotted field path (or 'sweep', 'config'); empty when it can run")
    warnings: list[str] = Field(default_factory=list)
    command: str = Field(description="The equivalent `furu run` command")
    python: str | None = Field(default=None, description="Python that builds and runs the same configs")
    configs: list[PlannedConfig] = Field(default_factory=list)


class RerunItem(BaseModel):
    fqn: str
    hash: str
    dir: str
    status: str
    target: str
    assignments: list[str]
    command: str = Field(description="`furu run` for this config")
    problem: str | None = Field(default=None, description="Why it cannot be rerun (being created, class missing)")


class RerunPlan(BaseModel):
    items: list[RerunItem]
    command: str = Field(description="The CLI equivalent: furu invalidate ... && furu run ...")

    @property
    def runnable(self) -> list[RerunItem]:
        return [item for item in self.items if item.problem is None]


# -- the form ---------------------------------------------------------------------------


def target_of(cls: type) -> str:
    """``module:Class`` as ``furu run`` takes it."""
    return f"{cls.__module__}:{cls.__qualname__}"


def launch_form(cls: type[Furu[Any]], base: Furu[Any] | None = None) -> LaunchForm:
    """Every field of ``cls`` (nested configs as groups), filled with ``base``'s values or the defaults."""
    if base is not None and type(base) is not cls:
        raise FuruSpecError(f"The base experiment is a {type(base).__qualname__}, not a {cls.__qualname__}.")
    return LaunchForm(
        target=target_of(cls), fqn=cls.furu_fqn(),
        base_hash=base.furu_hash if base is not None else None, fields=_fields(cls, base, None, ""),
    )


def _fields(cls: type, current: Any, default_base: Any, prefix: str) -> list[FormField]:
    out = []
    for name, annotation in field_types(cls).items():
        path = prefix + name
        has_default, default = _default_value(cls, name, default_base)
        value = getattr(current, name) if current is not None else default
        info = _model_field(cls, name)
        description = info.description if info is not None else None
        if value is not None and is_structured(type(value)):
            nested = type(value)
            same = has_default and default is not None and type(default) is nested
            out.append(FormField(
                path=path, name=name, kind="config", annotation=_annotation_text(annotation), target=target_of(nested),
                default_target=target_of(type(default)) if has_default and default is not None and is_structured(type(default)) else None,
                required=not has_default, description=description,
                fields=_fields(nested, value, default if same else None, path + "."),
            ))
            continue
        text = value_text(annotation, value, path)
        kind, schema, choices, nullable = _kind(annotation)
        out.append(FormField(
            path=path, name=name, kind=kind, annotation=_annotation_text(annotation), json_schema=schema,
            value=text, default=value_text(annotation, default, path) if has_default else None,
            required=not has_default, nullable=nullable, choices=choices, editable=text is not None,
            differs=not has_default or not _same(value, default), description=description,
        ))
    return out


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:  # noqa: BLE001 - arrays and other values without a plain ==
        return value is default


def _default_value(cls: type, name: str, base: Any) -> tuple[bool, Any]:
    """What ``furu run`` starts the field from: the enclosing default config's value, else the class's default."""
    if base is not None:
        return True, getattr(base, name)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        info = cls.model_fields[name]
        return (False, None) if info.is_required() else (True, field_default(cls, name))
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name == name:
            missing = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
            return (False, None) if missing else (True, field_default(cls, name))
    return False, None


def _model_field(cls: type, name: str) -> Any:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return cls.model_fields.get(name)
    return None


def value_text(annotation: Any, value: Any, where: str = "value") -> str | None:
    """``value`` as command-line text that reads back as the same value, or None when there is none."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "none"
    elif isinstance(value, enum.Enum):
        text = str(value.value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, int | str):
        text = str(value)
    elif isinstance(value, PurePath):
        text = str(value)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    else:
        try:
            dumped = TypeAdapter(annotation).dump_python(value, mode="json")
            if isinstance(value, set | frozenset) and isinstance(dumped, list):
                dumped = sorted(dumped, key=json.dumps)  # the same text whatever the set's order
            text = json.dumps(dumped)
        except Exception:  # noqa: BLE001 - a value pydantic cannot write as JSON has no text form
            return None
    try:
        same = parse_value(annotation, text, where) == value
    except (FuruError, Exception):  # noqa: BLE001 - any failure to read it back means no text form
        return None
    return text if same else None


def _kind(annotation: Any) -> tuple[Kind, dict[str, Any], list[str], bool]:
    try:
        schema = TypeAdapter(annotation).json_schema()
    except Exception:  # noqa: BLE001 - Any, arbitrary types: edited as JSON text
        return "json", {}, [], True
    nullable = False
    one = schema
    options = schema.get("anyOf")
    if isinstance(options, list):
        rest = [option for option in options if option.get("type") != "null"]
        nullable = len(rest) < len(options)
        one = rest[0] if len(rest) == 1 else {}
    if "$ref" in one and "$defs" in schema:
        one = schema["$defs"].get(one["$ref"].rsplit("/", 1)[-1], one)
    if "enum" in one:
        return "enum", schema, [str(choice) for choice in one["enum"]], nullable
    if "const" in one:
        return "enum", schema, [str(one["const"])], nullable
    kinds: dict[str, Kind] = {"boolean": "boolean", "integer": "integer", "number": "number", "string": "string"}
    return kinds.get(str(one.get("type")), "json"), schema, [], nullable


def _annotation_text(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation).replace("typing.", "").replace("pathlib.", "")


# -- edits and sweeps -------------------------------------------------------------------


def launch_plan(
    cls: type[Furu[Any]], values: Mapping[str, str], sweep: str = "", base: Furu[Any] | None = None, executor: Executor = "local"
) -> LaunchPlan:
    """The configs the form's ``values`` (text by dotted path) and ``sweep`` build, or the errors by path."""
    form = launch_form(cls, base)
    target = form.target
    errors: dict[str, str] = {}
    warnings: list[str] = []
    leaves = {field.path: field for field in _walk(form.fields) if field.kind != "config"}
    for path, given in values.items():
        if path not in leaves:
            try:
                build(cls, [f"{path}={given}"])
                errors[path] = f"{path} is a nested config: set its fields ({path}.<field>=...)."
            except FuruSpecError as error:
                errors[path] = str(error)
    try:
        sweeps = sweep_words(sweep)
    except FuruSpecError as error:
        errors[SWEEP] = str(error)
        sweeps = []
    swept = {word.partition("=")[0].strip() for word in sweeps}
    groups: list[str] = []
    words: list[str] = []
    for field in _walk(form.fields):
        if field.path in swept:
            continue
        if field.kind == "config":
            if field.target != field.default_target:
                groups.append(f"{field.path}={field.target}")
            continue
        text: str | None = values[field.path] if field.path in values else field.value
        if text is None:
            if field.differs:
                warnings.append(
                    f"{field.path} holds a value that has no key=value form, so the new config takes "
                    f"{'its default' if not field.required else 'nothing'} there."
                )
            continue
        if field.required or text != field.default:
            words.append(f"{field.path}={text}")
    for word in words:
        path = word.partition("=")[0]
        try:
            build(cls, [*groups, word])
        except FuruSpecError as error:
            errors[path] = str(error)
    for word in sweeps:
        key, _, raw = word.partition("=")
        try:
            for one in expand_sweeps([], [word]):
                build(cls, [*groups, *one])
        except FuruSpecError as error:
            errors.setdefault(SWEEP, f"{key.strip()}: {error}")
    assignments = [*groups, *words]
    plan = LaunchPlan(target=target, assignments=assignments, sweeps=sweeps, errors=errors, warnings=warnings,
                      command=run_command(target, assignments, sweeps, executor))
    if errors:
        return plan
    combinations = expand_sweeps(assignments, sweeps)
    if len(combinations) > MAX_CONFIGS:
        plan.errors[SWEEP] = f"The sweep makes {len(combinations)} configs; at most {MAX_CONFIGS} start from the page."
        return plan
    built: list[tuple[list[str], Furu[Any]]] = []
    for combination in combinations:
        try:
            built.append((combination, build(cls, combination)))
        except FuruSpecError as error:
            plan.errors[ROOT] = str(error)
            return plan
    plan.configs = [
        PlannedConfig(assignments=combination, fqn=obj.furu_fqn(), hash=obj.furu_hash, dir=str(obj.furu_dir), exists=obj.exists())
        for combination, obj in built
    ]
    plan.python = python_snippet([obj for _, obj in built], executor)
    return plan


def _walk(fields: Sequence[FormField]) -> list[FormField]:
    """Every field, a group before its own fields."""
    out: list[FormField] = []
    for field in fields:
        out.append(field)
        out.extend(_walk(field.fields))
    return out


def sweep_words(text: str) -> list[str]:
    """``lr=1e-3,3e-4 seed=0,1`` as ``--sweep`` words (shell quoting allowed); checked by :func:`expand_sweeps`."""
    try:
        words = shlex.split(text)
    except ValueError as error:
        raise FuruSpecError(f"Cannot read the sweep {text!r}: {error}.") from None
    expand_sweeps([], words)  # the same checks `furu run --sweep` makes
    return words


def run_command(target: str, assignments: Sequence[str], sweeps: Sequence[str] = (), executor: Executor = "local") -> str:
    """``furu run target k=v ... --sweep k=v1,v2`` (and the executor's options) with shell quoting."""
    return shlex.join(["furu", *run_argv(target, assignments, sweeps, executor)])


def run_argv(target: str, assignments: Sequence[str], sweeps: Sequence[str] = (), executor: Executor = "local") -> list[str]:
    """The arguments after ``furu`` for the same run."""
    return ["run", target, *assignments, *(part for word in sweeps for part in ("--sweep", word)), *EXECUTOR_ARGS[executor]]


def python_snippet(configs: Sequence[Furu[Any]], executor: Executor = "local") -> str:
    """Python that builds ``configs`` and runs each (``load_or_create``), or submits them through the configured executor."""
    imports: list[str] = []
    expressions: list[str] = []
    for obj in configs:
        head, _, expression = to_python(obj).partition("\n\n")
        imports.extend(line for line in head.splitlines() if line and line not in imports)
        expressions.append(expression.strip())
    submit = executor == "submitit"
    if submit:
        imports.extend(["from furu import load_or_create_all", "from furu.cluster import configured_executor"])
    header = "\n".join(imports)
    if len(expressions) == 1:
        call = "load_or_create(executor=configured_executor())" if submit else "load_or_create()"
        return f"{header}\n\n{expressions[0]}.{call}\n"
    listed = "".join(f"    {_indent(expression)},\n" for expression in expressions)
    run = ("jobs = load_or_create_all(configs, executor=configured_executor())  # cached ones come back as results\n" if submit
           else "for config in configs:\n    config.load_or_create()\n")
    return f"{header}\n\nconfigs = [\n{listed}]\n{run}"


def _indent(expression: str) -> str:
    return expression.replace("\n", "\n    ")


# -- reruns -----------------------------------------------------------------------------


def rerun_plan(entries: Sequence[Entry], catalog: Catalog) -> RerunPlan:
    """What rerunning ``entries`` would do: each one's ``furu run`` words, or why it cannot be rerun."""
    items: list[RerunItem] = []
    for record in catalog.records(list(entries), details=True):
        target, problem = record.fqn, None
        assignments: list[str] = []
        if record.status in BUSY:
            problem = f"{record.label} is {record.status} right now; wait for it to finish or stop it first."
        if record.config is None:
            problem = problem or f"{record.label} has no recorded config (its metadata.json is missing or unreadable)."
        else:
            try:
                target, assignments, moved = _rerun_words(record.config, record.hash)
            except FuruError as error:
                problem = problem or str(error)
            else:
                problem = problem or moved
        items.append(RerunItem(
            fqn=record.fqn, hash=record.hash, dir=record.dir, status=record.status, target=target, assignments=assignments,
            command=run_command(target, assignments), problem=problem,
        ))
    runnable = [item for item in items if item.problem is None]
    steps = [f"furu invalidate {item.hash[:8]}" for item in runnable] + [item.command for item in runnable]
    return RerunPlan(items=items, command=" && ".join(steps))


def _rerun_words(config: dict[str, Any], furu_hash: str) -> tuple[str, list[str], str | None]:
    """The class and words that rebuild a recorded config, and a problem if today's code hashes it differently."""
    obj = from_dict(config)
    if not isinstance(obj, Furu):
        raise FuruError(f"{obj!r} is not a furu.Furu config.")
    moved = None
    if obj.furu_hash != furu_hash:
        moved = f"its class now builds hash {obj.furu_hash[:8]} from the same config (the code changed); run it as new."
    return target_of(type(obj)), config_assignments(obj), moved


def rerun_entries(filter_text: str, catalog: Catalog, limit: int = MAX_CONFIGS) -> list[Entry]:
    """The artifacts a ``furu ls`` filter matches, for a rerun of a filtered set (at most ``limit``)."""
    from furu.query import parse_expression

    found = page(parse_expression(filter_text), limit=limit + 1, catalog=catalog)
    if found.matched > limit:
        raise FuruError(f"The filter {filter_text!r} matches {found.matched} artifacts; at most {limit} rerun at once. Narrow it.")
    entries = [catalog.entry_at(record.dir) for record in found.records]
    return [entry for entry in entries if entry is not None]


def config_assignments(obj: Furu[Any]) -> list[str]:
    """The ``furu run`` words that rebuild ``obj`` from its class's defaults (only the fields that differ)."""
    plan = launch_plan(type(obj), {}, "", base=obj)
    if plan.warnings:
        raise FuruSpecError(
            f"{type(obj).__qualname__} {obj.furu_hash[:8]} cannot be written as `furu run` words: " + " ".join(plan.warnings)
        )
    return plan.assignments


def invalidate_for_rerun(plan: RerunPlan, catalog: Catalog) -> list[str]:
    """Invalidate every runnable item of ``plan`` (never one being created); the warnings it gave."""
    from furu.invalidate import invalidate

    entries = [entry for item in plan.runnable if (entry := catalog.entry_at(item.dir)) is not None]
    result = invalidate(entries, catalog=catalog)
    return result.warnings
