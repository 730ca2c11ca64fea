"""Stale results and migrations through a real ``furu dashboard``: the groups, the plan ``furu migrate`` makes, applying it; code diffs.

The project (tests.dashboard.stale_lab) is a git repository whose results
were made before ``Data`` gained a field with a default: every one is stale and
its code drifted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.server import dashboard
from tests.dashboard.stale_lab import SCALE_REASON, stale_project
from tests.throwaway import create, furu

pytest.importorskip("fastapi")


@pytest.fixture
def lab(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "proj"
    return root, stale_project(root)


@pytest.fixture
def api(lab: tuple[Path, dict[str, str]]) -> Iterator[httpx.Client]:
    with dashboard(lab[0]) as running, running.client() as client:
        yield client


def ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_stale_results_are_grouped_by_class_and_reason(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    _root, hashes = lab
    view = ok(api.get("/api/stale"))
    assert view["total"] == 6 and view["migrated"] == []
    groups = {group["fqn"]: group for group in view["groups"]}
    assert list(groups) == ["lab.steps.Data", "lab.steps.Model", "lab.steps.Report"]
    data, model, report = groups.values()
    assert data["reasons"] == [SCALE_REASON] and data["count"] == 2 and data["stale_dependencies"] == []
    assert sorted(data["hashes"]) == sorted([hashes["Data:d"], hashes["Data:e"]])
    assert [record["hash"] for record in data["records"]] == data["hashes"]
    assert model["reasons"] == [f"its dependency `data` (lab.steps.Data) changed: {SCALE_REASON}"]
    assert model["stale_dependencies"] == ["lab.steps.Data"] and report["stale_dependencies"] == ["lab.steps.Model"]
    assert data["command"] == "furu migrate class=lab.steps.Data" and data["still_loads"] is False
    assert data["request"] == {
        "filter": "class=lab.steps.Data", "values": {}, "rename": {}, "drop": [], "from_class": None, "policy": "alias",
        "cascade": True, "overwrite": False,
    }


def test_the_plan_is_what_furu_migrate_json_prints(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, hashes = lab
    answer = ok(api.post("/api/stale/plan", json={"filter": "class=lab.steps.Data"}))
    assert answer["command"] == "furu migrate class=lab.steps.Data"
    assert answer["apply_command"] == "furu migrate class=lab.steps.Data --yes"
    assert answer["plan"] == json.loads(furu(root, "migrate", "class=lab.steps.Data", "--json").stdout)
    steps = answer["plan"]["steps"]
    assert len(steps) == 6 and answer["plan"]["applied"] is False and {s["state"] for s in steps} == {"planned"}
    assert {s["source"]["hash"] for s in steps if s["cascaded_from"] is None} == {hashes["Data:d"], hashes["Data:e"]}
    assert {s["changes"][0] for s in steps if s["cascaded_from"] is None} == {SCALE_REASON}
    assert not (root / "furu-data" / "data" / "lab" / "steps" / "Data" / steps[0]["target_hash"]).exists()


def test_one_experiment_to_a_value_set_and_without_its_dependents(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, hashes = lab
    body = {"filter": hashes["Data:e"][:8], "values": {"scale": "3"}, "cascade": False}
    answer = ok(api.post("/api/stale/plan", json=body))
    assert answer["command"] == f"furu migrate {hashes['Data:e'][:8]} --set scale=3 --no-cascade"
    [step] = answer["plan"]["steps"]
    assert step["source"]["hash"] == hashes["Data:e"] and step["changes"] == ["field `scale` added with value 3"]
    assert answer["plan"] == json.loads(furu(root, "migrate", hashes["Data:e"][:8], "--set", "scale=3", "--no-cascade", "--json").stdout)
    cascaded = ok(api.post("/api/stale/plan", json={**body, "cascade": True}))["plan"]["steps"]
    assert [s["source"]["hash"] for s in cascaded] == [hashes["Data:e"], hashes["Model:e"], hashes["Report:e"]]
    filtered = ok(api.post("/api/stale/plan", json={"filter": "class=lab.steps.Data config.name=d", "policy": "copy"}))
    assert [s["source"]["hash"] for s in filtered["plan"]["steps"]] == [hashes["Data:d"], hashes["Model:d"], hashes["Report:d"]]
    assert filtered["plan"]["policy"] == "copy" and filtered["command"] == "furu migrate class=lab.steps.Data config.name=d --policy copy"


def test_a_migration_that_cannot_be_done_is_a_400_listing_why(api: httpx.Client) -> None:
    wrong = api.post("/api/stale/plan", json={"filter": "class=lab.steps.Data", "values": {"nosuch": "1"}})
    assert wrong.status_code == 400
    assert wrong.json()["detail"].startswith("Cannot migrate; nothing was written:\n  lab.steps.Data ")
    assert "--set nosuch: lab.steps.Data has no field `nosuch`" in wrong.json()["detail"]
    typed = api.post("/api/stale/plan", json={"filter": "class=lab.steps.Data", "values": {"scale": "many"}})
    assert typed.status_code == 400 and "scale" in typed.json()["detail"]
    assert api.post("/api/stale/plan", json={"filter": "lr>>1"}).status_code == 400
    assert api.post("/api/stale/plan", json={"filter": ""}).status_code == 422
    for reference in ("/etc/passwd", "../../etc", "lab.steps:Data name=e"):  # only filters and hashes, never paths or specs
        refused = api.post("/api/stale/plan", json={"filter": reference})
        assert refused.status_code == 400, (reference, refused.text)
    assert api.post("/api/stale/plan", json={"filter": "class=lab.steps.Data", "policy": "delete"}).status_code == 422


def test_apply_needs_the_confirmed_plan_then_the_groups_are_gone(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, hashes = lab
    body = {"filter": "class=lab.steps.Data"}
    unconfirmed = api.post("/api/stale/apply", json=body)
    assert unconfirmed.status_code == 400 and unconfirmed.json()["detail"].startswith("Nothing was migrated: confirm the plan")
    planned = ok(api.post("/api/stale/plan", json=body))["plan"]["steps"]
    pairs = [[step["source"]["hash"], step["target_hash"]] for step in planned]
    changed = api.post("/api/stale/apply", json={**body, "confirm": True, "planned": pairs[:1]})
    assert changed.status_code == 400 and "the plan changed since it was shown (1 planned, 6 now)" in changed.json()["detail"]
    assert ok(api.get("/api/stale"))["groups"] != []  # nothing was written
    done = ok(api.post("/api/stale/apply", json={**body, "confirm": True, "planned": pairs}))
    assert done["plan"]["applied"] is True and [s["state"] for s in done["plan"]["steps"]] == ["migrated"] * 6
    view = ok(api.get("/api/stale"))
    assert view["groups"] == [] and view["total"] == 6
    assert sorted((m["record"]["hash"], m["to_hash"]) for m in view["migrated"]) == sorted(map(tuple, pairs))
    targets = [target for _source, target in pairs]
    rows = ok(api.get("/api/experiments", params={"filter": "stale=false", "stale": "true", "limit": "100"}))["items"]
    assert sorted(row["hash"] for row in rows) == sorted(targets) and {row["stale"] for row in rows} == {False}
    again = ok(api.post("/api/stale/plan", json=body))["plan"]["steps"]
    assert {step["state"] for step in again} == {"finish"}  # as the CLI says: migrated before, nothing left but to finish
    assert (root / "furu-data" / "data" / "lab" / "steps" / "Data" / targets[0] / ".furu" / "success.json").exists()


def test_code_drift_is_on_the_rows_and_its_diff_is_furu_show_code_diff(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, hashes = lab
    rows = {row["hash"]: row for row in ok(api.get("/api/experiments", params={"limit": "100"}))["items"]}
    assert {rows[h]["code_drift"] for k, h in hashes.items() if k.startswith("Data")} == {"class"}
    assert {rows[h]["code_drift"] for k, h in hashes.items() if not k.startswith("Data")} == {"module"}
    diff = ok(api.get(f"/api/experiments/{hashes['Data:d'][:8]}/code-diff"))
    assert diff == json.loads(furu(root, "show", hashes["Data:d"][:8], "--code-diff", "--json").stdout)
    assert diff["file"] == "lab/steps.py" and diff["path"] == "lab/steps.py"
    assert [line for line in diff["diff"].splitlines() if line.startswith(("+", "-"))] == [
        "--- a/lab/steps.py", "+++ b/lab/steps.py", "+    scale: int = 1",
    ]
    assert api.get("/api/experiments/lab.steps.Data/code-diff").status_code == 404
    assert api.get("/api/experiments/ffffffff/code-diff").status_code == 404


def test_read_only_lists_the_groups_and_refuses_every_migration(lab: tuple[Path, dict[str, str]]) -> None:
    root, _hashes = lab
    with dashboard(root, "--read-only") as running, running.client() as client:
        assert len(ok(client.get("/api/stale"))["groups"]) == 3
        for route in ("/api/stale/plan", "/api/stale/apply"):
            refused = client.post(route, json={"filter": "class=lab.steps.Data", "confirm": True})
            assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert len(json.loads(furu(root, "ls", "--json").stdout)) == 6  # no target was made


def test_a_target_holding_another_result_is_a_conflict_until_overwrite(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, hashes = lab
    [made] = create(root, "Data(name='d', scale=1)").values()  # today's code computed the target itself meanwhile
    body = {"filter": hashes["Data:d"], "cascade": False}
    [step] = ok(api.post("/api/stale/plan", json=body))["plan"]["steps"]
    assert step["target_hash"] == made and step["state"] == "conflict"
    refused = api.post("/api/stale/apply", json={**body, "confirm": True, "planned": [[hashes["Data:d"], made]]})
    assert refused.status_code == 400
    assert f"lab.steps.Data {made[:8]} already holds a result, not one migrated from lab.steps.Data {hashes['Data:d'][:8]}" in refused.json()["detail"]
    done = ok(api.post("/api/stale/apply", json={**body, "overwrite": True, "confirm": True, "planned": [[hashes["Data:d"], made]]}))
    assert [s["state"] for s in done["plan"]["steps"]] == ["migrated"] and done["apply_command"].endswith("--no-cascade --overwrite --yes")
    leftovers = root / "furu-data" / "data" / "lab" / "steps" / "Data" / made / ".furu" / "leftovers"
    assert leftovers.is_dir() and any(leftovers.iterdir())  # the result it held is set aside, not deleted


def test_code_edited_after_the_dashboard_imported_it_blocks_every_plan(api: httpx.Client, lab: tuple[Path, dict[str, str]]) -> None:
    root, _hashes = lab
    assert ok(api.get("/api/stale"))["code_changed"] == []  # this imports lab.steps, as it is now
    steps = root / "lab" / "steps.py"
    steps.write_text(steps.read_text().replace("    scale: int = 1\n", "    scale: int = 2\n", 1))
    assert ok(api.get("/api/stale"))["code_changed"] == [str(steps)]
    for route in ("/api/stale/plan", "/api/stale/apply"):
        refused = api.post(route, json={"filter": "class=lab.steps.Data", "confirm": True})
        assert refused.status_code == 400
        assert refused.json()["detail"] == (
            f"Cannot plan a migration with the classes this process imported: {steps} changed since. Nothing was written; "
            "restart furu dashboard (or your Python session) so it imports today's code, then plan again."
        )
    assert len(json.loads(furu(root, "ls", "--json").stdout)) == 6  # no target was made
