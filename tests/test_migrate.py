"""Changing classes without losing results: `furu migrate`, its policies and cascades, declared histories, crashes."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.throwaway import furu, furu_json, make_project, python

V1 = '''
import furu


class Data(furu.Furu[str]):
    n: int = 1

    def _create(self) -> str:
        (self.furu_dir / "data.txt").write_text(f"data {self.n}")
        return f"data {self.n}"

    def _load(self) -> str:
        return (self.furu_dir / "data.txt").read_text()


class Train(furu.Furu[str]):
    data: Data = Data()
    lr: float = 0.1

    def _create(self) -> str:
        text = f"train lr={self.lr} on {self.data.load_or_create()}"
        (self.furu_dir / "model.txt").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "model.txt").read_text()
'''

def v2(data_fields: str, train_fields: str, data_keywords: str = "", train_keywords: str = "") -> str:
    """Today's classes: other fields, an optional class keyword (history=...), and no way to recompute."""

    def body(fields: str, file: str) -> str:
        lines = [f"    {line}" for line in fields.splitlines()]
        lines += [
            "",
            "    def _create(self) -> str:",
            '        raise RuntimeError("recomputed: the old result was not found")',
            "",
            "    def _load(self) -> str:",
            f'        return (self.furu_dir / "{file}").read_text()',
        ]
        return "\n".join(lines)

    return (
        f"import furu\n\n\nclass Data(furu.Furu[str]{data_keywords}):\n{body(data_fields, 'data.txt')}\n\n\n"
        f"class Train(furu.Furu[str]{train_keywords}):\n    data: Data = Data()\n{body(train_fields, 'model.txt')}\n"
    )


NO_BYTECODE = {"PYTHONDONTWRITEBYTECODE": "1"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj", V1)
    made = python(root, "from lab.steps import Train\nfor lr in (0.1, 0.2): print(Train(lr=lr).load_or_create())", **NO_BYTECODE)
    assert made.returncode == 0, made.stderr
    return root


def change(project: Path, source: str) -> None:
    (project / "lab" / "steps.py").write_text(source)


def run(project: Path, code: str) -> str:
    done = python(project, code, **NO_BYTECODE)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def hashes(project: Path, cls: str) -> list[str]:
    return sorted(r["hash"] for r in furu_json(project, "ls", f"class=lab.steps.{cls}", "--json", **NO_BYTECODE))


def metadata(project: Path, cls: str, furu_hash: str) -> dict[str, Any]:
    path = project / "furu-data" / "data" / "lab" / "steps" / cls / furu_hash / ".furu" / "metadata.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def artifact(project: Path, cls: str, furu_hash: str) -> Path:
    return project / "furu-data" / "data" / "lab" / "steps" / cls / furu_hash


def tree(project: Path) -> list[str]:
    root = project / "furu-data" / "data"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".catalog" not in p.parts)


ADDED_DATA = v2("n: int = 1\nscale: int = 1", "lr: float = 0.1")


# -- declared history: load_or_create finds the old result by itself ----------------------------


def test_a_declared_history_finds_old_results_of_the_class_and_of_its_dependencies(project: Path) -> None:
    old_trains = hashes(project, "Train")
    change(project, v2(
        "n: int = 1\nscale: int = 1", "learning_rate: float = 0.1\nmomentum: float = 0.9",
        data_keywords=', history=[furu.added("scale")]',
        train_keywords=', history=[furu.renamed("lr", "learning_rate"), furu.added("momentum")]',
    ))
    loaded = run(project, "from lab.steps import Train\nt = Train(learning_rate=0.2)\nprint(t.load_or_create(), t.furu_hash)")
    text, new_hash = loaded.rsplit(" ", 1)
    assert text == "train lr=0.2 on data 1"  # the old result, loaded through a link: nothing was recomputed
    new_dir = artifact(project, "Train", new_hash)
    assert os.path.islink(new_dir / "model.txt")
    origin = metadata(project, "Train", new_hash)["migrated_from"]
    assert origin["hash"] in old_trains and origin["policy"] == "alias"
    assert origin["by"] == "declared history of lab.steps.Train"
    assert origin["changes"] == [
        "field `lr` renamed to `learning_rate`",
        "field `momentum` added with default 0.9",
        "dependency `data`: field `scale` added with default 1",
    ]
    back = metadata(project, "Train", origin["hash"])["migrated_to"]
    assert [(b["hash"], b["policy"]) for b in back] == [(new_hash, "alias")]
    # A value older results never ran with has no older form: it is a plain miss.
    missed = python(project, "from lab.steps import Train\nTrain(learning_rate=0.2, momentum=0.5).load_or_create()", **NO_BYTECODE)
    assert "recomputed: the old result was not found" in missed.stderr


