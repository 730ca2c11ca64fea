"""Resources an attempt used: wall time, CPU time, peak memory, GPU memory."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time

from pydantic import BaseModel, ConfigDict


class GpuUsage(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    index: int
    name: str
    memory_used_mib: float


class ResourceUsage(BaseModel):
    """Measured over one ``_create`` call in this process (and its reaped children)."""

    model_config = ConfigDict(defer_build=True)  # built on first use, as furu.schema.Record explains

    wall_secs: float
    cpu_user_secs: float
    cpu_sys_secs: float
    peak_rss_bytes: int
    gpus: list[GpuUsage] | None = None
    gpu_query_error: str | None = None


class ResourceMeter:
    """Started before ``_create``, read after it.

    Peak RSS is the process's high-water mark (``getrusage``), which includes
    anything the process held before this attempt: the kernel offers no
    per-interval peak.
    """

    def __init__(self) -> None:
        self._wall = time.perf_counter()
        self._self = resource.getrusage(resource.RUSAGE_SELF)
        self._children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def read(self) -> ResourceUsage:
        now_self = resource.getrusage(resource.RUSAGE_SELF)
        now_children = resource.getrusage(resource.RUSAGE_CHILDREN)
        user = (now_self.ru_utime - self._self.ru_utime) + (now_children.ru_utime - self._children.ru_utime)
        system = (now_self.ru_stime - self._self.ru_stime) + (now_children.ru_stime - self._children.ru_stime)
        # ru_maxrss is KiB on Linux, bytes on macOS.
        scale = 1 if sys.platform == "darwin" else 1024
        peak = max(now_self.ru_maxrss, now_children.ru_maxrss) * scale
        gpus, gpu_error = gpu_usage()
        return ResourceUsage(
            wall_secs=time.perf_counter() - self._wall,
            cpu_user_secs=user,
            cpu_sys_secs=system,
            peak_rss_bytes=peak,
            gpus=gpus,
            gpu_query_error=gpu_error,
        )


def gpu_usage() -> tuple[list[GpuUsage] | None, str | None]:
    """GPU memory in use per device when ``nvidia-smi`` is on PATH, else ``(None, None)``.

    A failing query is reported next to the result rather than failing an
    attempt whose own work succeeded.
    """
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None, None
    try:
        output = subprocess.run(
            [smi, "--query-gpu=index,name,memory.used", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout
        gpus = []
        for line in output.strip().splitlines():
            index, name, used = (part.strip() for part in line.split(","))
            gpus.append(GpuUsage(index=int(index), name=name, memory_used_mib=float(used)))
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        return None, f"nvidia-smi failed: {error}"
    return gpus, None
