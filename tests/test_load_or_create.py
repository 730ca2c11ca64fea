"""load_or_create in one process: hits, misses, failures, flags and what gets recorded."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

import furu
from conftest import run_python
from examples import Flaky, Picky, Pipeline, PrepareData, PrepareDataShuffled, Slow, Train, calls


def test_miss_creates_then_hit_loads(furu_tmp_root: Path, calls_file: Path) -> None:
    train = Train(lr=0.01)
    assert not train.exists()
    assert train.load_or_create() == {"rows": 5, "lr": 0.01}
    assert [line.split()[0] for line in calls(calls_file)] == ["Train", "PrepareData:toy"]
    assert train.exists()
    assert Train(lr=0.01).load_or_create() == {"rows": 5, "lr": 0.01}
    assert len(calls(calls_file)) == 2
    assert train.furu_dir == furu_tmp_root / "data" / "examples" / "Train" / train.furu_hash


def test_cache_hit_writes_nothing(furu_tmp_root: Path) -> None:
    train = Train()
    train.load_or_create()
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in furu_tmp_root.rglob("*")}
    Train().load_or_create()
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in furu_tmp_root.rglob("*")}
    assert before == after


def test_failure_is_recorded_and_the_next_call_retries(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    flaky = Flaky()
    with pytest.raises(ValueError, match="flaky failure on purpose") as raised:
        flaky.load_or_create()
    assert type(raised.value) is ValueError
    state = flaky.get_state()
    assert state.result == "failed"
    assert [a.status for a in state.attempts] == ["failed"]
    error = state.attempts[0].error
    assert error is not None
    assert error.type == "builtins.ValueError"
    assert error.message == "flaky failure on purpose"
    assert 'raise ValueError("flaky failure on purpose")' in error.traceback
    assert not (flaky.furu_dir / ".furu" / "lock").exists()
    assert not flaky.exists()

    config_record = json.loads((flaky.furu_dir / ".furu" / "config.json").read_text())
    assert (config_record["config"], config_record["hash"]) == (flaky.to_dict(), flaky.furu_hash)
    monkeypatch.delenv("FURU_TEST_FAIL")
    assert flaky.load_or_create() == 42
    state = flaky.get_state()
    assert state.result == "success"
    assert [(a.number, a.status) for a in state.attempts] == [(1, "failed"), (2, "success")]
    assert len(calls(calls_file)) == 2
    events = [json.loads(line)["event"] for line in (flaky.furu_dir / ".furu" / "events.jsonl").read_text().splitlines()]
    assert events == ["attempt_started", "attempt_failed", "attempt_started", "attempt_succeeded"]


def test_validate_false_forces_a_recompute(furu_tmp_root: Path, calls_file: Path) -> None:
    picky = Picky()
    assert picky.load_or_create() == "good"
    assert picky.load_or_create() == "good"
    assert len(calls(calls_file)) == 1
    (picky.furu_dir / "quality").write_text("spoiled")
    assert not picky.exists()
    assert picky.load_or_create() == "good"
    assert len(calls(calls_file)) == 2
    assert [a.status for a in picky.get_state().attempts] == ["success", "success"]


def test_version_bump_gives_a_new_artifact(furu_tmp_root: Path) -> None:
    class Versioned(furu.Furu[str], version="1"):
        def _create(self) -> str:
            (self.furu_dir / "v").write_text(self.furu_version)
            return self.furu_version

        def _load(self) -> str:
            return (self.furu_dir / "v").read_text()

    old = Versioned()
    assert old.load_or_create() == "1"

    class Versioned(furu.Furu[str], version="2"):  # type: ignore[no-redef]
        def _create(self) -> str:
            (self.furu_dir / "v").write_text(self.furu_version)
            return self.furu_version

        def _load(self) -> str:
            return (self.furu_dir / "v").read_text()

    new = Versioned()
    assert not new.exists()
    assert new.load_or_create() == "2"
    assert new.furu_dir != old.furu_dir
    assert new.get_metadata().version == "2"


def test_polymorphic_dependency_is_created_as_its_subclass(furu_tmp_root: Path, calls_file: Path) -> None:
    train = Train(data=PrepareDataShuffled(seed=1))
    train.load_or_create()
    metadata = train.get_metadata()
    assert metadata.config["data"]["__class__"] == "examples.PrepareDataShuffled"
    assert metadata.declared_dependencies[0].fqn == "examples.PrepareDataShuffled"
    assert (furu_tmp_root / "data" / "examples" / "PrepareDataShuffled" / train.data.furu_hash / "data.csv").exists()
    rebuilt = Train.from_dict(metadata.config)
    assert type(rebuilt.data) is PrepareDataShuffled
    assert rebuilt.furu_hash == train.furu_hash


def test_metadata_records_where_the_result_came_from(furu_tmp_root: Path) -> None:
    pipeline = Pipeline()
    pipeline.load_or_create()
    metadata = pipeline.get_metadata()
    assert metadata.schema_version == 1
    assert metadata.fqn == "examples.Pipeline"
    assert metadata.hash == pipeline.furu_hash
    assert metadata.config == pipeline.to_dict()
    assert metadata.python == pipeline.to_python()
    assert metadata.furu_version == furu.__version__
    assert metadata.finished_at >= metadata.started_at
    assert metadata.duration_secs == pytest.approx((metadata.finished_at - metadata.started_at).total_seconds())
    assert metadata.host.pid == os.getpid()
    assert metadata.host.cwd == os.getcwd()
    assert metadata.environment.distributions["pydantic"] == __import__("pydantic").VERSION
    declared = {(d.fqn, d.hash) for d in metadata.declared_dependencies}
    expected = {("examples.PrepareData", PrepareData(name=n).furu_hash) for n in ("a", "b", "extra")}
    assert declared == expected
    loaded = {(d.fqn, d.hash) for d in metadata.loaded_dependencies}
    assert loaded == {("examples.PrepareData", PrepareData(name=n).furu_hash) for n in ("a", "b")}
    assert metadata.resources.wall_secs >= 0
    assert metadata.resources.peak_rss_bytes > 10 * 2**20
    assert metadata.git is not None and metadata.git.in_repository is False
    on_disk = json.loads((pipeline.furu_dir / ".furu" / "metadata.json").read_text())
    assert on_disk["hash"] == pipeline.furu_hash
    success = json.loads((pipeline.furu_dir / ".furu" / "success.json").read_text())
    assert success["attempt_id"] == metadata.attempt_id


def test_get_state_and_metadata_before_creation(furu_tmp_root: Path) -> None:
    state = Train(lr=5.0).get_state()
    assert (state.result, state.attempts) == ("absent", [])
    with pytest.raises(furu.FuruNotFound, match="load_or_create"):
        Train(lr=5.0).get_metadata()


def test_force_recompute_runs_once_per_process(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    PrepareData().load_or_create()
    monkeypatch.setenv("FURU_FORCE_RECOMPUTE", "examples.PrepareData,examples.Other")
    PrepareData().load_or_create()
    PrepareData().load_or_create()
    assert [c.split()[0] for c in calls(calls_file)] == ["PrepareData:toy", "PrepareData:toy"]
    assert PrepareData().get_state().attempts[-1].status == "success"


def test_always_rerun_recomputes_every_time(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FURU_ALWAYS_RERUN", "examples.PrepareData")
    for _ in range(3):
        PrepareData().load_or_create()
    assert len(calls(calls_file)) == 3
    monkeypatch.setenv("FURU_ALWAYS_RERUN", "ALL")
    Train().load_or_create()
    Train().load_or_create()
    assert [c.split()[0] for c in calls(calls_file)][3:] == ["Train", "PrepareData:toy"] * 2


def test_dry_run_prints_the_plan_and_runs_nothing(
    furu_tmp_root: Path, calls_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    PrepareData(name="a").load_or_create()
    monkeypatch.setenv("FURU_DRY_RUN", "1")
    assert PrepareData(name="a").load_or_create().name == "data.csv"  # hits still load
    with pytest.raises(furu.FuruDryRun, match="3 artifact\\(s\\) would be created") as raised:
        Pipeline().load_or_create()
    assert len(calls(calls_file)) == 1
    plan = raised.value.plan
    assert (plan.fqn, plan.status) == ("examples.Pipeline", "missing")
    assert [(n.fqn, n.status) for n in plan.dependencies] == [
        ("examples.PrepareData", "cached"),
        ("examples.PrepareData", "missing"),
        ("examples.PrepareData", "missing"),
    ]
    err = capsys.readouterr().err
    assert "missing  examples.Pipeline" in err
    assert "cached   examples.PrepareData" in err
    assert furu.plan(Pipeline()) == plan


def test_plan_shows_failed_nodes(furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    with pytest.raises(ValueError):
        Flaky().load_or_create()
    node = furu.plan(Flaky())
    assert (node.status, node.last_attempt) == ("failed", "failed")


def test_logs_go_to_each_artifacts_own_file(
    furu_tmp_root: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    # pytest configures root handlers, so records pass only at the levels the application sets.
    examples_logger = logging.getLogger("examples")
    examples_logger.setLevel(logging.INFO)
    request.addfinalizer(lambda: examples_logger.setLevel(logging.NOTSET))
    train = Train(lr=0.5)
    train.load_or_create()
    train_log = (train.furu_dir / ".furu" / "furu.log").read_text()
    data_log = (train.data.furu_dir / ".furu" / "furu.log").read_text()
    assert "examples [" in train_log and "training on 5 rows with lr=0.5" in train_log
    assert "writing 5 rows" in data_log
    assert "writing 5 rows" not in train_log
    assert "training on" not in data_log
    # The dependency's decision lines land in the parent's log, where they happened.
    assert f"create examples.PrepareData {train.data.furu_hash[:8]}" in train_log
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"furu: create examples.Train {train.furu_hash[:8]} -> {train.furu_dir}",
        f"furu: create examples.PrepareData {train.data.furu_hash[:8]} -> {train.data.furu_dir}",
        f"furu: done   examples.PrepareData {train.data.furu_hash[:8]} in " + err[2].rsplit(" in ", 1)[1],
        f"furu: done   examples.Train {train.furu_hash[:8]} in " + err[3].rsplit(" in ", 1)[1],
    ]
    Train(lr=0.5).load_or_create()
    assert capsys.readouterr().err == ""  # a cache hit is logged at DEBUG: it would cost more than the hit
    assert logging.root.level == logging.WARNING


def test_an_unconfigured_script_logs_info_into_furu_log(furu_tmp_root: Path) -> None:
    script = "from examples import Train; Train(lr=0.25).load_or_create()"
    result = run_python(script, env={"FURU_PATH": str(furu_tmp_root)})
    assert result.returncode == 0, result.stderr
    log_text = (Train(lr=0.25).furu_dir / ".furu" / "furu.log").read_text()
    assert "INFO    examples [pid" in log_text and "training on 5 rows with lr=0.25" in log_text
    assert "training on" not in result.stderr  # INFO is kept in the file, not printed


def test_user_warnings_still_reach_the_console_during_create(
    furu_tmp_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Warns(furu.Furu[int]):
        def _create(self) -> int:
            logging.getLogger("user.code").warning("careful: %s", "disk almost full")
            (self.furu_dir / "x").write_text("1")
            return 1

        def _load(self) -> int:
            return 1

    saved = logging.root.handlers[:]
    logging.root.handlers = []
    try:
        Warns().load_or_create()
    finally:
        logging.root.handlers = saved + [h for h in logging.root.handlers if h not in saved]
    assert "careful: disk almost full" in capsys.readouterr().err


def test_checkpoint_dir_survives_failure_and_is_removed_after_success(
    furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Resumable(furu.Furu[int]):
        def _create(self) -> int:
            progress = self.checkpoint_dir / "progress"
            done = int(progress.read_text()) if progress.exists() else 0
            progress.write_text(str(done + 1))
            if os.environ.get("FURU_TEST_FAIL"):
                raise RuntimeError("preempted halfway")
            (self.furu_dir / "steps").write_text(str(done + 1))
            return done + 1

        def _load(self) -> int:
            return int((self.furu_dir / "steps").read_text())

    monkeypatch.setenv("FURU_TEST_FAIL", "1")
    with pytest.raises(RuntimeError):
        Resumable().load_or_create()
    assert (Resumable().checkpoint_dir / "progress").read_text() == "1"
    monkeypatch.delenv("FURU_TEST_FAIL")
    assert Resumable().load_or_create() == 2
    assert not (Resumable().furu_dir / ".furu" / "checkpoint").exists()


def test_raw_dir_is_shared(furu_tmp_root: Path) -> None:
    assert PrepareData().raw_dir == Train().raw_dir == furu_tmp_root / "raw"
    assert (furu_tmp_root / "raw").is_dir()


def test_slow_artifact_state_is_visible_while_running(furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_TEST_SLOW_SECS", "0")
    seen = []

    class Observer(Slow):
        def _create(self) -> str:
            seen.append(self.get_state().latest_attempt.status)  # type: ignore[union-attr]
            seen.append(furu.plan(self).status)
            return super()._create()

    Observer().load_or_create()
    assert seen == ["running", "running"]


def test_log_level_quiets_the_console(
    furu_tmp_root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FURU_LOG_LEVEL", "WARNING")
    Train(lr=0.75).load_or_create()
    Train(lr=0.75).load_or_create()
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("FURU_LOG_LEVEL", "DEBUG")
    Train(lr=0.75).load_or_create()
    assert capsys.readouterr().err.startswith("furu: load   examples.Train")