def test_a_declared_history_that_does_not_fit_the_class_is_an_error_at_import(project: Path) -> None:
    change(project, v2("n: int = 1", "lr: float = 0.1", train_keywords=', history=[furu.added("momentum")]'))
    failed = python(project, "import lab.steps", **NO_BYTECODE)
    assert "Train: history says field `momentum` was added, but Train has no such field." in failed.stderr


def test_a_moved_class_is_found_from_its_declared_old_name(project: Path) -> None:
    source = V1.replace("class Train(furu.Furu[str]):", 'class Trainer(furu.Furu[str], history=[furu.moved_from("lab.steps.Train")]):')
    change(project, source.replace("def _create(self) -> str:\n        text", "def _create(self) -> str:\n        raise RuntimeError('recomputed')\n        text"))
    loaded = run(project, "from lab.steps import Trainer\nt = Trainer(lr=0.1)\nprint(t.load_or_create(), t.furu_hash)")
    assert loaded.startswith("train lr=0.1 on data 1 ")
    origin = metadata(project, "Trainer", loaded.rsplit(" ", 1)[1])["migrated_from"]
    assert origin["fqn"] == "lab.steps.Train" and origin["changes"] == ["class moved from `lab.steps.Train`"]


# -- furu migrate: plans, policies, cascades ----------------------------------------------------


def test_the_plan_writes_nothing_and_yes_migrates_the_class_and_its_dependents(project: Path) -> None:
    change(project, ADDED_DATA)
    before = tree(project)
    plan = furu(project, "migrate", "class=lab.steps.Data", **NO_BYTECODE).stdout
    assert tree(project) == before
    lines = plan.splitlines()
    assert lines[0] == "Plan: 3 artifacts (alias), 2 of them downstream (cascaded)."
    assert lines[2] == "      field `scale` added with default 1"
    assert sum("cascaded" in line for line in lines[1:]) == 2
    why = [line.strip() for line in lines if line.strip().startswith("its dependency")]
    assert len(why) == 2 and all(w.endswith("(field `scale` added with default 1)") for w in why)  # what changed upstream
    assert lines[-1] == "Nothing written: add --yes to migrate."
    done = furu_json(project, "migrate", "class=lab.steps.Data", "--yes", "--json", **NO_BYTECODE)
    assert [s["state"] for s in done["steps"]] == ["migrated"] * 3
    assert run(project, "from lab.steps import Train\nprint(Train(lr=0.2).load_or_create())") == "train lr=0.2 on data 1"
    cascaded = [s for s in done["steps"] if s["cascaded_from"]]
    assert {s["cascaded_from"] for s in cascaded} == {done["steps"][0]["source"]["hash"]}
    shown = furu(project, "show", cascaded[0]["target_hash"][:8], **NO_BYTECODE).stdout
    assert f"  migrated from      lab.steps.Train {cascaded[0]['source']['hash'][:8]} (alias, " in shown
    shown_old = furu(project, "show", cascaded[0]["source"]["hash"][:8], **NO_BYTECODE).stdout
    assert f"  migrated to        lab.steps.Train {cascaded[0]['target_hash'][:8]} (alias, " in shown_old
    again = furu_json(project, "migrate", "class=lab.steps.Data", "--yes", "--json", **NO_BYTECODE)
    assert [s["state"] for s in again["steps"]] == ["already"] * 3


def test_no_cascade_migrates_only_what_the_filter_selects(project: Path) -> None:
    change(project, ADDED_DATA)
    done = furu_json(project, "migrate", "class=lab.steps.Data", "--no-cascade", "--yes", "--json", **NO_BYTECODE)
    assert [s["source"]["fqn"] for s in done["steps"]] == ["lab.steps.Data"]
    assert len(hashes(project, "Train")) == 2


