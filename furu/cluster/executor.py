"""The submitit executor ``[tool.furu.executor]`` configures, built for ``furu run --executor submitit``.

::

    [tool.furu.executor]
    cluster = "slurm"                 # or "local" / "debug": submitit's AutoExecutor(cluster=...)
    folder = "slurm-jobs"             # submitit's job folder (default: furu-data/submitit)
    parameters = { timeout_min = 240, slurm_partition = "gpu", cpus_per_task = 8 }

``configured_executor()`` is ``submitit.AutoExecutor(folder, cluster)`` with
``update_parameters(**parameters)``: the same executor a script would pass to
``load_or_create(executor=...)``. submitit checks the parameters' names and
types; a wrong one is a :class:`~furu.errors.FuruConfigError` naming the key.
"""

from __future__ import annotations

from typing import Any

from furu import settings
from furu.errors import FuruConfigError

SETTING = "[tool.furu.executor]"
EXAMPLE = f'{SETTING}\ncluster = "slurm"\nparameters = {{ timeout_min = 60, slurm_partition = "debug" }}'
"""What to add to pyproject.toml, shown when no executor is configured."""


def executor_setting(current: settings.Settings | None = None) -> settings.ExecutorSetting:
    """The configured executor's setting, or an error saying which table to add."""
    current = current or settings.current()
    if current.executor is None:
        where = str(current.project_root / "pyproject.toml") if current.project_root else "your pyproject.toml"
        raise FuruConfigError(
            f"No submitit executor is configured. Add a {SETTING} table to {where}, e.g.\n\n"
            f"{EXAMPLE}\n\n(or set FURU_EXECUTOR to the same table as JSON); see docs/slurm.md."
        )
    return current.executor


def configured_executor(current: settings.Settings | None = None) -> Any:
    """``submitit.AutoExecutor`` as ``[tool.furu.executor]`` describes it (its parameters checked by submitit)."""
    import submitit

    setting = executor_setting(current)
    assert setting.folder is not None  # settings.current() resolves it
    try:
        executor = submitit.AutoExecutor(folder=setting.folder, cluster=setting.cluster)
    except Exception as error:  # noqa: BLE001 - e.g. cluster="slurm" where sbatch is missing
        raise FuruConfigError(f"{SETTING} cluster = {setting.cluster!r}: submitit cannot use it: {error}") from None
    for name, value in setting.parameters.items():
        try:
            executor.update_parameters(**{name: value})
        except (NameError, AssertionError, ValueError, TypeError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise FuruConfigError(
                f"{SETTING} parameters.{name} = {value!r} is not a parameter submitit's {setting.cluster} executor takes: "
                f"{first}. See submitit's AutoExecutor.update_parameters (timeout_min, cpus_per_task, slurm_partition, ...)."
            ) from None
    return executor


def describe(setting: settings.ExecutorSetting) -> str:
    """One line for people: ``submitit slurm executor (folder ..., timeout_min=60, ...)``."""
    parameters = ", ".join(f"{name}={value!r}" for name, value in setting.parameters.items())
    return f"submitit {setting.cluster} executor (folder {setting.folder}{', ' + parameters if parameters else ''})"
