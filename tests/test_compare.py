"""furu.compare: artifacts side by side, with furu diff's engine for the config and furu.result_files.scalar_metrics for the numbers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from examples import Flaky, PrepareData, PrepareDataShuffled, Train

from furu.catalog import ArtifactRecord, Catalog
from furu.compare import MAX_COMPARED, compare, compare_refs
from furu.diffing import diff_configs
from furu.errors import FuruError


def records(*objs: Any) -> list[ArtifactRecord]:
    catalog = Catalog()
    entries = [catalog.entry_at(obj.furu_dir) for obj in objs]
    assert all(entries)
    return catalog.records(entries, details=True)  # type: ignore[arg-type]


def made(obj: Any, **metrics: object) -> Any:
    obj.load_or_create()
    if metrics:
        (obj.furu_dir / "metrics.json").write_text(json.dumps(metrics))
    return obj


def test_two_artifacts_differ_exactly_as_furu_diff_says() -> None:
    a = made(Train(lr=0.001), loss=0.5, acc=0.75)
    b = made(Train(lr=0.5, data=PrepareData(name="a"), note="tried"), loss=0.25, acc=0.875, extra={"n": 3})
    result = compare(records(a, b))
    pairwise = diff_configs(records(a)[0].config, records(b)[0].config)
    assert [(f.path, f.values, f.absent, f.affects_hash) for f in result.fields] == [
        (c.path, [c.a, c.b], [False, False], c.affects_hash) for c in pairwise
    ]
    assert [(f.path, f.values, f.affects_hash) for f in result.fields] == [
        ("data.name", ["toy", "a"], True), ("lr", [0.001, 0.5], True), ("note", ["", "tried"], False),
    ]  # fmt: skip
    assert [artifact.metrics for artifact in result.artifacts] == [
        {"metrics.loss": 0.5, "metrics.acc": 0.75},
        {"metrics.loss": 0.25, "metrics.acc": 0.875, "metrics.extra.n": 3.0},
    ]
    assert result.metrics == ["metrics.loss", "metrics.acc", "metrics.extra.n"]
    assert result.commands == [f"furu diff {a.furu_hash[:8]} {b.furu_hash[:8]}"]
    assert result.python == f"from furu.compare import compare_refs\n\nresult = compare_refs(['{a.furu_hash[:8]}', '{b.furu_hash[:8]}'])"
    first = result.artifacts[0]
    assert first.record.hash == a.furu_hash and first.backend == "local" and first.problems == []
    assert first.resources is not None and first.resources.peak_rss_bytes > 0


def test_three_or_more_show_every_path_any_two_differ_at_with_every_value() -> None:
    base = made(Train(lr=0.001))
    same_lr = made(Train(lr=0.001, data=PrepareData(rows=9)))
    other_lr = made(Train(lr=0.01, data=PrepareData(rows=9)))
    renamed = made(Train(lr=0.01, data=PrepareData(name="b")))
    result = compare(records(base, same_lr, other_lr, renamed))
    assert [(f.path, f.values) for f in result.fields] == [
        ("data.name", ["toy", "toy", "toy", "b"]),
        ("data.rows", [5, 9, 9, 5]),
        ("lr", [0.001, 0.001, 0.01, 0.01]),
    ]
    assert result.commands == [f"furu diff {base.furu_hash[:8]} {o.furu_hash[:8]}" for o in (same_lr, other_lr, renamed)]
    assert result.metrics == [] and all(artifact.metrics == {} for artifact in result.artifacts)


def test_classes_that_differ_and_a_field_only_one_has() -> None:
    plain = made(PrepareData())
    shuffled = made(PrepareDataShuffled(seed=3))
    again = made(PrepareDataShuffled(seed=4))
    result = compare(records(plain, shuffled, again))
    assert [(f.path, f.values, f.absent) for f in result.fields] == [
        ("__class__", ["examples.PrepareData", "examples.PrepareDataShuffled", "examples.PrepareDataShuffled"], [False] * 3),
        ("seed", [None, 3, 4], [True, False, False]),
    ]


def test_a_failed_artifact_compares_by_its_config_without_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    good = made(PrepareData())
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    failing = Flaky()
    with pytest.raises(ValueError, match="flaky failure on purpose"):
        failing.load_or_create()
    result = compare(records(good, failing))
    assert [(f.path, f.values, f.absent) for f in result.fields] == [
        ("__class__", ["examples.PrepareData", "examples.Flaky"], [False, False]),
        ("name", ["toy", None], [False, True]),
        ("rows", [5, None], [False, True]),
    ]
    assert result.artifacts[1].record.status == "failed"
    assert result.artifacts[1].resources is None and result.artifacts[1].metrics == {}
    assert result.artifacts[0].resources is not None


def test_compare_refs_resolves_like_furu_show_and_its_snippet_runs() -> None:
    a, b = made(PrepareData(), rows=1), made(PrepareData(name="b"), rows=2)
    result = compare_refs([a.furu_hash[:8], str(b.furu_dir)])
    assert [artifact.record.hash for artifact in result.artifacts] == [a.furu_hash, b.furu_hash]
    scope: dict[str, Any] = {}
    exec(result.python, scope)
    assert scope["result"] == result
    with pytest.raises(FuruError, match="name the same artifact"):
        compare_refs([a.furu_hash, a.furu_hash[:6]])


def test_fewer_than_two_or_too_many_is_an_error_that_says_so() -> None:
    one = records(made(PrepareData()))
    with pytest.raises(FuruError, match="needs two or more artifacts; got 1"):
        compare(one)
    with pytest.raises(FuruError, match=f"At most {MAX_COMPARED} artifacts"):
        compare(one * (MAX_COMPARED + 1))


def test_an_unreadable_state_is_a_problem_not_an_error() -> None:
    a, b = made(PrepareData()), made(PrepareData(name="b"), rows=2)
    (b.furu_dir / ".furu" / "state.json").write_text("{broken")
    result = compare(records(a, b))
    assert result.artifacts[1].backend is None and "state.json cannot be read" in result.artifacts[1].problems[0]
    assert result.artifacts[1].metrics == {"metrics.rows": 2.0}


def test_an_alias_left_by_furu_migrate_shows_the_numbers_of_the_files_it_links_to(tmp_path: Path) -> None:
    from tests.throwaway import create, furu_json, make_project, python

    root = make_project(tmp_path / "proj")
    (old,) = create(root, "Data(name='d')").values()
    old_dir = root / "furu-data" / "data" / "lab" / "steps" / "Data" / old
    (old_dir / "metrics.json").write_text('{"loss": 0.5}')
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace('    name: str = "d"\n', '    name: str = "d"\n    seed: int = 0\n', 1))
    done = furu_json(root, "migrate", "class=lab.steps.Data", "--policy", "alias", "--yes", PYTHONDONTWRITEBYTECODE="1")
    new = done["steps"][0]["target_hash"]
    new_dir = old_dir.parent / new
    assert (new_dir / "metrics.json").is_symlink()  # what scalar_metrics never follows
    code = (
        "import json\nfrom furu.compare import compare_refs\n"
        f"r = compare_refs([{old!r}, {new!r}])\n"
        "print(json.dumps([[a.metrics for a in r.artifacts], [(f.path, f.values, f.absent) for f in r.fields]]))"
    )
    shown = python(root, code)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == [
        [{"metrics.loss": 0.5}, {"metrics.loss": 0.5}],
        [["seed", [None, 0], [True, False]]],
    ]
    outside = python(root, code.replace("compare_refs([", f"compare_refs(roots=[{str(tmp_path / 'elsewhere')!r}], refs=["))
    assert json.loads(outside.stdout)[0] == [{"metrics.loss": 0.5}, {}]  # an owner outside the given roots is not read
