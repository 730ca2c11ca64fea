"""A throwaway project whose package is not installed, and the real ``furu`` command run against it.

The ``furu`` console script is started as a user would start it: its
``sys.path`` does not hold the working directory, no PYTHONPATH points at the
project, and no FURU_* variable leaks in from the shell.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

FURU = str(Path(sys.executable).parent / "furu")

STEPS = '''
from pathlib import Path
from typing import Any

import furu


class Data(furu.Furu[str]):
    name: str = "d"

    def _create(self) -> str:
        (self.furu_dir / "out.txt").write_text(self.name)
        return self.name

    def _load(self) -> str:
        return (self.furu_dir / "out.txt").read_text()


class Model(furu.Furu[str]):
    data: Data = Data()
    weights: dict[tuple[int, int], float] = {}
    extra: Any = None

    def _create(self) -> str:
        text = "model of " + self.data.load_or_create()
        (self.furu_dir / "model.txt").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "model.txt").read_text()


class Report(furu.Furu[str]):
    model: Model = Model()

    def _create(self) -> str:
        text = "report on " + self.model.load_or_create()
        (self.furu_dir / "report.txt").write_text(text)
        return text

    def _load(self) -> str:
        return (self.furu_dir / "report.txt").read_text()


class Broken(furu.Furu[str]):
    def _create(self) -> str:
        raise ValueError("broken on purpose")

    def _load(self) -> str:
        return ""
'''


def make_project(root: Path, steps: str = STEPS) -> Path:
    """``root/pyproject.toml`` and the package ``lab`` (``lab/steps.py``), not installed."""
    (root / "lab").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "lab"\nversion = "0"\n')
    (root / "lab" / "__init__.py").write_text("")
    (root / "lab" / "steps.py").write_text(textwrap.dedent(steps))
    return root


def env(**extra: str) -> dict[str, str]:
    """The shell's environment without FURU_* and PYTHONPATH, plus ``extra``."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("FURU_") and k != "PYTHONPATH"}
    out.update({"COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb", "FURU_LEASE_SECS": "5", "FURU_HEARTBEAT_SECS": "0.5"})
    out.update(extra)
    return out


def python(cwd: Path, code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` as the user's pipeline would run (``python -c`` from ``cwd``: it is importable)."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=120
    )
    return result


def furu(cwd: Path, *args: str, code: int | None = 0, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``furu`` command from ``cwd``; assert its exit code (unless ``code`` is None)."""
    result = subprocess.run([FURU, *args], cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=120)
    if code is not None and result.returncode != code:
        raise AssertionError(
            f"furu {' '.join(args)} exited {result.returncode}, expected {code}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def furu_json(cwd: Path, *args: str, **extra: str) -> Any:
    return json.loads(furu(cwd, *args, "--json", **extra).stdout)


def artifact_dir(data_root: Path, cls: str, furu_hash: str) -> Path:
    return data_root / "data" / "lab" / "steps" / cls / furu_hash


def create(project: Path, *objs: str, **extra: str) -> dict[str, str]:
    """Create ``lab.steps`` objects (Python expressions) from the project; their hashes, by expression."""
    code = "import json\nfrom lab.steps import *\nout = {}\n" + "".join(
        f"obj = {expr}\nobj.load_or_create()\nout[{expr!r}] = obj.furu_hash\n" for expr in objs
    ) + "print(json.dumps(out))\n"
    result = python(project, code, **extra)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def loads(project: Path, expr: str) -> str:
    """What load_or_create returns in the user's own process, asserting it was a cache hit."""
    result = python(project, f"from lab.steps import *\nobj = {expr}\nassert obj.exists()\nprint(obj.load_or_create())")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def kept(plan: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """A gc plan's kept artifacts: hash -> (kind, detail)."""
    return {item["record"]["hash"]: (item["kind"], item["detail"]) for item in plan["kept"]}


def damaged_successes(project: Path) -> dict[str, str]:
    """Three successes, one furu file of each unreadable: state.json, the success marker, metadata.json.

    The marker one has no state.json either, so the marker alone decides; all
    three still load. Their hashes, by expression, in that order.
    """
    hashes = create(project, "Data(name='state')", "Data(name='marker')", "Data(name='metadata')")
    state_hash, marker_hash, metadata_hash = hashes.values()
    root = project / "furu-data"
    (artifact_dir(root, "Data", state_hash) / ".furu" / "state.json").write_text('{"trunc')
    marker_dir = artifact_dir(root, "Data", marker_hash) / ".furu"
    (marker_dir / "state.json").unlink()
    (marker_dir / "success.json").write_text('{"trunc')  # unreadable, yet load_or_create still hits it
    (artifact_dir(root, "Data", metadata_hash) / ".furu" / "metadata.json").write_text("{")
    return hashes