@pytest.mark.parametrize("policy", ["alias", "copy", "move"])
def test_each_policy_leaves_the_files_where_it_says(project: Path, policy: str) -> None:
    change(project, v2("n: int = 1", "learning_rate: float = 0.1"))
    old = {r["config"]["lr"]: r["hash"] for r in furu_json(project, "ls", "class=lab.steps.Train", "--json", **NO_BYTECODE)}
    done = furu_json(project, "migrate", "class=lab.steps.Train", "lr=0.2", "--rename", "lr=learning_rate",
                     "--policy", policy, "--yes", "--json", **NO_BYTECODE)
    (step,) = done["steps"]
    source, target = artifact(project, "Train", old[0.2]), artifact(project, "Train", step["target_hash"])
    assert (target / "model.txt").read_text() == "train lr=0.2 on data 1"
    assert os.path.islink(target / "model.txt") == (policy == "alias")
    assert (source / "model.txt").exists() == (policy != "move")
    assert (source / ".furu" / "success.json").exists() == (policy != "move")
    assert metadata(project, "Train", old[0.2])["migrated_to"][0]["policy"] == policy
    assert run(project, "from lab.steps import Train\nprint(Train(learning_rate=0.2).load_or_create())") == "train lr=0.2 on data 1"


def test_changes_are_never_defaulted_implicitly_and_bad_values_name_the_field(project: Path) -> None:
    change(project, v2("n: int = 1", "momentum: float"))
    removed = furu(project, "migrate", "class=lab.steps.Train", code=1, **NO_BYTECODE).stderr
    assert "its stored config has field `lr` = 0.1, which lab.steps.Train no longer has: add --drop lr" in removed
    required = furu(project, "migrate", "class=lab.steps.Train", "--drop", "lr", code=1, **NO_BYTECODE).stderr
    assert "field `momentum` was added and has no default: give it with --set momentum=VALUE" in required
    bad = furu(project, "migrate", "class=lab.steps.Train", "--drop", "lr", "--set", "momentum=fast", code=1, **NO_BYTECODE).stderr
    assert "--set momentum='fast': cannot read it as float" in bad
    collide = furu(project, "migrate", "class=lab.steps.Train", "--drop", "lr", "--set", "momentum=0.5", code=1, **NO_BYTECODE).stderr
    assert "would both become lab.steps.Train" in collide and "narrow the filter to one of them" in collide
    plan = furu(project, "migrate", "class=lab.steps.Train", "lr=0.1", "--drop", "lr", "--set", "momentum=0.5", **NO_BYTECODE).stdout
    assert "field `lr` removed (it was 0.1)" in plan and "field `momentum` added with value 0.5" in plan


def test_a_target_holding_another_result_is_refused_unless_overwrite(project: Path) -> None:
    change(project, V1.replace("lr: float = 0.1", "lr: float = 0.1\n    seed: int = 0"))
    run(project, "from lab.steps import Train\nTrain(lr=0.1).load_or_create()")  # today's result, computed anew
    plan = furu(project, "migrate", "class=lab.steps.Train", "lr=0.1", "seed!=0", **NO_BYTECODE)
    assert "target holds another result" in plan.stdout or "nothing to migrate" in plan.stdout
    conflict = furu(project, "migrate", "class=lab.steps.Train", "lr=0.1", code=None, **NO_BYTECODE)
    assert "holds another result" in conflict.stdout
    refused = furu(project, "migrate", "class=lab.steps.Train", "lr=0.1", "--yes", code=1, **NO_BYTECODE).stderr
    assert "already holds a result, not one migrated from" in refused and "--overwrite" in refused
    done = furu_json(project, "migrate", "class=lab.steps.Train", "lr=0.1", "--yes", "--overwrite", "--json", **NO_BYTECODE)
    target = artifact(project, "Train", done["steps"][0]["target_hash"])
    assert os.path.islink(target / "model.txt")
    assert [p.name for p in (target / ".furu" / "leftovers").iterdir()][0]  # the computed result was set aside


