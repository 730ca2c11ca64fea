"""furu's options: ``FURU_*`` environment variables over ``[tool.furu]`` in pyproject.toml.

Every option has one name; the env variable is ``FURU_`` + its upper-cased
name and the pyproject key is the name itself, e.g. ``FURU_LEASE_SECS`` and
``lease_secs = 60``. The env wins. One option is a table, ``[tool.furu.executor]``
(in the env: ``FURU_EXECUTOR`` holding the same table as JSON). Settings are looked up on every call (tests
and notebooks change env variables at run time) but cached per distinct
environment, so the lookup costs a few dictionary probes on the hot path.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from furu.errors import FuruConfigError, FuruProjectRootError
from furu.project import project_root

ENV_PREFIX = "FURU_"
DEFAULT_REGEX_SECS = 5.0
"""Longest a filter's regular expression may take on one value (furu.query.patterns)."""
DATA_DIR_NAME = "furu-data"
EXECUTOR_CLUSTERS = ("slurm", "local", "debug")
"""What ``[tool.furu.executor] cluster`` may name: submitit's ``AutoExecutor(cluster=...)``."""
EXECUTOR_FOLDER = "submitit"
"""The submitit job folder under the data root when ``[tool.furu.executor]`` names none."""


@dataclasses.dataclass(frozen=True, slots=True)
class ExecutorSetting:
    """``[tool.furu.executor]``: the submitit executor ``furu run --executor submitit`` and the dashboard submit through.

    ``parameters`` go to ``AutoExecutor.update_parameters`` as they are (submitit
    checks their names and types when the executor is built:
    :func:`furu.cluster.executor.configured_executor`). ``folder`` is absolute
    once the settings are resolved (relative to the project root; by default
    ``<data root>/submitit``).
    """

    cluster: str = "slurm"
    folder: Path | None = None
    parameters: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Settings:
    """All options, validated. Paths are absolute once resolved.

    A plain dataclass, not a pydantic model: every command reads the settings,
    and defining any pydantic model costs a command like ``furu ls`` a third of
    its run (pydantic builds its machinery on the first one). The values are a
    handful of numbers, flags, names and paths, each checked by one parser in
    :data:`_PARSERS`, with errors worded like pydantic's.

    Compared and hashed by identity (``eq=False``): :func:`current` returns one
    object per environment, and a cache hit keys its caches by it, where hashing
    nineteen fields would cost it a tenth of its time.
    """

    path: Path | None = None
    artifacts_path: Path | None = None
    lease_secs: float = 120.0
    heartbeat_secs: float | None = None
    poll_interval_secs: float = 1.0
    max_wait_secs: float = 600.0
    force_recompute: frozenset[str] = frozenset()
    always_rerun: frozenset[str] = frozenset()
    dry_run: bool = False
    allow_local_classes: bool = False
    allow_main_classes: bool = False
    require_git: bool = False
    snapshot_max_file_bytes: int = 10 * 2**20
    preempt_max: int = 3
    regex_secs: float = DEFAULT_REGEX_SECS
    cancelled_is_preempted: bool = False
    log_level: str = "INFO"
    executor: ExecutorSetting | None = None

    # Resolved locations, filled in by `current()`.
    project_root: Path | None = None
    data_root: Path = Path()
    artifacts_root: Path = Path()

    @property
    def effective_heartbeat_secs(self) -> float:
        """The heartbeat interval: ``heartbeat_secs`` or a third of the lease."""
        return self.heartbeat_secs if self.heartbeat_secs is not None else self.lease_secs / 3

    def recompute_forced(self, fqn: str) -> bool:
        return fqn in self.force_recompute

    def always_reruns(self, fqn: str) -> bool:
        return "ALL" in self.always_rerun or fqn in self.always_rerun


class _Invalid(ValueError):
    """One option's value cannot be read; the message says what it should be."""


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and (word := value.strip().lower()) in _TRUE | _FALSE:
        return word in _TRUE
    raise _Invalid("Input should be a valid boolean (true/false, yes/no, on/off, 1/0)")


def _number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise _Invalid("Input should be a valid number")


def _seconds(value: Any) -> float:
    seconds = _number(value)
    if not seconds > 0:
        raise _Invalid("must be greater than 0")
    return seconds


def _optional_seconds(value: Any) -> float | None:
    return None if value is None else _seconds(value)


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Invalid("Input should be a valid integer")


def _names(value: Any) -> frozenset[str]:
    """A comma-separated string (env) or a list of strings (pyproject.toml)."""
    parts: Iterable[Any] = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [None]
    if all(isinstance(part, str) for part in parts):
        return frozenset(part.strip() for part in parts if part.strip())
    raise _Invalid("Input should be a comma-separated string or a list of strings")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _Invalid("Input should be a valid string")


def _path(value: Any) -> Path | None:
    if value is None or isinstance(value, Path):
        return value
    if isinstance(value, str):
        return Path(value)
    raise _Invalid("Input should be a path (a string)")


_EXECUTOR_KEYS = ("cluster", "folder", "parameters")


