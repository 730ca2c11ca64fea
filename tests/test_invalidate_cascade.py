"""`furu invalidate --cascade` is complete, or refuses and says which artifact it cannot check."""

from __future__ import annotations

from pathlib import Path

import pytest
from throwaway import artifact_dir, create, furu, furu_json, make_project

@pytest.fixture
def lab(tmp_path: Path) -> Path:
    return make_project(tmp_path / "lab")


def marker(lab: Path, cls: str, furu_hash: str) -> Path:
    return artifact_dir(lab / "furu-data", cls, furu_hash) / ".furu" / "success.json"


def test_a_damaged_downstream_metadata_still_cascades_through_config_json(lab):
    hashes = create(lab, "Report()", "Data(name='other')")
    report = hashes["Report()"]
    data, model = (furu_json(lab, "show", ref)["record"]["hash"] for ref in ("lab.steps:Data", "lab.steps:Model"))
    (artifact_dir(lab / "furu-data", "Model", model) / ".furu" / "metadata.json").write_text('{"fqn": "lab.st')
    result = furu_json(lab, "invalidate", data[:8], "--cascade")
    assert [r["hash"] for r in result["invalidated"]] == [data, model, report]
    assert result["skipped"] == [] and result["unchecked"] == []
    for cls, furu_hash in (("Data", data), ("Model", model), ("Report", report)):
        assert not marker(lab, cls, furu_hash).exists()
    assert marker(lab, "Data", hashes["Data(name='other')"]).exists()


def test_a_success_whose_records_cannot_be_read_blocks_the_cascade_unless_forced(lab):
    hashes = create(lab, "Report()", "Data(name='mystery')")
    data = furu_json(lab, "show", "lab.steps:Data")["record"]["hash"]
    mystery = artifact_dir(lab / "furu-data", "Data", hashes["Data(name='mystery')"]) / ".furu"
    (mystery / "metadata.json").write_text("{")
    (mystery / "config.json").unlink()
    refused = furu(lab, "invalidate", data[:8], "--cascade", code=1)
    assert refused.stderr.startswith(f"error: Cannot tell whether 1 artifact(s) depend on lab.steps.Data {data[:8]}")
    assert f"lab.steps.Data {mystery.parent.name[:8]}: {mystery}/metadata.json is unreadable" in refused.stderr
    assert "add --force" in refused.stderr and "Nothing was invalidated." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert marker(lab, "Data", data).exists()  # nothing changed
    forced = furu(lab, "invalidate", data[:8], "--cascade", "--force")
    assert forced.stdout.splitlines()[:3] == [
        f"invalidated lab.steps.Data {data[:8]}",
        f"invalidated lab.steps.Model {furu_json(lab, 'show', 'lab.steps:Model')['record']['hash'][:8]}",
        f"invalidated lab.steps.Report {hashes['Report()'][:8]}",
    ]
    assert forced.stdout.splitlines()[3].startswith(f"unchecked lab.steps.Data {mystery.parent.name[:8]}: ")
    assert not marker(lab, "Data", data).exists()
    assert (mystery / "success.json").exists()  # left as it was


def test_an_unrelated_failed_artifact_with_no_records_does_not_block(lab):
    hashes = create(lab, "Report()")
    data = furu_json(lab, "show", "lab.steps:Data")["record"]["hash"]
    bare = artifact_dir(lab / "furu-data", "Data", "0" * 32) / ".furu"
    bare.mkdir(parents=True)  # never succeeded: nothing downstream of it can be misled
    result = furu_json(lab, "invalidate", data[:8], "--cascade")
    assert len(result["invalidated"]) == 3 and result["unchecked"] == []
    assert not marker(lab, "Report", hashes["Report()"]).exists()
