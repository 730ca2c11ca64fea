"""Classes defined in a notebook or ``python -c`` (``__main__``): refused by default, allowed by a flag.

Every test runs real processes: the pipeline as ``python -c`` with the class
defined inline, and the real ``furu`` command (see ``throwaway``), which never
has that class and must say so instead of guessing.
"""

from __future__ import annotations

import json
from pathlib import Path

from throwaway import furu, furu_json, make_project, python

MAIN_STEP = '''
import json
import furu

class Foo(furu.Furu[int]):
    n: int = 1

    def _create(self) -> int:
        (self.furu_dir / "n.txt").write_text(str(self.n))
        return self.n

    def _load(self) -> int:
        return int((self.furu_dir / "n.txt").read_text())

obj = Foo(n=N)
print(json.dumps({"value": obj.load_or_create(), "hash": obj.furu_hash, "fqn": obj.furu_fqn(), "dir": str(obj.furu_dir)}))
'''

ALLOW = {"FURU_ALLOW_MAIN_CLASSES": "1"}
MAIN_REASON = "__main__.Foo was defined in a notebook or `python -c` (module __main__) and exists only in the process"


def _create_foo(project: Path, n: int = 1, **extra: str) -> dict[str, str]:
    result = python(project, MAIN_STEP.replace("N)", f"{n})"), **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_refused_without_the_flag_and_the_error_names_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    result = python(project, MAIN_STEP.replace("N)", "1)"), FURU_ALLOW_LOCAL_CLASSES="1")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "furu.errors.FuruNamespaceError: Foo is defined in a notebook or `python -c` (module '__main__')"
    ), last
    assert "set FURU_ALLOW_MAIN_CLASSES=1 (or allow_main_classes = true in [tool.furu])" in last
    assert "<data root>/data/__main__/Foo/" in last
    assert not (project / "furu-data" / "data" / "__main__").exists()


