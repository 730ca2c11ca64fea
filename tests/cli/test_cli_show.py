"""`furu show` and `furu logs`: one artifact, every part of it."""

from __future__ import annotations

from .cli_helpers import truncate


def test_show_json_has_every_part(furu_cli, made):
    report = furu_cli.json("show", made.train.furu_hash[:6])
    record = report["record"]
    assert record["fqn"] == "examples.Train"
    assert record["hash"] == made.train.furu_hash
    assert record["config"] == {
        "__class__": "examples.Train",
        "data": {"__class__": "examples.PrepareData", "name": "toy", "rows": 5},
        "lr": 0.001,
        "note": "",
    }
    assert record["version"] == "2"
    assert [a["status"] for a in report["state"]["attempts"]] == ["success"]
    assert report["metadata"]["hash"] == made.train.furu_hash
    assert report["metadata"]["git"]["in_repository"] is False
    deps = report["dependencies"]
    assert deps["hash"] == made.train.furu_hash
    assert [(c["fqn"], c["hash"], c["status"], c["edge"]) for c in deps["children"]] == [
        ("examples.PrepareData", made.toy.furu_hash, "success", "declared+loaded")
    ]
    assert [d["hash"] for d in report["dependents"]] == [made.summary.furu_hash]
    assert report["files"] == [{"path": "result.txt", "bytes": len("{'rows': 5, 'lr': 0.001}")}]
    log = made.train._paths().log.read_text().splitlines()
    assert log and report["log_tail"] == log[-20:]
    assert report["python"] == (
        "from examples import PrepareData, Train\n\n"
        "Train(data=PrepareData(name='toy', rows=5), lr=0.001, note='')\n"
    )
    assert report["problems"] == []


def test_show_table_for_humans(furu_cli, made):
    out = furu_cli("show", made.train.furu_hash[:8]).stdout
    assert out.splitlines()[0] == f"examples.Train {made.train.furu_hash}  success"
    for expected in (
        "config", "├── data = examples.PrepareData", "│   ├── name = toy", "├── lr = 0.001",
        "attempts", "provenance", "dependencies", f"success examples.PrepareData {made.toy.furu_hash[:8]} (declared+loaded)",
        "dependents", f"success examples.Summary {made.summary.furu_hash[:8]}", "files", "result.txt", "log", "python",
        "Train(data=PrepareData(name='toy', rows=5), lr=0.001, note='')",
    ):
        assert expected in out, expected


def test_show_failed_artifact_has_attempt_error_and_its_config(furu_cli, made):
    report = furu_cli.json("show", made.failed.furu_hash)
    assert report["record"]["status"] == "failed"
    attempt = report["state"]["attempts"][0]
    assert attempt["status"] == "failed"
    assert attempt["error"]["type"] == "builtins.ValueError"
    assert attempt["error"]["message"] == "flaky failure on purpose"
    assert report["metadata"] is None
    assert report["record"]["config"] == made.failed.to_dict()  # from config.json, written at the start
    assert report["python"] == made.failed.to_python()
    out = furu_cli("show", made.failed.furu_hash).stdout
    assert "ValueError: flaky failure on purpose" in out


def test_show_damaged_state_reports_instead_of_crashing(furu_cli, made):
    state = made.toy._paths().state
    truncate(state)
    report = furu_cli.json("show", made.toy.furu_hash)
    assert report["record"]["status"] == "damaged"
    assert report["state"] is None
    assert report["problems"][0].startswith(f"{state} is unreadable")
    assert "damaged" in furu_cli("show", made.toy.furu_hash).stdout


def test_show_by_spec_and_by_path(furu_cli, made):
    by_spec = furu_cli.json("show", "examples:PrepareData", "name=a")
    assert by_spec["record"]["hash"] == made.a.furu_hash
    by_path = furu_cli.json("show", str(made.a.furu_dir / "data.csv"))
    assert by_path["record"]["hash"] == made.a.furu_hash


def test_logs_prints_the_log_and_follow_stops_when_not_running(furu_cli, made):
    lines = (made.train._paths().log).read_text().splitlines()
    assert furu_cli("logs", made.train.furu_hash[:8]).stdout.splitlines() == lines
    assert furu_cli("logs", made.train.furu_hash[:8], "-n", "1").stdout.splitlines() == lines[-1:]
    assert furu_cli("logs", made.train.furu_hash[:8], "-f").stdout.splitlines() == lines
    assert furu_cli.json("logs", made.train.furu_hash[:8], "-n", "2") == {"path": str(made.train._paths().log), "lines": lines[-2:]}


def test_logs_follow_waits_for_a_running_artifact(furu_cli, tmp_path):
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from examples import Slow

    slow = Slow(name="followed")
    env = {**os.environ, "FURU_TEST_SLOW_SECS": "1.5",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen(
        [sys.executable, "-c", "from examples import Slow; Slow(name='followed').load_or_create()"], env=env
    )
    try:
        deadline = time.monotonic() + 30
        while not (slow.furu_dir / "started").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert furu_cli.json("show", slow.furu_hash)["record"]["status"] == "running"
        furu_cli("logs", slow.furu_hash, "-f")
        assert process.poll() is not None or slow.exists()  # it returned only once the run was over
        assert furu_cli.json("show", slow.furu_hash)["record"]["status"] == "success"
    finally:
        process.wait(timeout=30)


def test_queued_cluster_attempt_shows_its_job(furu_cli, made):
    from examples import PrepareData
    from furu.state import ArtifactState, start_attempt, write_state

    queued = PrepareData(name="queued")
    paths = queued._paths()
    paths.internal.mkdir(parents=True)
    state = ArtifactState(fqn=queued.furu_fqn(), hash=queued.furu_hash)
    start_attempt(state, "q1", backend="slurm", status="queued", job_id="4242")
    write_state(paths, state)
    assert {r["hash"]: r["status"] for r in furu_cli.json("ls")}[queued.furu_hash] == "queued"
    assert furu_cli.json("show", queued.furu_hash)["state"]["attempts"][0]["job_id"] == "4242"
    assert "(slurm job 4242)" in furu_cli("show", queued.furu_hash).stdout
