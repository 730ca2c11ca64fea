"""Driving the app with Textual's Pilot: start it over the working directory's project, and wait until it settles."""

from __future__ import annotations

import asyncio
import time

from textual.pilot import Pilot

from furu.tui.app import FuruApp, TuiOptions

SETTLE_SECS = 30.0


def app(**options: object) -> FuruApp:
    """The app with ``options`` (no watching the catalog unless asked: a test says when it changes)."""
    return FuruApp(TuiOptions(**{"watch": False, **options}))  # type: ignore[arg-type]


async def settle(pilot: Pilot[None], *, extra: float = 0.05) -> None:
    """Until every worker but the catalog watch is done and the screen has caught up."""
    deadline = time.monotonic() + SETTLE_SECS
    while time.monotonic() < deadline:
        await pilot.pause(0.02)
        busy = [w for w in pilot.app.workers if not w.is_finished and w.group != "watch"]
        if not busy:
            await pilot.pause(extra)
            if not [w for w in pilot.app.workers if not w.is_finished and w.group != "watch"]:
                return
    raise AssertionError(f"still working after {SETTLE_SECS} s: {[w.name for w in pilot.app.workers if not w.is_finished]}")


async def until(pilot: Pilot[None], check: object, what: str, timeout: float = SETTLE_SECS) -> None:
    """Until ``check()`` is true (the screen updated from a worker)."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    await asyncio.sleep(0)


def run(scenario: object) -> None:
    """Run an ``async`` scenario (Pilot's API is async; the suite has no async plugin)."""
    assert callable(scenario)
    asyncio.run(scenario())


def records(furu_app: FuruApp) -> list:  # type: ignore[type-arg]
    """The rows the table has read, top to bottom."""
    table = furu_app.experiments.table
    return [table.record_at(row) for row in range(table.matched)]


def index_of(furu_app: FuruApp, cls: str, **config: object) -> int:
    """The row of the experiment of class ``cls`` whose config has ``config``'s values."""
    for row, record in enumerate(records(furu_app)):
        if record is not None and record.class_name == cls and all((record.config or {}).get(k) == v for k, v in config.items()):
            return row
    raise AssertionError(f"no {cls} {config} among the rows")


def screen_text(furu_app: FuruApp) -> str:
    """What the screen shows, line by line, as plain text (the compositor's own strips)."""
    strips = furu_app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip).rstrip() for strip in strips).replace("\xa0", " ")


def notes(furu_app: FuruApp) -> str:
    """Every notification raised so far, one a line (run_test shows no toasts)."""
    return "\n".join(f"{n.title}: {n.message}" if n.title else n.message for n in furu_app._notifications)
