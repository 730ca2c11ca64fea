"""A real project for the terminal UI's tests: a pipeline run by furu itself, in its own git repository.

``build`` makes the package ``tuilab`` (not installed), commits it, edits it
(so the runs are made from a dirty tree, with a patch to show), and runs, in
a subprocess as a user would: two datasets, a sweep of trainings (one fails
with a traceback), evaluations, a report over them, tags and a name. Then its
code moves on: ``Evaluate``'s class changes (code drift) and ``Report``'s
version is bumped (its result is stale).

``pin`` rewrites what differs between two builds (times, hosts, pids, git
commits, package versions, absolute paths) to fixed values, through furu's own
formats, so that SVG snapshots of a copy are the same on every machine.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import furu
from tests.throwaway import env, python

PACKAGE = "tuilab"
STEPS = '''
import logging
from pathlib import Path

import furu

log = logging.getLogger(__name__)


class Data(furu.Furu[str]):
    name: str = "mnist"
    rows: int = 100

    def _create(self) -> str:
        log.info("writing %d rows of %s", self.rows, self.name)
        (self.furu_dir / "data.csv").write_text("x,y\\n" + "".join(f"{i},{i % 3}\\n" for i in range(self.rows)))
        return self.name

    def _load(self) -> str:
        return self.name


class Train(furu.Furu[float]):
    data: Data = Data()
    lr: float = 0.01
    epochs: int = 3

    def _create(self) -> float:
        self.data.load_or_create()
        if self.lr >= 1:
            raise FloatingPointError(f"loss diverged at epoch 2 (lr={self.lr} is too high)")
        for epoch in range(1, self.epochs + 1):
            log.info("epoch %d/%d loss %.4f", epoch, self.epochs, 1 / (epoch * (1 + self.lr * 100)))
        (self.furu_dir / "metrics.json").write_text('{"loss": 0.25}')
        return 0.25

    def _load(self) -> float:
        return 0.25
'''
REPORT = '''
import furu

from tuilab.steps import Train


class Evaluate(furu.Furu[float]):
    model: Train = Train()
    split: str = "test"

    def _create(self) -> float:
        self.model.load_or_create()
        (self.furu_dir / "scores.csv").write_text(f"split,accuracy\\n{self.split},0.9\\n")
        return 0.9

    def _load(self) -> float:
        return 0.9


class Report(furu.Furu[str]):
    evaluations: list[Evaluate] = []

    def _create(self) -> str:
        for evaluation in self.evaluations:
            evaluation.load_or_create()
        (self.furu_dir / "report.md").write_text("# Sweep\\n")
        return "report.md"

    def _load(self) -> str:
        return "report.md"
'''
RUN = '''
from furu.annotations import add_tags, set_name
from tuilab.steps import Data, Train
from tuilab.report import Evaluate, Report

mnist, cifar = Data(), Data(name="cifar", rows=60)
trains = [Train(data=mnist, lr=lr) for lr in (0.001, 0.01, 0.1)] + [Train(data=cifar, lr=0.01)]
for train in trains:
    train.load_or_create()
try:
    Train(data=mnist, lr=1.0).load_or_create()
except FloatingPointError:
    pass
evaluations = [Evaluate(model=trains[0]), Evaluate(model=trains[1])]
Report(evaluations=evaluations).load_or_create()
add_tags(trains[1].furu_dir, ["best", "paper"])
set_name(trains[1].furu_dir, "baseline")
'''
ARTIFACTS = 10
"""2 datasets, 5 trainings (one failed), 2 evaluations and a report."""


def git_env(home: Path) -> dict[str, str]:
    """Git with no configuration but the repository's own (no developer's hooks or excludes)."""
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1"}


def _git(root: Path, home: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**env(), **git_env(home)})


def build(root: Path) -> Path:
    """The project at ``root`` (see the module docstring); returns ``root``."""
    home = root.parent / f"{root.name}-home"
    home.mkdir(parents=True)
    package = root / PACKAGE
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{PACKAGE}"\nversion = "0"\n')
    (root / ".gitignore").write_text("furu-data/\n__pycache__/\n")
    (package / "__init__.py").write_text("")
    (package / "steps.py").write_text(textwrap.dedent(STEPS))
    (package / "report.py").write_text(textwrap.dedent(REPORT))
    _git(root, home, "init", "-q", "-b", "main")
    _git(root, home, "config", "user.email", "ada@example.com")
    _git(root, home, "config", "user.name", "Ada")
    _git(root, home, "add", ".")
    _git(root, home, "commit", "-q", "-m", "the pipeline")
    (package / "steps.py").write_text(textwrap.dedent(STEPS).replace("epochs: int = 3", "epochs: int = 3  # tried 5"))
    result = python(root, RUN, **git_env(home))
    assert result.returncode == 0, result.stderr
    report = (package / "report.py").read_text()
    report = report.replace('    split: str = "test"\n', '    split: str = "test"\n    """Where it is scored."""\n')
    report = report.replace("class Report(furu.Furu[str]):", 'class Report(furu.Furu[str], version="2"):')
    (package / "report.py").write_text(report)
    return root


def copy(source: Path, target: Path) -> Path:
    """A copy of a built project, its catalog index and journal left behind (they name the source's paths)."""
    shutil.copytree(source, target, symlinks=True, ignore=shutil.ignore_patterns(".catalog", ".journal", "__pycache__"))
    return target


BASE = datetime(2026, 5, 14, 9, 0, tzinfo=UTC)
HOST = {
    "hostname": "lab-node", "user": "ada", "pid": 4242, "argv": ["run.py"], "cwd": "/home/ada/lab",
    "python_version": "3.11.7", "python_executable": "/usr/bin/python3", "platform": "Linux",
}  # fmt: skip
GIT = {"in_repository": True, "repo_root": "/home/ada/lab", "branch": "main", "head_commit": "4f3c2b1a0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a", "dirty": False}


def pin(root: Path) -> None:
    """Rewrite every artifact of the project at ``root`` to fixed times, host, git and paths (see the module docstring)."""
    data = root / "furu-data" / "data"
    dirs = sorted(path.parent.parent for path in data.rglob(".furu/state.json"))
    source_roots = [str(root.resolve()), str(Path(furu.__file__).resolve().parent.parent)]
    for index, artifact in enumerate(sorted(dirs, key=lambda p: (p.parent.name, p.name))):
        started = BASE + timedelta(minutes=7 * index)
        ended = started + timedelta(seconds=3 + 41 * index)
        internal = artifact / ".furu"
        state = json.loads((internal / "state.json").read_text())
        for attempt in state["attempts"]:
            attempt.update(id="attempt-1", host="lab-node", pid=4242, user="ada", started_at=started.isoformat(), ended_at=ended.isoformat())
            if attempt.get("error"):
                attempt["error"]["traceback"] = _pinned_text(attempt["error"]["traceback"], source_roots)
        state["updated_at"] = ended.isoformat()
        _write(internal / "state.json", state)
        metadata_path = internal / "metadata.json"
        if metadata_path.exists():
            metadata = json.loads(metadata_path.read_text())
            metadata.update(
                furu_version="0.0.0", attempt_id="attempt-1", started_at=started.isoformat(), finished_at=ended.isoformat(),
                duration_secs=(ended - started).total_seconds(), host=HOST, environment={"lock_files": [], "distributions": []},
                resources={"wall_secs": 1.0, "cpu_user_secs": 1.0, "cpu_sys_secs": 0.0, "peak_rss_bytes": 1 << 27}, git=GIT,
            )
            _write(metadata_path, metadata)
        success = internal / "success.json"
        if success.exists():
            marker = json.loads(success.read_text())
            marker.update(attempt_id="attempt-1", created_at=ended.isoformat())
            _write(success, marker)
        events = [json.loads(line) for line in (internal / "events.jsonl").read_text().splitlines()]
        for event in events:
            event.update(time=started.isoformat(), host="lab-node", pid=4242, attempt_id="attempt-1")
        (internal / "events.jsonl").write_text("".join(json.dumps(event) + "\n" for event in events))
        log = internal / "furu.log"
        if log.exists():
            text = re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", started.strftime("%Y-%m-%d %H:%M:%S,000"), log.read_text(), flags=re.M)
            log.write_text(_pinned_text(re.sub(r"pid \d+", "pid 4242", text), source_roots))


def _pinned_text(text: str, roots: list[str]) -> str:
    for source in roots:
        text = text.replace(source, "/home/ada/lab")
    text = re.sub(r'File "[^"]*?/((?:tuilab|furu)/[^"/]+(?:/[^"/]+)*)"', r'File "/home/ada/lab/\1"', text)  # the build's own paths
    return re.sub(r"line \d+", "line 1", text)


def _write(path: Path, document: object) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n")
