"""``load_or_create``: a cache hit in one stat, or exactly one ``_create`` everywhere.

Hit: the success marker exists and ``_validate()`` agrees, so ``_load()`` runs
and nothing else is read or written. Miss: the artifact's lock decides which
process creates; everyone else waits (saying for whom and how long), takes
over a dead holder, or loads the result once the holder finishes.
"""

from __future__ import annotations

import contextvars
import errno
import logging
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel

from furu import settings as settings_module
from furu._version import __version__
from furu.dependencies import declared_dependencies, note_loaded, tracking_loads
from furu.environment import host_info, package_environment
from furu.errors import FuruError, FuruLockLost, FuruLockTimeout
from furu.fencing import Fence
from furu.fingerprint import fingerprint_of
from furu.history import older_forms
from furu.migration import carry
from furu.layout import (
    ARTIFACTS_ROOT_GITIGNORE,
    DATA_ROOT_GITIGNORE,
    ArtifactPaths,
    artifacts_base,
    class_dir,
    prepare_root,
    shown_path,
)
from furu.leftovers import set_aside_leftovers
from furu.locking import ArtifactLock, FuruArtifactBusy, Holder
from furu.logs import artifact_log, configure, logger
from furu.metadata import ConfigRecord, Metadata, dependency_ref
from furu.namespace import class_fqn
from furu.preemption import running_attempt
from furu.reserve import SpaceReserve
from furu.resources import ResourceMeter
from furu.serialization import to_python
from furu.settings import Settings
from furu.state import (
    Attempt,
    AttemptStatus,
    ArtifactState,
    SuccessMarker,
    Takeover,
    creator,
    finish_attempt,
    read_state,
    record_event,
    start_attempt,
    utcnow,
    write_state,
)
from furu.atomic import DISK_FULL, check_internal_dir, write_model
from furu.configs import Config

if TYPE_CHECKING:
    from furu.provenance.model import GitProvenance

T = TypeVar("T")

WAIT_LOG_INTERVAL_SECS = 5.0

_forced_done: set[str] = set()


@dataclass(frozen=True)
class JobContext:
    """Set while a cluster job runs: the queued attempt it adopts, and the code it was submitted with."""

    furu_hash: str
    attempt_id: str
    backend: str
    job_id: str | None
    job_folder: str | None
    provenance: GitProvenance | None


_job_context: contextvars.ContextVar[JobContext | None] = contextvars.ContextVar("furu_job", default=None)


@contextmanager
def running_job(context: JobContext) -> Iterator[None]:
    """Run ``load_or_create`` calls inside the block as the given cluster job."""
    token = _job_context.set(context)
    try:
        yield
    finally:
        _job_context.reset(token)


def load_or_create(obj: Config[T]) -> T:
    """Load ``obj``'s result, creating it here first (exactly once) when it is missing."""
    current = settings_module.current()
    configure(current.log_level)
    paths = obj._paths(current)
    note_loaded(obj)
    forced_by = _recompute_flag(obj, current) if current.force_recompute or current.always_rerun else None
    if forced_by is None and paths.has_success() and obj._validate():
        if logger.isEnabledFor(logging.DEBUG):  # below the default level: the line would cost more than the hit
            logger.debug("load   %s", label(obj))
        return _load(obj)
    if current.dry_run:
        from furu.planning import raise_dry_run

        raise_dry_run(obj)
    if forced_by is None and _carry_older_result(obj, paths, current):
        return _load(obj)
    return _create_exactly_once(obj, paths, current, forced_by)


def _carry_older_result(obj: Config[Any], paths: ArtifactPaths, current: Settings) -> bool:
    """Find a result an older form of ``obj`` made (its classes' declared history) and alias it here."""
    todays_class_dir = os.path.dirname(paths.root_str)
    for form in older_forms(obj):
        where = todays_class_dir if form.class_dir_parts is None else class_dir(
            artifacts_base(current, type(obj).furu_version_controlled), form.class_dir_parts
        )
        source = ArtifactPaths(f"{where}/{form.hash}")
        if not source.has_success():
            continue
        fqn = class_fqn(type(obj))
        try:
            carry(source.root_str, obj, policy="alias", changes=form.changes, by=f"declared history of {fqn}", settings=current)
        except FuruArtifactBusy:
            return False  # being created right now: the lock decides, as on any miss
        logger.info("migrated %s from %s %s (%s)", label(obj), form.fqn, form.hash[:8], "; ".join(form.changes))
        return True
    return False