def test_an_alias_keeps_its_source_from_gc_and_rm(project: Path) -> None:
    change(project, v2("n: int = 1", "learning_rate: float = 0.1"))
    done = furu_json(project, "migrate", "class=lab.steps.Train", "lr=0.1", "--rename", "lr=learning_rate", "--yes", "--json", **NO_BYTECODE)
    source = done["steps"][0]["source"]["hash"]
    refused = furu(project, "rm", source[:8], code=1, **NO_BYTECODE).stderr
    assert "holds the files of 1 migrated artifact(s)" in refused
    furu(project, "gc", "--stale", "--yes", **NO_BYTECODE)
    assert artifact(project, "Train", source).is_dir()
    assert run(project, "from lab.steps import Train\nprint(Train(learning_rate=0.1).load_or_create())") == "train lr=0.1 on data 1"


def test_an_exported_alias_carries_its_files_not_its_links(project: Path, tmp_path: Path) -> None:
    today = v2("n: int = 1", "learning_rate: float = 0.1")
    change(project, today)
    alias = furu_json(project, "migrate", "class=lab.steps.Train", "lr=0.1", "--rename", "lr=learning_rate", "--yes", **NO_BYTECODE)
    bundle = tmp_path / "alias.furu.tar"
    exported = furu(project, "export", alias["steps"][0]["target_hash"][:8], "-o", str(bundle), "--code", "none", **NO_BYTECODE)
    assert "left out" not in exported.stderr + exported.stdout
    elsewhere = make_project(tmp_path / "elsewhere", today)
    furu(elsewhere, "import", str(bundle), **NO_BYTECODE)
    assert run(elsewhere, "from lab.steps import Train\nprint(Train(learning_rate=0.1).load_or_create())") == "train lr=0.1 on data 1"
    target = artifact(elsewhere, "Train", alias["steps"][0]["target_hash"]) / "model.txt"
    assert target.is_file() and not target.is_symlink()


def test_a_class_that_is_gone_or_lives_in_main_cannot_be_migrated_and_says_why(project: Path) -> None:
    change(project, V1.replace("class Train(", "class Trainer("))
    gone = furu(project, "migrate", "class=lab.steps.Train", code=1, **NO_BYTECODE).stderr
    assert "cannot import lab.steps.Train" in gone
    moved = furu_json(project, "migrate", "class=lab.steps.Trainer", "--from", "lab.steps.Train", "--yes", "--json", **NO_BYTECODE)
    assert [s["changes"] for s in moved["steps"]] == [["class moved from `lab.steps.Train`"]] * 2
    main = python(project, """
        import os, furu
        os.environ["FURU_ALLOW_MAIN_CLASSES"] = "1"
        class Local(furu.Furu[int]):
            def _create(self): return 1
            def _load(self): return 1
        Local().load_or_create()
    """, FURU_ALLOW_MAIN_CLASSES="1", **NO_BYTECODE)
    assert main.returncode == 0, main.stderr
    refused = furu(project, "migrate", "class=__main__.Local", code=1, **NO_BYTECODE).stderr
    assert "exists only in the process that defined it" in refused


def test_the_python_api_plans_and_migrates_like_the_command(project: Path) -> None:
    change(project, v2("n: int = 1", "learning_rate: float = 0.1"))
    out = run(project, """
        import furu
        plan = furu.migrate("class=lab.steps.Train", rename={"lr": "learning_rate"})
        print(plan.applied, len(plan.steps))
        done = furu.migrate("class=lab.steps.Train", rename={"lr": "learning_rate"}, yes=True)
        print(done.applied, [s.state for s in done.steps])
    """)
    assert out.splitlines() == ["False 2", "True ['migrated', 'migrated']"]


# -- crashes ------------------------------------------------------------------------------------

KILL_AT = """
import os, signal, sys
import furu.migration as migration
step = getattr(migration, sys.argv[1])
calls = []

def crash(*args, **kwargs):
    calls.append(1)
    if len(calls) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # a real crash: no finally blocks, no cleanup
    return step(*args, **kwargs)

setattr(migration, sys.argv[1], crash)
import furu
furu.migrate("class=lab.steps.Train", rename={"lr": "learning_rate"}, policy=sys.argv[3], yes=True)
"""


