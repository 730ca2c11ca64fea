"""Terminal UI speed at 100,000 artifacts, with Textual's headless driver (``App.run_test``).

Goals (issue 15): ``furu tui`` opens on 100,000 artifacts in <= 1.5 s to its
first rows, whole process, import included (measured from the parent, beside
the same first ``furu.catalog.page`` call made alone in a process); typing in
the filter never blocks the screen (the queries run in workers: printed is the
longest the screen's event loop was held while a filter was typed); scrolling the whole table
is smooth (a jump to the last row, and paging down a hundred screens: how
many were drawn before their rows had been read).

The artifacts are the catalog benchmark's (``scripts/benchmarks/catalog.py``),
generated once into ``--keep DIR`` or a temporary directory.

Usage: python scripts/benchmarks/tui.py [--n 100000] [--keep DIR]
       (or: python scripts/bench.py tui --keep DIR)
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import catalog as catalog_bench

ROUNDS = 5
SIZE = (160, 48)
FIRST_ROWS = """
import time, asyncio
from furu.tui.app import FuruApp, TuiOptions

async def main():
    app = FuruApp(TuiOptions(watch=False))
    async with app.run_test(size=(160, 48)) as pilot:
        while app.experiments.table.loaded_rows == 0:
            await pilot.pause(0.005)
        print(time.time(), flush=True)

asyncio.run(main())
"""
PAGE_ALONE = """
import time
from furu.catalog import page
page((), sort="created", limit=100, sizes=True)
print(time.time(), flush=True)
"""


def main() -> None:
    catalog_bench.main(measure=_measure, description=__doc__)


def _measure(project: Path, _data_root: Path) -> None:
    _process(project, PAGE_ALONE)  # warm: the index exists and the OS caches it before either is timed
    opens = [_process(project, FIRST_ROWS) for _ in range(ROUNDS)]
    alone = [_process(project, PAGE_ALONE) for _ in range(ROUNDS)]
    print(f"{'tui.open[first rows, whole process]':<52} median {statistics.median(opens):5.2f} s   "
          f"page() alone in a process {statistics.median(alone):5.2f} s   (goal <= 1.5 s)")
    asyncio.run(_in_app())


def _process(project: Path, code: str) -> float:
    """Seconds from starting ``python -c code`` until it prints the time it got its rows."""
    started = time.time()
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1]) - started


async def _in_app() -> None:
    from furu.tui.app import FuruApp, TuiOptions

    app = FuruApp(TuiOptions(watch=False))
    async with app.run_test(size=SIZE) as pilot:
        table = app.experiments.table
        while table.loaded_rows == 0:
            await pilot.pause(0.005)
        stalls: list[float] = []
        typing = True

        async def probe() -> None:  # how late a 5 ms timer fires: how long the screen's loop was held
            while typing:
                started = time.perf_counter()
                await asyncio.sleep(0.005)
                stalls.append(time.perf_counter() - started - 0.005)

        watcher = asyncio.create_task(probe())
        await pilot.press("slash")
        for key in "lr>0.005":  # each key also asks the catalog for completions, in a worker
            await pilot.press(key)
        await pilot.pause(1.0)
        typing = False
        await watcher
        stalls.sort()
        print(f"{'tui.filter[typing lr>0.005: the loop held]':<52} p99 {stalls[int(len(stalls) * 0.99)] * 1000:5.0f} ms   "
              f"longest {stalls[-1] * 1000:5.0f} ms   (goal: never blocked; the queries run in workers)")
        await pilot.press("escape")
        await _until(pilot, lambda: table.loaded_rows > 0)

        started = time.perf_counter()
        await pilot.press("G")
        await _until(pilot, lambda: table.current is not None)
        print(f"{'tui.scroll[G: to the last of ' + format(table.matched, ',') + ' rows]':<52} {(time.perf_counter() - started) * 1000:7.0f} ms to its row")
        await pilot.press("g")
        missing = 0
        for _ in range(100):
            await pilot.press("pagedown")
            missing += table.current is None  # the screen's rows were not read yet when it was drawn
            await _until(pilot, lambda: table.current is not None)
        print(f"{'tui.scroll[pagedown x100]':<52} {missing} of 100 screens drawn before their rows were read   (goal: 0)")


async def _until(pilot: object, check: object) -> None:
    assert callable(check)
    deadline = time.monotonic() + 60
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the table never showed the row")
        await pilot.pause(0.002)  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
