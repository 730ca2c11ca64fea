"""``furu.explore``: a package's FuruList collections and Furu classes against what exists, imported fresh each time."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from furu.errors import FuruError
from furu.explore import ModuleProblem, explore_in_subprocess, package_modules
from tests.throwaway import create, make_project, python

SWEEPS = '''
import furu
from lab.steps import Broken, Data, Model, Report


class Sweep(furu.FuruList[Model]):
    """Models over three datasets."""
    baseline = Model()
    by_data = {"e": Model(data=Data(name="e")), "f": Model(data=Data(name="f"))}


class Reports(furu.FuruList[Report]):
    grid = [Report(model=Model(data=Data(name="e"))), Report()]
    broken = Broken()
'''


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("explore") / "proj")
    (root / "lab" / "sweeps.py").write_text(SWEEPS)
    (root / "lab" / "needs_sklearn.py").write_text("import sklearn_is_not_installed_here\n")
    (root / "lab" / "noisy.py").write_text('print("printed while importing")\n')
    (root / "lab" / "eager.py").write_text("from lab.steps import Data\nData(name='eager').load_or_create()\n")
    (root / "lab" / "__main__.py").write_text("raise SystemExit('the package was run, not imported')\n")
    (root / "lab" / "tests").mkdir()
    (root / "lab" / "tests" / "__init__.py").write_text("")
    (root / "lab" / "tests" / "test_x.py").write_text("raise RuntimeError('tests are not explored')\n")
    create(root, "Model()")
    assert python(root, "from lab.steps import Broken\ntry: Broken().load_or_create()\nexcept ValueError: pass").returncode == 0
    return root


def test_collections_list_existing_and_missing_items_with_what_running_them_would_create(project: Path) -> None:
    found = explore_in_subprocess(cwd=str(project))
    assert found.modules == ["lab", "lab.noisy", "lab.steps", "lab.sweeps"]
    sweep, reports = (next(c for c in found.collections if c.name == name) for name in ("Sweep", "Reports"))
    assert sweep.fqn == "lab.sweeps.Sweep" and sweep.doc == "Models over three datasets."
    assert [(i.name, i.status, len(i.to_compute)) for i in sweep.items] == [
        ("baseline", "cached", 0), ("by_data.e", "missing", 2), ("by_data.f", "missing", 2),
    ]
    assert (sweep.existing, sweep.missing, sweep.to_compute) == (1, 2, 4)
    by_e = sweep.items[1]
    assert [step.fqn for step in by_e.to_compute] == ["lab.steps.Model", "lab.steps.Data"]
    assert by_e.to_compute[0].hash == by_e.hash and by_e.plan is not None and by_e.plan.dependencies[0].status == "missing"
    assert sweep.items[0].plan is None and "Model(data=Data(name='d')" in sweep.items[0].python
    assert sweep.python == "from lab.sweeps import Sweep\n\nfor exp in Sweep.all():\n    exp.load_or_create()\n"
    assert sweep.command == 'python -c "from lab.sweeps import Sweep; [exp.load_or_create() for exp in Sweep.all()]"'
    # Report(model=Model(data=Data(e))) shares its Model and Data with Sweep.by_data.e; Report() needs only itself
    assert [(i.name, i.status, [s.fqn.rsplit(".", 1)[1] for s in i.to_compute]) for i in reports.items] == [
        ("grid.0", "missing", ["Report", "Model", "Data"]), ("grid.1", "missing", ["Report"]), ("broken", "failed", ["Broken"]),
    ]
    assert (reports.existing, reports.missing, reports.to_compute) == (0, 3, 5)


def test_classes_count_their_results_and_their_collection_items(project: Path) -> None:
    found = explore_in_subprocess(cwd=str(project))
    assert [(c.fqn, c.artifacts, c.existing, c.in_collections) for c in found.classes] == [
        ("lab.steps.Broken", 1, 0, 1), ("lab.steps.Data", 1, 1, 0), ("lab.steps.Model", 1, 1, 3), ("lab.steps.Report", 0, 0, 2),
    ]


def test_a_module_that_does_not_import_is_named_and_nothing_is_computed(project: Path) -> None:
    found = explore_in_subprocess(cwd=str(project))
    problems = {p.module: p.problem for p in found.problems}
    assert problems["lab.needs_sklearn"] == "ModuleNotFoundError: No module named 'sklearn_is_not_installed_here'"
    assert problems["lab.eager"].startswith("FuruDryRun: Dry run (FURU_DRY_RUN=1): lab.steps.Data ")
    assert set(problems) == {"lab.needs_sklearn", "lab.eager"}  # __main__ and tests/ are never imported
    data_dirs = list((project / "furu-data" / "data" / "lab" / "steps" / "Data").iterdir())
    assert len(data_dirs) == 1  # only Model()'s Data: the eager module's load_or_create created nothing


def test_one_package_or_module_and_a_missing_one(project: Path) -> None:
    only = explore_in_subprocess("lab.sweeps", cwd=str(project))
    assert only.modules == ["lab.sweeps"] and only.package == "lab.sweeps" and only.classes == [] and len(only.collections) == 2
    missing = explore_in_subprocess("nolab", cwd=str(project))
    assert missing.problems == [ModuleProblem(module="nolab", problem="no module named 'nolab' (not under the project root, not installed)")]


def test_an_interpreter_killed_by_a_module_is_an_error_that_says_how_to_see_why(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    (root / "lab" / "dies.py").write_text("import os, sys\nprint('dying', file=sys.stderr)\nos._exit(3)\n")
    with pytest.raises(FuruError) as caught:
        explore_in_subprocess(cwd=str(root))
    assert str(caught.value) == "Exploring the project failed: dying. Run `python -m furu.explore` to see why."


def test_package_modules_walks_files_without_importing_them(tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    (root / "lab" / "sub").mkdir()
    (root / "lab" / "sub" / "__init__.py").write_text("raise RuntimeError('not imported by the walk')")
    (root / "lab" / "sub" / "deep.py").write_text("")
    (root / "lab" / "loose").mkdir()
    (root / "lab" / "loose" / "orphan.py").write_text("")  # no __init__.py: not a subpackage
    (root / "lab" / "conftest.py").write_text("")
    (root / "lab" / "my-script.py").write_text("")
    (root / "notes").mkdir()
    problems: list[ModuleProblem] = []
    cwd = os.getcwd()
    os.chdir(root)
    try:
        sys.modules.pop("lab", None)  # another test's lab would answer find_spec
        sys.path.insert(0, str(root))
        try:
            names = package_modules(None, root, problems)
        finally:
            sys.path.remove(str(root))
            sys.modules.pop("lab", None)
    finally:
        os.chdir(cwd)
    assert names == ["lab", "lab.steps", "lab.sub", "lab.sub.deep"] and problems == []
