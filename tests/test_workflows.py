"""The GitHub workflows are valid and run what .ci/run runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_the_workflows_validate_against_githubs_schema() -> None:
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "release.yml"]
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *WORKFLOWS], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_local_truth_on_both_pythons() -> None:
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    assert 'python: ["3.11", "3.12"]' in ci
    assert "bash .ci/run" in ci
    assert "python -m pip install . mypy" in ci  # the core alone, without extras


def test_release_checks_the_wheel_with_the_script_anyone_can_run() -> None:
    release = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "bash scripts/check-wheel.sh dist" in release
    assert (ROOT / "scripts" / "check-wheel.sh").stat().st_mode & 0o111