@pytest.mark.parametrize(
    ("step", "nth", "policy", "rerun"),
    [
        ("_write_target", 1, "alias", "['migrated', 'migrated']"),  # links placed, target not committed
        ("_record_at_source", 1, "copy", "['finished', 'migrated']"),  # target committed, source not told
        ("_finish_move", 1, "move", "['finished', 'migrated']"),  # committed and recorded, files not moved
        ("_write_target", 2, "move", "['migrated']"),  # the first step whole: its source is no result any more
    ],
)
def test_a_migration_killed_between_steps_is_finished_by_running_it_again(
    project: Path, step: str, nth: int, policy: str, rerun: str
) -> None:
    change(project, v2("n: int = 1", "learning_rate: float = 0.1"))
    (project / "crash.py").write_text(KILL_AT)
    crashed = python(project, f"import runpy, sys; sys.argv = ['crash', {step!r}, '{nth}', {policy!r}]; runpy.run_path('crash.py')", **NO_BYTECODE)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    for lr in (0.1, 0.2):  # whatever the crash left, no target holds a result that is half there
        loads = python(project, f"from lab.steps import Train\nprint(Train(learning_rate={lr}).load_or_create())", **NO_BYTECODE)
        assert loads.returncode == 0 or "recomputed" in loads.stderr
        if loads.returncode == 0:
            assert loads.stdout.strip() == f"train lr={lr} on data 1"
    again = run(project, f"""
        import furu
        done = furu.migrate("class=lab.steps.Train", rename={{"lr": "learning_rate"}}, policy={policy!r}, yes=True)
        print(sorted(s.state for s in done.steps))
    """)
    assert again == rerun
    for lr in (0.1, 0.2):
        assert run(project, f"from lab.steps import Train\nprint(Train(learning_rate={lr}).load_or_create())") == f"train lr={lr} on data 1"
    for record in furu_json(project, "ls", "class=lab.steps.Train", "--json", **NO_BYTECODE):
        meta = metadata(project, "Train", record["hash"])
        assert meta["migrated_from"] is not None or [m["policy"] for m in meta["migrated_to"]] == [policy]


KILL_BETWEEN_RENAMES = """
import os, signal
import furu.migration as migration
finish, replace, moving = migration._finish_move, os.replace, []

def finishing(*args, **kwargs):
    moving.append(1)
    return finish(*args, **kwargs)

def renaming(origin, placed):
    if moving and os.path.basename(placed) == "model.txt":
        os.kill(os.getpid(), signal.SIGKILL)  # extra.txt moved, model.txt not yet
    return replace(origin, placed)

migration._finish_move, os.replace = finishing, renaming
import furu
furu.migrate("class=lab.steps.Train lr=0.1", rename={"lr": "learning_rate"}, policy="move", yes=True)
"""


def test_a_move_killed_between_two_entries_keeps_the_target_whole_and_finishes(project: Path) -> None:
    source = hashes(project, "Train")
    for furu_hash in source:
        (artifact(project, "Train", furu_hash) / "extra.txt").write_text("extra")
    change(project, v2("n: int = 1", "learning_rate: float = 0.1"))
    (project / "crash.py").write_text(KILL_BETWEEN_RENAMES)
    assert python(project, "import runpy; runpy.run_path('crash.py')", **NO_BYTECODE).returncode == -signal.SIGKILL
    code = "from lab.steps import Train\nt = Train(learning_rate=0.1)\nprint(t.load_or_create(), (t.furu_dir / 'extra.txt').read_text())"
    assert run(project, code) == "train lr=0.1 on data 1 extra"  # half moved, whole through the links left
    again = run(project, """
        import furu
        done = furu.migrate("class=lab.steps.Train lr=0.1", rename={"lr": "learning_rate"}, policy="move", yes=True)
        print([s.state for s in done.steps])
    """)
    assert again == "['finished']"
    target = artifact(project, "Train", run(project, "from lab.steps import Train\nprint(Train(learning_rate=0.1).furu_hash)"))
    assert sorted((p.name, p.is_symlink()) for p in target.iterdir() if p.name != ".furu") == [("extra.txt", False), ("model.txt", False)]
    moved_from = next(h for h in source if metadata(project, "Train", h)["migrated_to"])
    assert sorted(p.name for p in artifact(project, "Train", moved_from).iterdir()) == [".furu"]
    assert run(project, code) == "train lr=0.1 on data 1 extra"


