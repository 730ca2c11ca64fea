"""Two real projects: A (a git repository that ran a three-level pipeline) and B (a clone elsewhere).

The pipeline is written into A's repository, as a user's code would be, so
both projects import the same classes. A's working tree carries an
uncommitted edit when the pipeline runs, so its snapshot differs from every
commit a clone could have: only the bundle can bring it to B.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gitenv import isolated_git as isolated_git_config
from furu.settings import clear_settings_cache

PIPELINE = '''\
"""A three-level pipeline: Corpus -> Features -> Model (version-controlled)."""
import json
import os
import pickle

import furu


def called(name):
    path = os.environ.get("SHARE_TEST_CALLS")
    if path:
        with open(path, "a") as handle:
            handle.write(name + "\\n")


class Corpus(furu.Furu[str]):
    size: int = 3

    def _create(self):
        called("Corpus")
        text = "word " * self.size
        (self.furu_dir / "corpus.txt").write_text(text)
        return text

    def _load(self):
        return (self.furu_dir / "corpus.txt").read_text()


class Features(furu.Furu[list]):
    corpus: Corpus = Corpus()
    scale: int = 2

    def _create(self):
        called("Features")
        values = [len(word) * self.scale for word in self.corpus.load_or_create().split()]
        (self.furu_dir / "features.json").write_text(json.dumps(values))
        (self.furu_dir / "nested" / "deep").mkdir(parents=True)
        (self.furu_dir / "nested" / "deep" / "blob.bin").write_bytes(bytes(range(256)) * 40)
        (self.furu_dir / "latest").symlink_to("features.json")
        return values

    def _load(self):
        return json.loads((self.furu_dir / "latest").read_text())


class Model(furu.Furu[dict], version_controlled=True):
    features: Features = Features()
    lr: float = 0.5

    def _create(self):
        called("Model")
        model = {"weights": [v * self.lr for v in self.features.load_or_create()], "code": VERSION}
        (self.furu_dir / "model.pkl").write_bytes(pickle.dumps(model))
        return model

    def _load(self):
        with open(self.furu_dir / "model.pkl", "rb") as handle:
            return pickle.load(handle)


VERSION = "v1"
'''

CREATE_AND_EXPORT = """
import json, sys
import furu.share
from sharepipe import Corpus, Features, Model
result = Model().load_or_create()
report = furu.share.export([Model()], sys.argv[1])
print(json.dumps({"result": result, "hashes": {c.__name__: c().furu_hash for c in (Corpus, Features, Model)},
                  "snapshot": Model().provenance().snapshot_id}))
"""

MODEL_RESULT = {"weights": [4.0, 4.0, 4.0], "code": "v1-uncommitted"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a subprocess: no FURU_* or GIT_* from the shell, git config isolated."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FURU_", "GIT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), GIT_CONFIG_NOSYSTEM="1")
    env.update(extra)
    return env


@dataclass(frozen=True)
class Shared:
    """Project A after running the pipeline, and the full bundle exported from it."""

    repo: Path
    home: Path
    bundle: Path
    hashes: dict[str, str]
    snapshot: str

    def run_in(
        self, project: Path, code: str, *args: str, calls: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = clean_env(self.home, PYTHONPATH=str(project))
        if calls is not None:
            env["SHARE_TEST_CALLS"] = str(calls)
        return subprocess.run(
            [sys.executable, "-c", code, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
        )


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Shared:
    root = tmp_path_factory.mktemp("share")
    home = root / "home"
    (home / ".config" / "git").mkdir(parents=True)
    repo = root / "project-a"
    repo.mkdir()
    env = clean_env(home)
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "a@example.com"), ("config", "user.name", "A")):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (repo / ".gitignore").write_text("__pycache__/\n")
    (repo / "sharepipe.py").write_text(PIPELINE)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "pipeline"], cwd=repo, check=True, env=env)
    (repo / "sharepipe.py").write_text(PIPELINE.replace('VERSION = "v1"', 'VERSION = "v1-uncommitted"'))
    bundle = root / "full.furu.tar"
    shared = Shared(repo, home, bundle, {}, "")
    result = shared.run_in(repo, CREATE_AND_EXPORT, str(bundle), calls=root / "calls-a.txt")
    assert result.returncode == 0, result.stderr
    told = json.loads(result.stdout.strip().splitlines()[-1])
    assert told["result"] == MODEL_RESULT
    return Shared(repo, home, bundle, told["hashes"], told["snapshot"])


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """In this process too, git and pygit2 see no global or system configuration."""
    with isolated_git_config(tmp_path, monkeypatch, ceiling=False) as home:
        yield home


@pytest.fixture
def project_b(shared: Shared, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clone of A at another path, made as a remote would send it (no refs/furu/*); the working directory."""
    clone = tmp_path / "elsewhere" / "project-b"
    clone.parent.mkdir()
    git(tmp_path, "clone", "-q", "--no-local", str(shared.repo), str(clone))
    git(clone, "config", "user.email", "b@example.com")
    git(clone, "config", "user.name", "B")
    monkeypatch.chdir(clone)
    monkeypatch.syspath_prepend(str(clone))
    clear_settings_cache()
    return clone


def tree(root: Path) -> dict[str, int]:
    """Every path under ``root`` with its size (-1 for directories): to prove nothing was written."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            found[os.path.relpath(os.path.join(dirpath, name), root)] = -1
        for name in filenames:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, root)] = os.lstat(path).st_size
    return found
