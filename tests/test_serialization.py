"""to_dict / from_dict / to_python round trips, FuruList, and __main__ classes."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import furu
from conftest import run_python
from examples import Color, Everything, Optimizer, Pipeline, PrepareData, PrepareDataShuffled, Train, Window


def test_to_dict_tags_classes_and_keeps_subclasses() -> None:
    train = Train(data=PrepareDataShuffled(seed=2), lr=0.1, note="hi")
    assert train.to_dict() == {
        "__class__": "examples.Train",
        "data": {"__class__": "examples.PrepareDataShuffled", "name": "toy", "rows": 5, "seed": 2},
        "lr": 0.1,
        "note": "hi",
    }
    rebuilt = furu.Furu.from_dict(train.to_dict())
    assert rebuilt == train and type(rebuilt.data) is PrepareDataShuffled


def test_every_supported_kind_round_trips() -> None:
    obj = Everything(
        blob=b"\x00\x01\xff",
        path=Path("a/b.csv"),
        color=Color.BLUE,
        when={"t": (1, 2), "s": {3}, "d": b"x", "a": np.arange(4, dtype=np.int16).reshape(2, 2)},
        pair=(3, "z"),
        tags=frozenset({"x", "y"}),
        optimizer=Optimizer(name="sgd", betas=(0.5, 0.6)),
        window=Window(2, 4),
        ratio=float("inf"),
    )
    rebuilt = Everything.from_dict(obj.to_dict())
    assert rebuilt.furu_hash == obj.furu_hash
    assert rebuilt.blob == b"\x00\x01\xff" and rebuilt.color is Color.BLUE and rebuilt.window == Window(2, 4)
    assert rebuilt.when["t"] == (1, 2) and rebuilt.when["s"] == {3}
    assert np.array_equal(rebuilt.when["a"], obj.when["a"]) and rebuilt.when["a"].dtype == np.int16


def test_from_dict_on_the_wrong_class_is_refused() -> None:
    with pytest.raises(furu.FuruError, match="describes a Train, which is not a PrepareData"):
        PrepareData.from_dict(Train().to_dict())


def test_from_dict_names_a_missing_class() -> None:
    with pytest.raises(furu.FuruError, match="Cannot import class examples.Gone"):
        furu.Furu.from_dict({"__class__": "examples.Gone"})


def test_to_python_is_valid_python_that_rebuilds_the_object() -> None:
    obj = Everything(path=Path("x"), color=Color.BLUE, when=dt.datetime(2026, 1, 2, 3, 4), pair=(1, "b"), ratio=float("nan"))
    source = obj.to_python()
    assert source.splitlines()[0].startswith(("from ", "import "))
    namespace: dict[str, object] = {}
    exec(source.replace("\n\nEverything(", "\n\nresult = Everything("), namespace)  # noqa: S102
    assert namespace["result"].furu_hash == obj.furu_hash  # type: ignore[attr-defined]


def test_to_python_of_a_nested_config_reads_well() -> None:
    assert Train(lr=3e-4).to_python() == textwrap.dedent(
        """\
        from examples import PrepareData, Train

        Train(data=PrepareData(name='toy', rows=5), lr=0.0003, note='')
        """
    )
    long = Pipeline(datasets=[PrepareData(name=f"dataset-number-{i}") for i in range(3)]).to_python()
    assert long.endswith(
        "Pipeline(\n    datasets=[PrepareData(name='dataset-number-0', rows=5), "
        "PrepareData(name='dataset-number-1', rows=5), PrepareData(name='dataset-number-2', rows=5)],\n)\n"
    )


def test_models_are_frozen_keyword_only_and_strict_about_extras() -> None:
    with pytest.raises(Exception, match="frozen"):
        Train().lr = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        Train(PrepareData())  # type: ignore[misc]
    with pytest.raises(Exception, match="Extra inputs are not permitted"):
        Train(learning_rate=1.0)  # type: ignore[call-arg]
    with pytest.raises(Exception, match="valid number"):
        Train(lr="fast")  # type: ignore[arg-type]


class Sweep(furu.FuruList[Train]):
    baseline = Train()
    by_size = {"small": Train(lr=1e-4), "large": Train(lr=1e-2)}
    grid = [Train(lr=0.5), Train(lr=0.6)]
    not_an_experiment = 3


class MoreSweep(Sweep):
    extra = Train(lr=0.9)


def test_furu_list_names_all_experiments_in_order() -> None:
    assert Sweep.names() == ["baseline", "by_size.small", "by_size.large", "grid.0", "grid.1"]
    assert Sweep.all() == [Train(), Train(lr=1e-4), Train(lr=1e-2), Train(lr=0.5), Train(lr=0.6)]
    assert Sweep.by_name("by_size.large") == Train(lr=1e-2)
    assert MoreSweep.names()[-1] == "extra" and len(MoreSweep.items()) == 6
    with pytest.raises(furu.FuruError, match="no experiment named 'nope'; known names: baseline"):
        Sweep.by_name("nope")


MAIN_MODULE = '''
import furu

class Job(furu.Furu[int]):
    x: int = 1
    def _create(self) -> int:
        (self.furu_dir / "x").write_text(str(self.x))
        return self.x
    def _load(self) -> int:
        return int((self.furu_dir / "x").read_text())

if __name__ == "__main__":
    print(Job.furu_fqn(), Job().load_or_create(), Job().furu_hash)
'''


def test_main_module_resolves_through_its_spec_with_python_m(tmp_path: Path) -> None:
    package = tmp_path / "project" / "jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "run.py").write_text(MAIN_MODULE)
    result = run_python("import runpy; runpy.run_module('jobs.run', run_name='__main__', alter_sys=True)", cwd=tmp_path / "project")
    assert result.returncode == 0, result.stderr
    fqn, value, digest = result.stdout.split()
    assert (fqn, value) == ("jobs.run.Job", "1")
    sys.path.insert(0, str(tmp_path / "project"))
    try:
        from jobs.run import Job  # type: ignore[import-not-found]

        assert Job().furu_hash == digest
    finally:
        sys.path.remove(str(tmp_path / "project"))


def test_main_script_run_as_a_file_gets_a_clear_error(tmp_path: Path) -> None:
    script = tmp_path / "project" / "script.py"
    script.write_text(MAIN_MODULE)
    result = run_python(f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')", cwd=tmp_path / "project")
    assert result.returncode == 1
    assert "furu.errors.FuruNamespaceError: Job is defined in a script run as a file" in result.stderr
    assert "python -m package.script" in result.stderr


def test_describe_reads_like_python() -> None:
    from furu.serialization import describe

    data = Everything(pair=(1, "a"), tags=frozenset({"b"}), blob=b"\x00", ratio=float("inf")).to_dict()
    assert describe(data["pair"]) == '(1, "a")'
    assert describe(data["tags"]) == '{"b"}'
    assert describe(data["blob"]) == "b'\\x00'"
    assert describe(data["ratio"]) == "inf"
    assert describe(Everything(when=np.zeros((2, 3), dtype=np.float32)).to_dict()["when"]) == "array(shape=(2, 3), dtype=<f4)"
    assert describe(data["optimizer"]) == 'Optimizer(name="adam", betas=(0.9, 0.999))'
    assert describe({"k": [1, {"__tuple__": []}]}) == '{"k": [1, ()]}'


class Waits(furu.Furu[int]):
    span: dt.timedelta = dt.timedelta(0)

    def _create(self) -> int:
        return 0

    def _load(self) -> int:
        return 0


def test_a_long_timedelta_round_trips_exactly() -> None:
    # found by hypothesis: pydantic reads 8589974400.007812 s as ...007813, timedelta() as ...007812
    obj = Waits(span=dt.timedelta(days=99421, microseconds=7812))
    again = Waits.from_dict(obj.to_dict())
    assert again.span == obj.span and again.furu_hash == obj.furu_hash