def _executor(value: Any) -> ExecutorSetting | None:
    """A table (pyproject.toml) or the same table as JSON text (env); an empty env value means none."""
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise _Invalid(f"Input should be a JSON object like {{\"cluster\": \"slurm\"}} ({error})") from None
    if not isinstance(value, dict):
        raise _Invalid(
            "Input should be a table: [tool.furu.executor] with cluster, folder and parameters "
            '(in FURU_EXECUTOR the same table as JSON: {"cluster": "slurm"})'
        )
    unknown = sorted(set(value) - set(_EXECUTOR_KEYS))
    if unknown:
        raise _Invalid(f"unknown key(s) {', '.join(unknown)}; known keys: {', '.join(_EXECUTOR_KEYS)}")
    cluster = value.get("cluster", "slurm")
    if cluster not in EXECUTOR_CLUSTERS:
        raise _Invalid(f"cluster: Input should be 'slurm', 'local' or 'debug' (submitit's clusters), not {cluster!r}")
    folder = value.get("folder")
    if folder is not None and (not isinstance(folder, str) or not folder.strip()):
        raise _Invalid("folder: Input should be a path (a non-empty string)")
    parameters = value.get("parameters", {})
    if not isinstance(parameters, dict):
        raise _Invalid("parameters: Input should be a table of submitit parameters (timeout_min = 60, ...)")
    return ExecutorSetting(cluster=cluster, folder=Path(folder) if folder else None, parameters=dict(parameters))


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "path": _path,
    "artifacts_path": _path,
    "lease_secs": _seconds,
    "heartbeat_secs": _optional_seconds,
    "poll_interval_secs": _seconds,
    "max_wait_secs": _seconds,
    "force_recompute": _names,
    "always_rerun": _names,
    "dry_run": _flag,
    "allow_local_classes": _flag,
    "allow_main_classes": _flag,
    "require_git": _flag,
    "snapshot_max_file_bytes": _count,
    "preempt_max": _count,
    "regex_secs": _seconds,
    "cancelled_is_preempted": _flag,
    "log_level": _text,
    "executor": _executor,
}

OPTION_NAMES: tuple[str, ...] = tuple(_PARSERS)
ENV_NAMES: tuple[str, ...] = tuple(ENV_PREFIX + name.upper() for name in OPTION_NAMES)

_settings_cache: dict[tuple[str | bytes | None, ...], Settings] = {}
_pyproject_cache: dict[Path, dict[str, Any]] = {}


# os.environ encodes every key on every lookup; on POSIX its backing dict of
# bytes is the same data without that cost, and current() runs on every cache hit.
_raw_environ: dict[bytes, bytes] | None = getattr(os.environ, "_data", None) if os.name == "posix" else None
_RAW_ENV_NAMES = tuple(name.encode() for name in ENV_NAMES)


def current() -> Settings:
    """The settings in force for this working directory and environment."""
    key: tuple[str | bytes | None, ...]
    if _raw_environ is not None:
        raw = _raw_environ
        key = (os.getcwd(), *map(raw.get, _RAW_ENV_NAMES))
    else:
        key = (os.getcwd(), *map(os.environ.get, ENV_NAMES))
    settings = _settings_cache.get(key)
    if settings is None:
        values = [value.decode() if isinstance(value, bytes) else value for value in key[1:]]
        settings = _load(str(key[0]), dict(zip(OPTION_NAMES, values, strict=True)))
        _settings_cache[key] = settings
    return settings


def clear_settings_cache() -> None:
    """Forget cached settings and pyproject contents (after editing pyproject.toml)."""
    _settings_cache.clear()
    _pyproject_cache.clear()


def _load(cwd: str, env_values: dict[str, str | None]) -> Settings:
    root = _optional_root(cwd, env_values)
    file_values = _pyproject_options(root) if root is not None else {}
    values: dict[str, Any] = dict(file_values)
    values.update({name: value for name, value in env_values.items() if value is not None})
    parsed: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in values.items():
        try:
            parsed[name] = _PARSERS[name](value)
        except _Invalid as problem:
            problems.append(f"{_source(name, env_values)}: {problem}")
    if problems:
        raise FuruConfigError("Invalid furu setting. " + "; ".join(problems))
    return _with_locations(Settings(**parsed), root)


def _optional_root(cwd: str, env_values: dict[str, str | None]) -> Path | None:
    try:
        return project_root(cwd)
    except FuruProjectRootError:
        if env_values.get("path"):
            return None
        raise


def _with_locations(settings: Settings, root: Path | None) -> Settings:
    base = root if root is not None else Path.cwd()
    data_root = _absolute(settings.path, base) if settings.path else None
    if data_root is None:
        assert root is not None  # _optional_root raised otherwise
        data_root = root / DATA_DIR_NAME
    if settings.artifacts_path:
        artifacts_root = _absolute(settings.artifacts_path, base)
    elif root is not None:
        artifacts_root = root / DATA_DIR_NAME / "artifacts"
    else:
        artifacts_root = data_root / "artifacts"
    executor = settings.executor
    if executor is not None:
        folder = _absolute(executor.folder, base) if executor.folder else data_root / EXECUTOR_FOLDER
        executor = dataclasses.replace(executor, folder=folder)
    return dataclasses.replace(
        settings, project_root=root, data_root=data_root, artifacts_root=artifacts_root, executor=executor
    )


def _absolute(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else base / path


def _pyproject_options(root: Path) -> dict[str, Any]:
    cached = _pyproject_cache.get(root)
    if cached is not None:
        return cached
    pyproject = root / "pyproject.toml"
    options: dict[str, Any] = {}
    if pyproject.is_file():
        try:
            document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise FuruConfigError(f"{pyproject} is not valid TOML: {error}") from None
        options = dict(document.get("tool", {}).get("furu", {}))
        unknown = sorted(set(options) - set(OPTION_NAMES))
        if unknown:
            raise FuruConfigError(
                f"Unknown key(s) {', '.join(unknown)} in [tool.furu] of {pyproject}. "
                f"Known keys: {', '.join(OPTION_NAMES)}."
            )
    _pyproject_cache[root] = options
    return options


def _source(name: str, env_values: dict[str, str | None]) -> str:
    if env_values.get(name) is not None:
        return f"env variable {ENV_PREFIX}{name.upper()}={env_values[name]!r}"
    if name == "executor":
        return "[tool.furu.executor] in pyproject.toml"
    return f"[tool.furu] {name} in pyproject.toml"