def _recompute_flag(obj: Config[Any], current: Settings) -> str | None:
    """The env flag that asks to recompute ``obj`` now, if any (asked only when one is set: a hit
    without them skips the call)."""
    fqn = class_fqn(type(obj))
    if current.always_reruns(fqn):
        return "FURU_ALWAYS_RERUN"
    if current.recompute_forced(fqn) and obj.furu_hash not in _forced_done:
        return "FURU_FORCE_RECOMPUTE"
    return None


def prepare_artifact_dir(obj: Config[Any], paths: ArtifactPaths, current: Settings) -> None:
    """Create the artifact's ``.furu/`` (and, once per process, its roots with their .gitignore)."""
    prepare_root(current.data_root, DATA_ROOT_GITIGNORE)
    if type(obj).furu_version_controlled:
        prepare_root(current.artifacts_root, ARTIFACTS_ROOT_GITIGNORE)
    paths.internal.mkdir(parents=True, exist_ok=True)
    check_internal_dir(paths.lock)  # before the lock: it is created in there too


def _create_exactly_once(obj: Config[T], paths: ArtifactPaths, current: Settings, forced_by: str | None) -> T:
    with artifact_problems(obj):
        prepare_artifact_dir(obj, paths, current)
        lock = ArtifactLock(paths.lock, lease_secs=current.lease_secs, heartbeat_secs=current.effective_heartbeat_secs)
    waiter = Waiter(obj, current)
    takeover: Takeover | None = None
    while not _try_acquire(obj, lock):
        if forced_by is None and obj.exists():
            log_loaded_from_elsewhere(obj, paths)
            return _load(obj)
        holder = lock.holder()
        if holder is None:
            continue  # released between our try and our look: try again at once
        if holder.stale_reason is not None:
            if lock.break_stale(holder):
                takeover = Takeover(
                    "crashed" if holder.gone else "lost",
                    f"taken over: lock {holder.describe()}, and {holder.stale_reason}",
                )
                logger.warning("takeover %s: lock %s because %s", label(obj), holder.describe(), holder.stale_reason)
            continue
        waiter.wait(holder)
    try:
        if paths.success.exists():
            if forced_by is None and obj._validate():
                log_loaded_from_elsewhere(obj, paths)
                return _load(obj)
            paths.success.unlink()
        return _run_attempt(obj, paths, current, lock, forced_by, takeover)
    finally:
        lock.release()


def _try_acquire(obj: Config[Any], lock: ArtifactLock) -> bool:
    with artifact_problems(obj):
        return lock.try_acquire()


def _load(obj: Config[T]) -> T:
    """``obj._load()``, with a note naming the artifact if it raises."""
    try:
        return obj._load()
    except Exception as error:
        error.add_note(
            f"furu: while loading {label(obj)} from {obj.furu_dir}; `furu show {obj.furu_hash[:8]}` inspects it, "
            f"`furu invalidate {obj.furu_hash[:8]}` recomputes it on the next run"
        )
        raise


@contextmanager
def artifact_problems(obj: Config[Any]) -> Iterator[None]:
    """Turn an unusable artifact directory (furu's own files, not ``_create``) into one clear FuruError."""
    try:
        yield
    except OSError as error:
        where = error.filename or obj.furu_dir
        if isinstance(error, PermissionError) or error.errno == errno.EROFS:
            fix = "give this user write access to it, or point FURU_PATH at a writable data root"
        elif error.errno in DISK_FULL:
            fix = "free some space (`furu gc` lists what can go) and run again"
        elif os.path.isdir(obj.furu_dir):  # the catalog lists it, so show and rm find it
            fix = f"`furu show {obj.furu_hash[:8]}` shows what is wrong; `furu rm {obj.furu_hash[:8]}` removes it to recompute"
        else:
            fix = f"check that {os.path.dirname(where)} is a directory this user can write to"
        problem = "a file where a directory belongs" if error.errno in (errno.EEXIST, errno.ENOTDIR) else error.strerror
        raise FuruError(f"Cannot create {label(obj)} in {obj.furu_dir}: {where}: {problem or error}. To fix: {fix}.") from None