def test_a_script_run_as_a_file_is_told_about_python_m_and_the_flag(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    (project / "job.py").write_text(MAIN_STEP.replace("N)", "1)"))
    result = python(project, "import runpy; runpy.run_path('job.py', run_name='__main__')")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "Foo is defined in a script run as a file" in last
    assert "`python -m package.script`" in last and "FURU_ALLOW_MAIN_CLASSES=1" in last


def test_the_flag_stores_artifacts_under_the_main_namespace(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    first = _create_foo(project, 3, **ALLOW)
    assert first["fqn"] == "__main__.Foo"
    assert first["value"] == 3
    expected = project / "furu-data" / "data" / "__main__" / "Foo" / first["hash"]
    assert first["dir"] == str(expected)
    assert (expected / "n.txt").read_text() == "3"
    metadata = json.loads((expected / ".furu" / "metadata.json").read_text())
    assert (metadata["fqn"], metadata["config"]) == ("__main__.Foo", {"__class__": "__main__.Foo", "n": 3})
    again = _create_foo(project, 3, **ALLOW)  # another process, same name and fields: the same artifact
    assert again == first
    assert sorted(p.name for p in (project / "furu-data" / "data").iterdir()) == ["__main__"]


def test_the_pyproject_key_allows_them_too(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    (project / "pyproject.toml").write_text('[project]\nname = "lab"\nversion = "0"\n\n[tool.furu]\nallow_main_classes = true\n')
    created = _create_foo(project, 2)
    assert Path(created["dir"]).parent == project / "furu-data" / "data" / "__main__" / "Foo"


def test_the_flag_leaves_python_m_modules_named_by_their_import_path(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    (project / "lab" / "job.py").write_text(MAIN_STEP.replace("N)", "1)"))
    result = python(project, "import runpy; runpy.run_module('lab.job', run_name='__main__', alter_sys=True)", **ALLOW)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout.splitlines()[-1])
    assert created["fqn"] == "lab.job.Foo"
    assert Path(created["dir"]).parent == project / "furu-data" / "data" / "lab" / "job" / "Foo"


def test_no_importable_module_lives_under_main(tmp_path: Path) -> None:
    """Why ``data/__main__/`` cannot collide: a ``__main__`` package on sys.path is never importable."""
    (tmp_path / "__main__").mkdir()
    (tmp_path / "__main__" / "__init__.py").write_text("")
    (tmp_path / "__main__" / "models.py").write_text("X = 1\n")
    result = python(tmp_path, "import __main__.models")
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named '__main__.models'; '__main__' is not a package" in result.stderr


def test_ls_and_show_list_and_show_them(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    created = _create_foo(project, 4, **ALLOW)
    listed = furu_json(project, "ls")
    assert [(r["fqn"], r["hash"], r["status"], r["dir"]) for r in listed] == [
        ("__main__.Foo", created["hash"], "success", created["dir"])
    ]
    assert created["hash"][:8] in furu(project, "ls", "class=__main__.Foo").stdout
    shown = furu(project, "show", created["hash"][:8]).stdout
    assert shown.startswith(f"__main__.Foo {created['hash']}  success\n")
    assert "└── n = 4" in shown
    assert "from __main__ import Foo" in shown


def test_gc_keeps_them_as_unknown_with_the_reason_and_never_deletes_them(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    created = _create_foo(project, 5, **ALLOW)
    plan = furu_json(project, "gc", "--stale", "--older-than", "0s")["plan"]
    assert plan["candidates"] == [] and plan["protected"] == []
    assert [(k["record"]["hash"], k["kind"]) for k in plan["kept"]] == [(created["hash"], "unknown")]
    detail = plan["kept"][0]["detail"]
    assert detail.startswith(MAIN_REASON), detail
    assert detail.endswith("it is kept, never deleted as garbage (`furu rm` deletes it)")
    text = furu(project, "gc", "--stale", "--older-than", "0s", "--yes").stdout
    assert MAIN_REASON in text
    assert (Path(created["dir"]) / "n.txt").read_text() == "5"
    furu(project, "rm", created["hash"][:8])  # the explicit way
    assert not Path(created["dir"]).exists()


def test_gc_keeps_an_importable_artifact_whose_config_nests_a_main_class(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    code = '''
        import json
        from lab.steps import Data, Model

        class MyData(Data):
            pass

        model = Model(data=MyData(name="nb"))
        print(json.dumps({"result": model.load_or_create(), "hash": model.furu_hash}))
    '''
    result = python(project, code, **ALLOW)
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout.splitlines()[-1])
    assert created["result"] == "model of nb"
    plan = furu_json(project, "gc", "--stale")["plan"]
    kept = {k["record"]["fqn"]: k for k in plan["kept"]}
    assert sorted(kept) == ["__main__.MyData", "lab.steps.Model"]
    assert all(k["kind"] == "unknown" for k in kept.values())
    assert kept["lab.steps.Model"]["record"]["hash"] == created["hash"]
    assert kept["lab.steps.Model"]["detail"].startswith("__main__.MyData was defined in a notebook or `python -c`")
    assert plan["candidates"] == []


def test_run_and_explain_say_why_they_cannot_rebuild_one(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    _create_foo(project, 1, **ALLOW)
    for args in (("run", "__main__:Foo", "n=2"), ("run", "__main__.Foo"), ("explain", "__main__:Foo", "n=1")):
        result = furu(project, *args, code=1)
        message = " ".join(result.stderr.split())
        assert message.startswith(f"error: Cannot build {args[1]}: {MAIN_REASON} that defined it: no furu command"), message
        assert "`Foo(...).load_or_create()`" in message and "`furu.explain.explain(Foo(...))`" in message
    [record] = furu_json(project, "ls")  # nothing was created
    by_hash = " ".join(furu(project, "explain", record["hash"][:8], code=1).stderr.split())
    assert by_hash.startswith(f"error: Cannot rebuild __main__.Foo {record['hash'][:8]}: {MAIN_REASON}"), by_hash
    assert "gc" not in by_hash and "renamed" not in by_hash
