"""The software environment of a run: interpreter, platform, lock files, installed packages."""

from __future__ import annotations

import os
import platform
import sys
from functools import cache
from pathlib import Path

import xxhash
from pydantic import BaseModel, ConfigDict

from furu.state import hostname, username

LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "pixi.lock", "requirements.lock", "requirements.txt")


class HostInfo(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    hostname: str
    user: str
    pid: int
    argv: list[str]
    cwd: str
    python_version: str
    python_executable: str
    platform: str


class LockFileDigest(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    path: str
    xxh3_128: str


class PackageEnvironment(BaseModel):
    """Enough to rebuild the environment: lock files by digest, and what was installed."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    lock_files: list[LockFileDigest]
    distributions: dict[str, str]


def host_info() -> HostInfo:
    return HostInfo(
        hostname=hostname(),
        user=username(),
        pid=os.getpid(),
        argv=list(sys.argv),
        cwd=os.getcwd(),
        python_version=platform.python_version(),
        python_executable=sys.executable,
        platform=platform.platform(),
    )


def package_environment(project_root: Path | None) -> PackageEnvironment:
    lock_files = []
    if project_root is not None:
        for name in LOCK_FILES:
            path = project_root / name
            if path.is_file():
                digest = xxhash.xxh3_128_hexdigest(path.read_bytes())
                lock_files.append(LockFileDigest(path=name, xxh3_128=digest))
    return PackageEnvironment(lock_files=lock_files, distributions=installed_distributions())


@cache
def installed_distributions() -> dict[str, str]:
    """Name -> version of every installed distribution; read once per process (it is slow)."""
    import importlib.metadata  # ~10 ms of imports (email, zipfile) that reading metadata.json never needs

    found: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and name not in found:
            found[name] = dist.version
    return dict(sorted(found.items(), key=lambda item: item[0].lower()))