class Waiter:
    """Sleeps between lock polls, reports progress, and gives up after FURU_MAX_WAIT_SECS."""

    def __init__(self, obj: Config[Any], current: Settings) -> None:
        self.obj = obj
        self.poll = current.poll_interval_secs
        self.max_wait = current.max_wait_secs
        self.started = time.monotonic()
        self.last_report = -float("inf")

    def wait(self, holder: Holder) -> None:
        waited = time.monotonic() - self.started
        remaining = self.max_wait - waited
        if remaining <= 0:
            raise FuruLockTimeout(
                f"Gave up waiting for {label(self.obj)} after {waited:.1f}s: lock {holder.describe()} "
                f"at {self.obj.furu_dir}. Raise FURU_MAX_WAIT_SECS to wait longer; if that process "
                "is stuck, stop it and its lease (FURU_LEASE_SECS) lets the next caller take over."
            )
        now = time.monotonic()
        if now - self.last_report >= max(WAIT_LOG_INTERVAL_SECS, self.poll):
            self.last_report = now
            logger.info(
                "wait   %s: lock %s; waited %.1fs, will wait up to %.1fs more (FURU_MAX_WAIT_SECS)",
                label(self.obj), holder.describe(), waited, remaining,
            )
        time.sleep(min(self.poll, remaining))


def _run_attempt(
    obj: Config[T],
    paths: ArtifactPaths,
    current: Settings,
    lock: ArtifactLock,
    forced_by: str | None,
    takeover: Takeover | None,
) -> T:
    with artifact_problems(obj):
        state = read_state(paths, class_fqn(type(obj)), obj.furu_hash)
        job = _job_context.get()
        if job is not None and job.furu_hash == obj.furu_hash:
            attempt = start_attempt(
                state, job.attempt_id, backend=job.backend, job_id=job.job_id, job_folder=job.job_folder, takeover=takeover
            )
        else:
            attempt = start_attempt(state, secrets.token_hex(8), takeover=takeover)
        set_aside_leftovers(paths, state, attempt)
        write_state(paths, state)
        record_event(paths, "attempt_started", attempt.id, forced_by=forced_by)
        reserve = SpaceReserve(paths.root_str, state_bytes=paths.state.stat().st_size)
        reserve.hold()
    fence = Fence(lock, paths, attempt.id, label(obj))
    lock.start_heartbeat(on_lost=fence.on_heartbeat_lost)
    logger.info("create %s -> %s%s", label(obj), shown_path(paths.root_str), f" ({forced_by})" if forced_by else "")
    started_at = utcnow()
    try:
        with running_attempt(paths, state, attempt, fence), artifact_log(paths.log, current.log_level), fence.interrupting():
            prepared = _prepare_metadata(obj, current)
            fence.check()
            _write_config(obj, paths, prepared)
            meter = ResourceMeter()
            with tracking_loads() as loaded:
                result = obj._create()
            usage = meter.read()
            reserve.release()
            _write_success(obj, paths, attempt, started_at, prepared, loaded, usage, fence)
    except BaseException as error:
        reserve.release()
        if not fence.holds():
            if isinstance(error, FuruLockLost):  # raised by the interruption: bare at the next bytecode
                raise (error if error.args else fence.error()) from None
            raise fence.error() from error
        _record_failure(obj, paths, state, attempt, error)
        raise
    finish_attempt(state, attempt, "success")
    if fence.holds():
        write_state(paths, state)
    record_event(paths, "attempt_succeeded", attempt.id)
    if paths.checkpoint.exists():
        shutil.rmtree(paths.checkpoint)
    if forced_by == "FURU_FORCE_RECOMPUTE":
        _forced_done.add(obj.furu_hash)
    logger.info("done   %s in %.2fs", label(obj), (utcnow() - started_at).total_seconds())
    return result