def test_ls_stale_lists_stale_results_and_their_dependents_with_the_reason_in_words(project: Path) -> None:
    change(project, v2("n: int = 1\nscale: int = 1", "learning_rate: float = 0.1", train_keywords=', history=[furu.renamed("lr", "learning_rate")]'))
    data = hashes(project, "Data")[0]
    listed = furu(project, "ls", "--stale", **NO_BYTECODE).stdout.splitlines()
    reasons = {line.split(" ", 1)[0]: line.split(": ", 1)[1] for line in listed if " is stale: " in line}
    assert reasons[data[:8]] == "field `scale` added with default 1"
    for train in hashes(project, "Train"):
        assert reasons[train[:8]] == (
            "field `lr` renamed to `learning_rate`; its dependency `data` (lab.steps.Data) changed: "
            "field `scale` added with default 1"
        )
    as_json = furu_json(project, "ls", "--stale", "class=lab.steps.Data", "--json", **NO_BYTECODE)
    assert [(r["hash"], r["stale"], r["stale_reasons"]) for r in as_json] == [(data, True, ["field `scale` added with default 1"])]
    migrated = furu_json(project, "migrate", "class=lab.steps.Data", "--yes", **NO_BYTECODE)
    assert len(migrated["steps"]) == 3
    still = {line.split(" ", 1)[0] for line in furu(project, "ls", "--stale", **NO_BYTECODE).stdout.splitlines() if " is stale: " in line}
    assert still == {data[:8], *(h[:8] for h in hashes(project, "Train") if h[:8] in reasons)}  # the old ones stay, labelled


def test_stale_is_a_filter_key_every_view_can_combine(project: Path) -> None:
    change(project, ADDED_DATA)
    data, trains = hashes(project, "Data")[0], hashes(project, "Train")
    assert sorted(r["hash"] for r in furu_json(project, "ls", "stale=true", **NO_BYTECODE)) == sorted([data, *trains])
    assert furu_json(project, "ls", "stale=false", **NO_BYTECODE) == []
    picked = furu_json(project, "ls", "stale=true and not class=lab.steps.Data", "--json", **NO_BYTECODE)
    assert sorted(r["hash"] for r in picked) == trains
    assert all(r["stale_reasons"][0].startswith("its dependency `data`") for r in picked)
    shown = furu(project, "ls", "stale=true", "-n", "1", **NO_BYTECODE).stdout
    assert "1 shown, 3 matching, 3 artifacts" in shown
    marked = run(project, """
        from furu.catalog import page
        print(sorted((r.class_name, r.stale) for r in page(stale=True).records))
        print(sorted((r.class_name, r.stale) for r in page().records))
    """).splitlines()
    assert marked == ["[('Data', True), ('Train', True), ('Train', True)]", "[('Data', None), ('Train', None), ('Train', None)]"]


def test_results_of_a_moved_class_are_stale_with_the_old_name_in_words(project: Path) -> None:
    moved = V1.replace("class Data(furu.Furu[str]):", 'class Dataset(furu.Furu[str], history=[furu.moved_from("lab.steps.Data")]):')
    change(project, moved.replace("data: Data = Data()", "data: Dataset = Dataset()"))
    data = hashes(project, "Data")[0]
    listed = furu(project, "ls", "--stale", **NO_BYTECODE).stdout.splitlines()
    reasons = {line.split(" ", 1)[0]: line.split(": ", 1)[1] for line in listed if " is stale: " in line}
    assert reasons[data[:8]] == "class moved from `lab.steps.Data`; its declared history still finds it"
    for train in hashes(project, "Train"):
        assert reasons[train[:8]] == (
            "its dependency `data` (lab.steps.Data) changed: class moved from `lab.steps.Data`; its declared history still finds it"
        )
