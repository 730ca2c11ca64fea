"""furu's options: ``FURU_*`` environment variables over ``[tool.furu]`` in pyproject.toml.

Every option has one name; the env variable is ``FURU_`` + its upper-cased
name and the pyproject key is the name itself, e.g. ``FURU_LEASE_SECS`` and
``lease_secs = 60``. The env wins. Settings are looked up on every call (tests
and notebooks change env variables at run time) but cached per distinct
environment, so the lookup costs a few dictionary probes on the hot path.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from furu.errors import FuruConfigError, FuruProjectRootError
from furu.project import project_root

ENV_PREFIX = "FURU_"
DATA_DIR_NAME = "furu-data"


class Settings(BaseModel):
    """All options, validated. Paths are absolute once resolved."""

    # defer_build: built on first use, as furu.schema.Record explains
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

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
    cancelled_is_preempted: bool = False
    log_level: str = "INFO"

    # Resolved locations, filled in by `current()`.
    project_root: Path | None = None
    data_root: Path = Path()
    artifacts_root: Path = Path()

    @field_validator("force_recompute", "always_rerun", mode="before")
    @classmethod
    def _split_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("lease_secs", "poll_interval_secs", "max_wait_secs", "heartbeat_secs")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @property
    def effective_heartbeat_secs(self) -> float:
        """The heartbeat interval: ``heartbeat_secs`` or a third of the lease."""
        return self.heartbeat_secs if self.heartbeat_secs is not None else self.lease_secs / 3

    def recompute_forced(self, fqn: str) -> bool:
        return fqn in self.force_recompute

    def always_reruns(self, fqn: str) -> bool:
        return "ALL" in self.always_rerun or fqn in self.always_rerun


OPTION_NAMES: tuple[str, ...] = tuple(
    name
    for name in Settings.model_fields
    if name not in {"project_root", "data_root", "artifacts_root"}
)
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
    try:
        settings = Settings.model_validate(values)
    except ValidationError as error:
        raise _config_error(error, env_values) from None
    return _with_locations(settings, root)


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
    return settings.model_copy(
        update={"project_root": root, "data_root": data_root, "artifacts_root": artifacts_root}
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


def _config_error(error: ValidationError, env_values: dict[str, str | None]) -> FuruConfigError:
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0])
        if env_values.get(name) is not None:
            source = f"env variable {ENV_PREFIX}{name.upper()}={env_values[name]!r}"
        else:
            source = f"[tool.furu] {name} in pyproject.toml"
        lines.append(f"{source}: {problem['msg']}")
    return FuruConfigError("Invalid furu setting. " + "; ".join(lines))
