"""``[tool.furu.executor]``: the submitit executor setting, read and checked (no cluster needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import furu
from furu.cli import app
from furu.cluster.executor import configured_executor, describe, executor_setting
from furu.settings import ExecutorSetting, clear_settings_cache, current


def write_pyproject(tmp_path: Path, furu_part: str) -> None:
    (tmp_path / "project" / "pyproject.toml").write_text('[project]\nname = "scratch"\n\n' + furu_part)
    clear_settings_cache()


def test_no_table_means_no_executor_and_the_error_names_the_table_to_add(tmp_path: Path) -> None:
    assert current().executor is None
    with pytest.raises(furu.FuruConfigError) as raised:
        executor_setting()
    message = str(raised.value)
    assert message.startswith(f"No submitit executor is configured. Add a [tool.furu.executor] table to {tmp_path / 'project' / 'pyproject.toml'}, e.g.")
    assert 'cluster = "slurm"' in message and "FURU_EXECUTOR" in message


def test_the_table_is_read_with_the_folder_relative_to_the_project(tmp_path: Path) -> None:
    write_pyproject(
        tmp_path,
        '[tool.furu.executor]\ncluster = "slurm"\nfolder = "jobs/%j"\n'
        'parameters = { timeout_min = 60, slurm_partition = "debug", cpus_per_task = 2 }\n',
    )
    assert current().executor == ExecutorSetting(
        cluster="slurm", folder=tmp_path / "project" / "jobs" / "%j",
        parameters={"timeout_min": 60, "slurm_partition": "debug", "cpus_per_task": 2},
    )


def test_defaults_slurm_in_the_data_roots_submitit_folder(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.furu]\npath = "cache"\n\n[tool.furu.executor]\n')
    assert current().executor == ExecutorSetting(cluster="slurm", folder=tmp_path / "project" / "cache" / "submitit", parameters={})


def test_the_env_holds_the_same_table_as_json_and_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_pyproject(tmp_path, '[tool.furu.executor]\ncluster = "slurm"\n')
    monkeypatch.setenv("FURU_EXECUTOR", json.dumps({"cluster": "local", "folder": "/abs/jobs", "parameters": {"timeout_min": 5}}))
    assert current().executor == ExecutorSetting(cluster="local", folder=Path("/abs/jobs"), parameters={"timeout_min": 5})
    monkeypatch.setenv("FURU_EXECUTOR", "")  # empty: none, whatever pyproject.toml says
    assert current().executor is None


@pytest.mark.parametrize(
    ("table", "complaint"),
    [
        ('[tool.furu.executor]\ncluster = "slrum"\n', "cluster: Input should be 'slurm', 'local' or 'debug' (submitit's clusters), not 'slrum'"),
        ('[tool.furu.executor]\nfoldr = "jobs"\n', "unknown key(s) foldr; known keys: cluster, folder, parameters"),
        ("[tool.furu.executor]\nfolder = 3\n", "folder: Input should be a path (a non-empty string)"),
        ("[tool.furu.executor]\nparameters = 60\n", "parameters: Input should be a table of submitit parameters"),
        ('[tool.furu]\nexecutor = "slurm"\n', "Input should be a table: [tool.furu.executor] with cluster, folder and parameters"),
    ],
)
def test_a_bad_table_names_the_key_and_what_it_should_be(tmp_path: Path, table: str, complaint: str) -> None:
    write_pyproject(tmp_path, table)
    with pytest.raises(furu.FuruConfigError) as raised:
        current()
    assert str(raised.value).startswith("Invalid furu setting. [tool.furu.executor] in pyproject.toml: ")
    assert complaint in str(raised.value)


def test_bad_json_in_the_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_EXECUTOR", '{"cluster": ')
    with pytest.raises(furu.FuruConfigError, match=r"""env variable FURU_EXECUTOR='\{"cluster": ': Input should be a JSON object"""):
        current()
    monkeypatch.setenv("FURU_EXECUTOR", '["slurm"]')
    with pytest.raises(furu.FuruConfigError, match=r"FURU_EXECUTOR=.*Input should be a table"):
        current()


def test_the_executor_is_submitits_auto_executor_with_the_parameters(tmp_path: Path) -> None:
    write_pyproject(tmp_path, '[tool.furu.executor]\ncluster = "local"\nparameters = { timeout_min = 7, slurm_partition = "gpu" }\n')
    executor = configured_executor()
    assert type(executor).__name__ == "AutoExecutor" and executor.cluster == "local"
    assert Path(executor.folder) == tmp_path / "project" / "furu-data" / "submitit"
    assert executor._executor.parameters["timeout_min"] == 7  # slurm_* is ignored by submitit's local executor
    assert describe(current().executor) == (  # type: ignore[arg-type]
        f"submitit local executor (folder {tmp_path / 'project' / 'furu-data' / 'submitit'}, timeout_min=7, slurm_partition='gpu')"
    )


@pytest.mark.parametrize(
    ("parameters", "key", "reason"),
    [
        ("{ timeout = 60 }", "timeout", "Parameter 'timeout' need to be prefixed by an executor name."),
        ('{ timeout_min = "an hour" }', "timeout_min", 'Parameter "timeout_min" expected type'),
        ("{ slurm_partitoin = 'debug' }", "slurm_partitoin", "Unknown argument 'partitoin' for executor 'slurm'"),
    ],
)
def test_a_parameter_submitit_refuses_is_an_error_naming_it(tmp_path: Path, parameters: str, key: str, reason: str) -> None:
    write_pyproject(tmp_path, f'[tool.furu.executor]\ncluster = "slurm"\nparameters = {parameters}\n')
    with pytest.raises(furu.FuruConfigError) as raised:
        configured_executor()
    message = str(raised.value)
    assert message.startswith(f"[tool.furu.executor] parameters.{key} = ")
    assert "is not a parameter submitit's slurm executor takes: " in message and reason in message


def test_furu_run_without_an_executor_says_what_to_add() -> None:
    result = CliRunner().invoke(app, ["run", "nowhere:Nothing", "--executor", "slurm"])
    assert result.exit_code == 1
    assert "No submitit executor is configured. Add a [tool.furu.executor] table to " in result.output


def test_wait_needs_a_cluster_executor() -> None:
    result = CliRunner().invoke(app, ["run", "nowhere:Nothing", "--wait"])
    assert result.exit_code == 1
    assert "--wait goes with --executor submitit (a local run always waits)." in result.output
