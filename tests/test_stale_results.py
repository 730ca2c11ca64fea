"""furu.stale_results: stale results grouped by why, and furu migrate asked for with a form (the dashboard's stale view)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from furu.stale_results import MigrationRequest
from tests.throwaway import create, furu, make_project, python


def view(project: Path, code: str) -> Any:
    """Run ``code`` (with furu.stale_results imported) in the project, as the user's process; what it prints, as JSON."""
    done = python(project, "import json\nfrom furu.stale_results import *\nfrom furu.migrate import plan_document\n" + code)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


GROUPS = "v = stale_results()\nprint(json.dumps([[g.fqn, g.count, g.reasons] for g in v.groups] + [[m.record.hash, m.to_hash] for m in v.migrated]))"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "proj")
    create(root, "Model()", "Model(data=Data(name='e'))", "Report()")
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace("    extra: Any = None\n", "", 1))  # Model loses a field
    return root


def test_a_removed_field_groups_the_class_and_its_dependents_and_needs_drop(project: Path) -> None:
    removed = "field `extra` removed"
    assert view(project, GROUPS) == [
        ["lab.steps.Model", 2, [removed]],
        ["lab.steps.Report", 1, [f"its dependency `model` (lab.steps.Model) changed: {removed}"]],
    ]
    refused = python(project, "from furu.stale_results import *\nfrom furu.migrate import plan_document\nrun_migration(MigrationRequest(filter='class=lab.steps.Model'), yes=False)")
    assert refused.returncode == 1
    assert "`extra` = None, which lab.steps.Model no longer has: add --drop extra" in refused.stderr
    planned = view(project, (
        "r = MigrationRequest(filter='class=lab.steps.Model', drop=['extra'], policy='copy')\n"
        "print(json.dumps([r.command(), plan_document(run_migration(r, yes=False)).model_dump(mode='json')]))"
    ))
    assert planned[0] == "furu migrate class=lab.steps.Model --drop extra --policy copy"
    cli = json.loads(furu(project, "migrate", "class=lab.steps.Model", "--drop", "extra", "--policy", "copy", "--json").stdout)
    assert planned[1] == cli and len(cli["steps"]) == 3 and cli["steps"][0]["changes"] == ["field `extra` removed (it was None)"]


def test_migrated_results_leave_the_groups_until_their_target_goes(project: Path) -> None:
    done = view(project, (
        "r = MigrationRequest(filter='class=lab.steps.Model', drop=['extra'], policy='copy')\n"
        "plan = run_migration(r, yes=False)\n"
        "pairs = [(s.source.hash, s.target_hash) for s in plan.steps]\n"
        "run_migration(r, yes=True, planned=pairs)\n"
        "print(json.dumps(pairs))"
    ))
    after = view(project, GROUPS)
    assert sorted(map(tuple, after)) == sorted(map(tuple, done))  # no group: each stale result names where it went
    model_source, model_target = done[0]
    furu(project, "rm", model_target, "--force")
    back = view(project, GROUPS)
    assert back[0] == ["lab.steps.Model", 1, ["field `extra` removed"]]
    assert [model_source, model_target] not in back and len(back) == 3


def test_a_plan_that_changed_since_it_was_shown_writes_nothing(project: Path) -> None:
    result = python(project, (
        "from furu.stale_results import *\nfrom furu.migrate import plan_document\n"
        "r = MigrationRequest(filter='class=lab.steps.Model', drop=['extra'])\n"
        "first = run_migration(r, yes=False).steps[0]\n"
        "run_migration(r, yes=True, planned=[(first.source.hash, first.target_hash)])"
    ))
    assert "the plan changed since it was shown (1 planned, 3 now). Show the plan again and confirm that one." in result.stderr
    assert len(json.loads(furu(project, "ls", "--json").stdout)) == 5


def test_the_command_quotes_what_the_shell_would_split() -> None:
    asked = MigrationRequest(
        filter="class=lab.steps.Data config.name='a b'", values={"note": "two words", "n": "3"}, rename={"lr": "learning_rate"},
        drop=["seed"], from_class="old.steps.Data", policy="move", cascade=False, overwrite=True,
    )
    assert asked.command(yes=True) == (
        "furu migrate class=lab.steps.Data 'config.name=a b' --set 'note=two words' --set n=3 --rename lr=learning_rate "
        "--drop seed --from old.steps.Data --policy move --no-cascade --overwrite --yes"
    )
    assert MigrationRequest(filter="name~'(unclosed").command() == "furu migrate 'name~'\"'\"'(unclosed'"


def test_a_moved_class_is_migrated_to_its_new_name_from_the_old(tmp_path: Path) -> None:
    root = make_project(tmp_path / "moved")
    create(root, "Model()")
    steps = root / "lab" / "steps.py"
    moved = re.sub(r"\bData\b", "Dataset", steps.read_text())
    steps.write_text(moved.replace("class Dataset(furu.Furu[str]):", 'class Dataset(furu.Furu[str], history=[furu.moved_from("lab.steps.Data")]):'))
    groups = view(root, "print(json.dumps([[g.fqn, g.reasons, g.still_loads, g.command] for g in stale_results().groups]))")
    assert groups == [
        ["lab.steps.Data", ["class moved from `lab.steps.Data`"], True, "furu migrate class=lab.steps.Dataset --from lab.steps.Data"],
        ["lab.steps.Model", ["its dependency `data` (lab.steps.Data) changed: class moved from `lab.steps.Data`"], True,
         "furu migrate class=lab.steps.Model"],
    ]
    planned = view(root, "g = stale_results().groups[0]\nprint(json.dumps([[s.source.fqn, s.target_fqn, s.changes] for s in run_migration(g.request, yes=False).steps]))")
    assert len(planned) == 2 and planned[0] == ["lab.steps.Data", "lab.steps.Dataset", ["class moved from `lab.steps.Data`"]]
    [cascaded] = planned[1][2]
    assert planned[1][:2] == ["lab.steps.Model", "lab.steps.Model"]
    assert cascaded.startswith("its dependency lab.steps.Data ") and cascaded.endswith(" (class moved from `lab.steps.Data`)")
    alone = python(root, "from furu.stale_results import *\nfrom furu.migrate import plan_document\nrun_migration(stale_results().groups[1].request, yes=False)")
    assert "today's lab.steps.Model does not accept the migrated config" in alone.stderr  # its dependency's migration carries it