def _prepare_metadata(obj: Config[Any], current: Settings) -> dict[str, Any]:
    """The parts of metadata known before ``_create`` runs (and checked before it runs)."""
    root = current.project_root
    job = _job_context.get()
    return {
        "config": obj.to_dict(),
        "python": to_python(cast(BaseModel, obj)),  # every config is a pydantic model
        "declared_dependencies": [dependency_ref(d) for d in declared_dependencies(obj)],
        "host": host_info(),
        "environment": package_environment(root),
        "git": job.provenance if job is not None and job.provenance is not None else capture_provenance(current, type(obj)),
        "code": fingerprint_of(type(obj), root),
    }


def capture_provenance(current: Settings, cls: type | None = None) -> GitProvenance:
    """The git provenance of the working tree ``cls`` was imported from, as settings ask for it.

    The project root (where the shared cache lives) is the main worktree even inside a linked
    worktree; the snapshot is of the worktree holding ``cls``'s source file, else the working
    directory's, when that is a worktree of the same repository.
    """
    from furu.provenance.capture import capture_git_provenance  # pygit2 is only needed on a miss
    from furu.provenance.origin import code_locations

    root = current.project_root
    return capture_git_provenance(
        root if root is not None else current.data_root,
        max_file_bytes=current.snapshot_max_file_bytes,
        require_git=current.require_git,
        exclude=[current.data_root, current.artifacts_root],
        code_from=code_locations(cls),
    )


def _write_config(obj: Config[Any], paths: ArtifactPaths, prepared: dict[str, Any]) -> None:
    record = ConfigRecord(
        fqn=class_fqn(type(obj)),
        hash=obj.furu_hash,
        version=type(obj).furu_version,
        config=prepared["config"],
        python=prepared["python"],
        declared_dependencies=prepared["declared_dependencies"],
    )
    write_model(paths.config, record, fsync=False)


def _write_success(
    obj: Config[Any],
    paths: ArtifactPaths,
    attempt: Attempt,
    started_at: datetime,
    prepared: dict[str, Any],
    loaded: list[Config[Any]],
    usage: Any,
    fence: Fence,
) -> None:
    finished_at = utcnow()
    cls = type(obj)
    unique_loaded = {d.furu_hash: dependency_ref(d) for d in loaded if d is not obj}
    metadata = Metadata(
        fqn=class_fqn(cls),
        hash=obj.furu_hash,
        version=cls.furu_version,
        version_controlled=cls.furu_version_controlled,
        furu_version=__version__,
        attempt_id=attempt.id,
        started_at=started_at,
        finished_at=finished_at,
        duration_secs=(finished_at - started_at).total_seconds(),
        loaded_dependencies=list(unique_loaded.values()),
        resources=usage,
        **prepared,
    )
    fence.check()
    write_model(paths.metadata, metadata)
    fence.check()
    write_model(paths.success, SuccessMarker(fqn=metadata.fqn, hash=metadata.hash, attempt_id=attempt.id, created_at=finished_at))


def _record_failure(obj: Config[Any], paths: ArtifactPaths, state: ArtifactState, attempt: Attempt, error: BaseException) -> None:
    if attempt.status == "preempted":
        return  # the signal handler recorded it already
    preempted = isinstance(error, KeyboardInterrupt)
    status: AttemptStatus = "preempted" if preempted else "failed"
    reason = "interrupted (SIGINT / KeyboardInterrupt)" if preempted else None
    finish_attempt(state, attempt, status, reason=reason, error=error)
    line = f"{status} {label(obj)}: {type(error).__name__}: {error}"
    if isinstance(error, OSError) and error.errno in DISK_FULL:
        line += " (the disk is full: free some space, e.g. with `furu gc`, and run again)"
    try:
        write_state(paths, state)
        record_event(paths, f"attempt_{status}", attempt.id, error=f"{type(error).__name__}: {error}")
    except OSError as unrecorded:  # the user's error is the one to raise; say why it is not on disk
        line += f"; it could not be recorded in {paths.state}: {unrecorded.strerror or unrecorded}"
    logger.error("%s", line)


def log_loaded_from_elsewhere(obj: Config[Any], paths: ArtifactPaths) -> None:
    """The console line of a result another process created while this one waited."""
    logger.info("load   %s (created by %s)", label(obj), creator(paths) or "another process")


def label(obj: Config[Any]) -> str:
    """``module.QualName 1a2b3c4d``: how console lines name an artifact."""
    return f"{class_fqn(type(obj))} {obj.furu_hash[:8]}"
