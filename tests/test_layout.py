"""Where data lives: project root, FURU_PATH, [tool.furu], version-controlled artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest

import furu
from conftest import run_python
from gitenv import git, init_project_repo
from furu.project import clear_project_cache, project_root
from furu.settings import clear_settings_cache, current


def test_root_is_the_nearest_pyproject_then_gitignore(tmp_path: Path) -> None:
    (tmp_path / "a" / "b" / "c").mkdir(parents=True)
    (tmp_path / "a" / ".gitignore").write_text("")
    (tmp_path / "a" / "b" / "pyproject.toml").write_text("")
    assert project_root(str(tmp_path / "a" / "b" / "c")) == tmp_path / "a" / "b"
    (tmp_path / "x" / "y").mkdir(parents=True)
    (tmp_path / "x" / ".gitignore").write_text("")
    assert project_root(str(tmp_path / "x" / "y")) == tmp_path / "x"


def test_no_root_names_furu_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    with pytest.raises(furu.FuruProjectRootError, match="FURU_PATH"):
        current()
    monkeypatch.setenv("FURU_PATH", str(tmp_path / "cache"))
    assert current().data_root == tmp_path / "cache"


def test_default_data_root_and_artifacts_root(tmp_path: Path) -> None:
    settings = current()
    assert settings.project_root == tmp_path / "project"
    assert settings.data_root == tmp_path / "project" / "furu-data"
    assert settings.artifacts_root == tmp_path / "project" / "furu-data" / "artifacts"


def test_linked_worktree_shares_the_main_worktrees_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main = init_project_repo(tmp_path / "main")
    (main / "sub").mkdir()
    (main / "sub" / "pyproject.toml").write_text("")
    git(main, "add", ".")
    git(main, "commit", "-q", "-m", "init")
    git(main, "worktree", "add", "-q", str(tmp_path / "feature"), "-b", "feature")
    clear_project_cache()
    assert project_root(str(tmp_path / "feature" / "sub")) == main / "sub"
    monkeypatch.chdir(tmp_path / "feature" / "sub")
    assert current().data_root == main / "sub" / "furu-data"


def test_tool_furu_sets_options_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "project" / "pyproject.toml").write_text(
        '[tool.furu]\npath = "cache"\nlease_secs = 30\nalways_rerun = "a.B,c.D"\n'
    )
    clear_settings_cache()
    settings = current()
    assert settings.data_root == tmp_path / "project" / "cache"
    assert settings.lease_secs == 30
    assert settings.effective_heartbeat_secs == 10
    assert settings.always_rerun == frozenset({"a.B", "c.D"})
    monkeypatch.setenv("FURU_LEASE_SECS", "0.5")
    assert current().lease_secs == 0.5


def test_every_option_has_a_parser_and_every_parser_an_option() -> None:
    import dataclasses

    from furu.settings import OPTION_NAMES, Settings

    located = {"project_root", "data_root", "artifacts_root"}  # filled in by current(), not options
    assert set(OPTION_NAMES) == {field.name for field in dataclasses.fields(Settings)} - located


def test_every_kind_of_setting_is_read_from_env_and_pyproject(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "project" / "pyproject.toml").write_text(
        "[tool.furu]\nforce_recompute = ['a.B', ' c.D ']\nrequire_git = true\npreempt_max = 5\n"
        "snapshot_max_file_bytes = 2048.0\nmax_wait_secs = 7\n"
    )
    clear_settings_cache()
    settings = current()
    assert settings.force_recompute == frozenset({"a.B", "c.D"})
    assert (settings.require_git, settings.preempt_max, settings.snapshot_max_file_bytes) == (True, 5, 2048)
    assert settings.max_wait_secs == 7.0 and isinstance(settings.max_wait_secs, float)
    for word, expected in [("yes", True), ("Off", False), ("1", True), ("f", False)]:
        monkeypatch.setenv("FURU_DRY_RUN", word)
        assert current().dry_run is expected
    monkeypatch.setenv("FURU_PREEMPT_MAX", " 2 ")
    monkeypatch.setenv("FURU_HEARTBEAT_SECS", "1e-1")
    monkeypatch.setenv("FURU_ARTIFACTS_PATH", "~/shared")
    settings = current()
    assert (settings.preempt_max, settings.heartbeat_secs) == (2, 0.1)
    assert settings.artifacts_root == Path("~/shared").expanduser()


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("FURU_DRY_RUN", "maybe", "valid boolean"),
        ("FURU_PREEMPT_MAX", "2.5", "valid integer"),
        ("FURU_POLL_INTERVAL_SECS", "nan", "greater than 0"),
        ("FURU_HEARTBEAT_SECS", "", "valid number"),
    ],
)
def test_a_bad_env_value_names_its_variable_and_what_it_should_be(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(furu.FuruConfigError, match=rf"{name}={value!r}: .*{complaint}"):
        current()


def test_a_bad_pyproject_value_names_its_key(tmp_path: Path) -> None:
    (tmp_path / "project" / "pyproject.toml").write_text("[tool.furu]\nalways_rerun = 3\nlog_level = 10\n")
    clear_settings_cache()
    with pytest.raises(furu.FuruConfigError, match=r"\[tool.furu\] always_rerun .*list of strings; \[tool.furu\] log_level .*valid string"):
        current()


def test_bad_settings_say_which_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FURU_LEASE_SECS", "soon")
    with pytest.raises(furu.FuruConfigError, match="FURU_LEASE_SECS='soon'"):
        current()
    monkeypatch.setenv("FURU_LEASE_SECS", "-1")
    with pytest.raises(furu.FuruConfigError, match="greater than 0"):
        current()
    monkeypatch.delenv("FURU_LEASE_SECS")
    (tmp_path / "project" / "pyproject.toml").write_text("[tool.furu]\nleese_secs = 3\n")
    clear_settings_cache()
    with pytest.raises(furu.FuruConfigError, match="Unknown key\\(s\\) leese_secs"):
        current()


def test_version_controlled_artifacts_leave_a_clean_git_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_project_repo(tmp_path / "repo")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (repo / ".gitignore").write_text("__pycache__/\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "init")
    user_gitignore = (repo / ".gitignore").read_text()
    monkeypatch.chdir(repo)
    monkeypatch.setenv("FURU_PATH", str(repo / "elsewhere-cache"))
    result = run_python("from examples import Summary; print(Summary().load_or_create(), end='')", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "rows=5 lr=0.001\n"
    from examples import Summary

    summary_dir = Summary().furu_dir
    assert summary_dir == repo / "furu-data" / "artifacts" / "examples" / "Summary" / Summary().furu_hash
    status = sorted(git(repo, "status", "--porcelain", "--untracked-files=all").splitlines())
    relative = summary_dir.relative_to(repo).as_posix()
    assert status == sorted(
        [
            "?? elsewhere-cache/.gitignore",
            "?? furu-data/artifacts/.gitignore",
            f"?? {relative}/.furu/metadata.json",
            f"?? {relative}/.furu/success.json",
            f"?? {relative}/summary.txt",
        ]
    )
    assert (repo / ".gitignore").read_text() == user_gitignore
    assert (summary_dir / ".furu" / "furu.log").exists() and (summary_dir / ".furu" / "state.json").exists()


def test_data_root_gitignore_hides_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_project_repo(tmp_path / "repo")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    monkeypatch.chdir(repo)
    result = run_python("from examples import Summary, Train; Summary().load_or_create(); Train(lr=9.0).load_or_create()", cwd=repo)
    assert result.returncode == 0, result.stderr
    status = git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert "?? furu-data/.gitignore" in status
    assert not [line for line in status if "/data/" in line or "/raw/" in line]
    assert [line for line in status if line.endswith("summary.txt")]


def test_furu_artifacts_path_overrides_placement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FURU_ARTIFACTS_PATH", str(tmp_path / "committed"))
    from examples import Summary

    assert Summary().furu_dir.parent.parent.parent == tmp_path / "committed"
