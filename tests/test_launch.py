"""furu.launch: the form of a class, edits validated as the class reads them, sweeps, snippets and reruns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from examples import Color, Everything, Optimizer, PrepareData, PrepareDataShuffled, Summary, Train, Window

from furu.catalog import Catalog
from furu.errors import FuruSpecError
from furu.launch import (
    config_assignments,
    invalidate_for_rerun,
    launch_form,
    launch_plan,
    python_snippet,
    rerun_entries,
    rerun_plan,
    run_command,
    sweep_words,
    value_text,
)
from furu.specs import build
from furu.sweep import build_sweep


def fields(form_fields: list[Any]) -> dict[str, tuple[str, str | None, str | None, bool]]:
    out = {}
    for field in form_fields:
        out[field.path] = (field.kind, field.value, field.default, field.editable)
        out.update(fields(field.fields))
    return out


def test_the_form_has_every_field_typed_with_the_base_values_and_the_defaults() -> None:
    base = Everything(count=4, color=Color.BLUE, maybe=3, items=[5], optimizer=Optimizer(name="sgd"), window=Window(1, 2))
    form = launch_form(Everything, base)
    assert form.target == "examples:Everything" and form.base_hash == base.furu_hash
    assert fields(form.fields) == {
        "flag": ("boolean", "true", "true", True),
        "count": ("integer", "4", "3", True),
        "ratio": ("number", "0.5", "0.5", True),
        "text": ("string", "héllo", "héllo", True),
        "blob": ("string", None, None, False),  # bytes have no key=value text that reads back the same
        "path": ("string", "data/x.csv", "data/x.csv", True),
        "color": ("enum", "blue", "red", True),
        "when": ("json", "none", "none", True),
        "items": ("json", "[5]", "[1, 2]", True),
        "pair": ("json", '[1, "a"]', '[1, "a"]', True),
        "tags": ("json", '["a", "b"]', '["a", "b"]', True),
        "table": ("json", '{"a": 1.0}', '{"a": 1.0}', True),
        "optimizer": ("config", None, None, True),
        "optimizer.name": ("string", "sgd", "adam", True),
        "optimizer.betas": ("json", "[0.9, 0.999]", "[0.9, 0.999]", True),
        "window": ("config", None, None, True),  # a dataclass: a group too
        "window.start": ("integer", "1", "0", True),
        "window.stop": ("integer", "2", "10", True),
        "maybe": ("integer", "3", "none", True),
    }
    by_path = {field.path: field for field in form.fields}
    assert by_path["color"].choices == ["red", "blue"] and by_path["maybe"].nullable
    assert by_path["optimizer"].target == "examples:Optimizer" == by_path["optimizer"].default_target
    assert by_path["ratio"].json_schema == {"type": "number"}


def test_a_nested_config_of_another_class_is_named_in_the_words() -> None:
    base = Train(data=PrepareDataShuffled(name="big", seed=3), lr=0.5)
    form = launch_form(Train, base)
    data = form.fields[0]
    assert (data.target, data.default_target) == ("examples:PrepareDataShuffled", "examples:PrepareData")
    assert fields(form.fields)["data.seed"] == ("integer", "3", "0", True)
    plan = launch_plan(Train, {}, "", base=base)
    assert plan.assignments == ["data=examples:PrepareDataShuffled", "data.name=big", "data.seed=3", "lr=0.5"]
    assert build(Train, plan.assignments).furu_hash == base.furu_hash


@pytest.mark.parametrize(
    "obj",
    [
        Train(), Train(lr=3e-4, data=PrepareData(name="x", rows=9)), Summary(train=Train(lr=0.1)),
        Everything(items=[], table={}, maybe=None, ratio=float("inf"), path=Path("a b/c.csv"), tags=frozenset()),
        Everything(when="two", pair=(2, "b"), optimizer=Optimizer(betas=(0.5, 0.25))),
    ],
)
def test_the_words_of_a_config_rebuild_it_exactly(obj: Any) -> None:
    words = config_assignments(obj)
    assert build(type(obj), words).furu_hash == obj.furu_hash
    assert launch_plan(type(obj), {}, "", base=obj).configs[0].hash == obj.furu_hash


def test_a_value_with_no_text_form_is_refused_for_a_rerun_and_warned_for_a_launch() -> None:
    odd = Everything(blob=b"\x01")
    plan = launch_plan(Everything, {}, "", base=odd)
    assert plan.warnings == ["blob holds a value that has no key=value form, so the new config takes its default there."]
    with pytest.raises(FuruSpecError, match="cannot be written as `furu run` words"):
        config_assignments(odd)


def test_edits_are_validated_as_the_class_reads_them_with_errors_by_dotted_path() -> None:
    plan = launch_plan(Train, {"lr": "fast", "data.rows": "many", "data.nmae": "x", "data": "y"}, "", base=Train())
    assert plan.errors == {
        "lr": "Train.lr='fast': cannot read it as float (Input should be a valid number, unable to parse string as a number).",
        "data.rows": "Train.data.rows='many': cannot read it as int (Input should be a valid integer, unable to parse string as an integer).",
        "data.nmae": "Train.data has no field 'nmae'. Did you mean 'name'? Its fields: name, rows.",
        "data": "Train.data='y': cannot read it as PrepareData (Input should be an object).",
    }
    assert plan.configs == [] and plan.python is None
    enum_error = launch_plan(Everything, {"color": "green"}, "").errors["color"]
    assert enum_error.startswith("Everything.color='green': cannot read it as Color")


def test_only_the_fields_that_differ_from_the_defaults_go_into_the_command() -> None:
    plan = launch_plan(Train, {"lr": "0.001", "data.name": "big"}, "", base=Train(lr=0.5))
    assert plan.errors == {} and plan.assignments == ["data.name=big"]
    assert plan.command == "furu run examples:Train data.name=big"
    assert plan.configs[0].hash == Train(data=PrepareData(name="big")).furu_hash


def test_a_sweep_expands_exactly_as_furu_run_sweep_does() -> None:
    plan = launch_plan(Train, {"data.rows": "7"}, "lr=1e-3,3e-4 'data.name=a,b c'", base=Train(lr=0.5))
    # the shell's words of the command it shows: `--sweep 'data.name=a,b c'`
    expected = build_sweep("examples:Train", ["data.rows=7", "lr=0.5"], ["lr=1e-3,3e-4", "data.name=a,b c"])
    assert [config.hash for config in plan.configs] == [obj.furu_hash for _, obj in expected]
    assert len(plan.configs) == 4 and plan.sweeps == ["lr=1e-3,3e-4", "data.name=a,b c"]
    assert plan.assignments == ["data.rows=7"]  # lr is swept: its form value is left out
    assert plan.command == "furu run examples:Train data.rows=7 --sweep lr=1e-3,3e-4 --sweep 'data.name=a,b c'"
    assert [config.assignments for config in plan.configs][1] == ["data.rows=7", "lr=1e-3", "data.name=b c"]


def test_sweep_text_problems_are_the_sweep_error() -> None:
    assert launch_plan(Train, {}, "lr").errors == {"sweep": "Cannot read sweep 'lr': write key=v1,v2,... (e.g. lr=1e-3,3e-4)."}
    assert launch_plan(Train, {}, "lr=").errors == {"sweep": "Sweep 'lr=' has no values."}
    assert launch_plan(Train, {}, "lr='1").errors["sweep"].startswith("Cannot read the sweep")
    bad = launch_plan(Train, {}, "lr=1,x").errors["sweep"]
    assert bad.startswith("lr: Train.lr='x': cannot read it as float")
    assert launch_plan(Train, {}, "lr=" + ",".join(str(i) for i in range(501))).errors["sweep"] == (
        "The sweep makes 501 configs; at most 500 start from the page."
    )
    assert sweep_words("") == [] and sweep_words("a=1,2  b=[1,2],[3]") == ["a=1,2", "b=[1,2],[3]"]


def test_the_python_snippet_builds_the_same_configs() -> None:
    plan = launch_plan(Train, {}, "lr=0.1,0.2", base=Train(data=PrepareData(name="p")))
    assert plan.python is not None and plan.python.startswith("from examples import PrepareData, Train\n\nconfigs = [\n")
    scope: dict[str, Any] = {}
    exec(plan.python.replace("config.load_or_create()", "pass"), scope)
    assert [config.furu_hash for config in scope["configs"]] == [config.hash for config in plan.configs]
    one = python_snippet([Train(lr=0.25)])
    assert one.endswith("Train(data=PrepareData(name='toy', rows=5), lr=0.25, note='').load_or_create()\n")


def test_the_submitit_executor_changes_the_command_and_the_python_alike() -> None:
    plan = launch_plan(Train, {}, "lr=0.1,0.2", base=Train(data=PrepareData(name="p")), executor="submitit")
    assert plan.command.endswith(" --sweep lr=0.1,0.2 --executor submitit --wait")
    assert plan.python is not None and plan.python.startswith(
        "from examples import PrepareData, Train\nfrom furu import load_or_create_all\nfrom furu.cluster import configured_executor\n\nconfigs = [\n"
    )
    assert plan.python.endswith("jobs = load_or_create_all(configs, executor=configured_executor())  # cached ones come back as results\n")
    scope: dict[str, Any] = {}
    exec(plan.python.replace("jobs = load_or_create_all(configs, executor=configured_executor())", "pass"), scope)
    assert [config.furu_hash for config in scope["configs"]] == [config.hash for config in plan.configs]
    one = python_snippet([Train(lr=0.25)], "submitit")
    assert one.endswith("lr=0.25, note='').load_or_create(executor=configured_executor())\n")


def test_run_command_quotes_for_the_shell() -> None:
    assert run_command("m:C", ["name=a b"], ["x=1,2"]) == "furu run m:C 'name=a b' --sweep x=1,2"


def test_value_text_reads_back_as_the_same_value_or_is_none() -> None:
    assert value_text(float, 1e-3) == "0.001" and value_text(bool, False) == "false" and value_text(int | None, None) == "none"
    assert value_text(str, "none") == "none"  # a plain str field reads `none` as the text
    assert value_text(str | None, "none") is None  # where None is allowed, `none` reads back as None: no text form
    assert value_text(Any, [1, "two"]) is None  # an Any field reads any text as a str


def test_rerun_plans_invalidate_and_name_the_words_of_each_config() -> None:
    first, second = Train(lr=0.1), Train(lr=0.2)
    first.load_or_create()
    second.load_or_create()
    catalog = Catalog()
    catalog.sync()
    entries = rerun_entries("class=Train lr>0.15", catalog)
    plan = rerun_plan(entries, catalog)
    assert [(item.hash, item.assignments, item.problem) for item in plan.items] == [(second.furu_hash, ["lr=0.2"], None)]
    assert plan.command == f"furu invalidate {second.furu_hash[:8]} && furu run examples:Train lr=0.2"
    assert invalidate_for_rerun(plan, catalog) == []
    assert not second.exists() and first.exists()
    with pytest.raises(Exception, match="at most 1 rerun at once"):
        rerun_entries("class=Train", catalog, limit=1)
