"""Dashboard API speed at 100,000 artifacts, next to the library call each route makes.

Goals (issue 14): a filtered, sorted ``/api/experiments`` page p95 <= 150 ms and
a detail p95 <= 100 ms at 100,000 artifacts; each printed beside the p95 of
the same ``furu.catalog.page`` call made directly (the peer: what the API adds
is routing, validation and JSON). Then the page itself: the experiments page
in Chromium (Playwright, Debian's ``/usr/bin/chromium``) from navigation to
its first rows <= 1.5 s, against a real ``furu dashboard`` process; scrolling
the whole table (goal: it never waits on the server: no placeholder row while
the wheel scrolls, and a jump to the last row fetches the pages there, not the
thousand in between); and the initial JavaScript <= 300 kB gzipped.

The artifacts are the catalog benchmark's (``scripts/benchmarks/catalog.py``),
generated once into ``--keep DIR`` or a temporary directory. Requests go
through the real ASGI app in process (Starlette's TestClient), after one warm-up.

Usage: python scripts/benchmarks/dashboard.py [--n 100000] [--keep DIR]
       (or: python scripts/bench.py dashboard)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import catalog as catalog_bench

ROUNDS = 30
QUERIES = (
    ("status=failed", "-created"),
    ("class~Train lr>0.001", "-runtime"),
    ("", "-created"),
    ("status=success tag!=best", "lr"),
)


def main() -> None:
    catalog_bench.main(measure=_measure, description=__doc__)


def _measure(project: Path, _data_root: Path) -> None:
    from fastapi.testclient import TestClient

    from furu.catalog import Catalog, page
    from furu.dashboard.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1:8765")
    catalog = Catalog()
    for expression, sort in QUERIES:
        params = {"filter": expression, "sort": sort, "limit": "100", "columns": "lr"}
        api = _p95(lambda: _ok(client.get("/api/experiments", params=params)))
        direct = _p95(lambda: page(expression, sort=sort, limit=100, sizes=True, catalog=catalog))
        label = f"dashboard.page[{expression or 'all'} by {sort}]"
        print(f"{label:<52} p95 {api * 1000:7.1f} ms   page() {direct * 1000:7.1f} ms   (goal <= 150 ms)")
    some = _ok(client.get("/api/experiments", params={"limit": "50"})).json()["items"]
    hashes = [row["hash"] for row in some]
    turn = iter(range(10**9))
    detail = _p95(lambda: _ok(client.get(f"/api/experiments/{hashes[next(turn) % len(hashes)][:8]}")))
    print(f"{'dashboard.detail':<52} p95 {detail * 1000:7.1f} ms   (goal <= 100 ms)")
    _measure_page(project)


def _measure_page(project: Path) -> None:
    """The experiments page in a real browser over the same artifacts, and the size of what it loads first."""
    import gzip
    import re
    import socket
    import subprocess
    import sys

    from furu.dashboard.app import STATIC_DIR

    index = STATIC_DIR / "index.html"
    if not index.is_file():
        print("dashboard.page_load                                   (skipped: the page is not built)")
        return
    scripts = re.findall(r'src="/(assets/[^"]+\.js)"', index.read_text())
    initial = sum(len(gzip.compress((STATIC_DIR / script).read_bytes())) for script in scripts)
    print(f"{'dashboard.initial_js_gzipped':<52} {initial / 1000:7.1f} kB   (goal <= 300 kB)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("dashboard.page_load                                   (skipped: playwright is not installed)")
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    furu = str(Path(sys.executable).parent / "furu")
    server = subprocess.Popen([furu, "dashboard", "--no-open", "--port", str(port)], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ])
            page = browser.new_page()
            for _ in range(100):
                try:
                    page.goto(url + "/api/health")
                    break
                except Exception:  # noqa: BLE001 - not listening yet
                    time.sleep(0.2)
            loads = []
            for _ in range(5):
                started = time.perf_counter()
                page.goto(url + "/experiments?filter=status%3Dfailed&sort=-created")
                page.wait_for_selector('[data-testid="experiment-row"]', timeout=30_000)
                loads.append(time.perf_counter() - started)
            print(f"{'dashboard.page_load[experiments, first rows]':<52} median {statistics.median(loads):5.2f} s   (goal <= 1.5 s)")
            _measure_scroll(page, url)
            browser.close()
    finally:
        server.terminate()
        server.wait()


def _measure_scroll(page: Any, url: str) -> None:
    """Scrolling the whole table: wheel scrolling (how often a placeholder row is on screen), then a
    jump to the last row (how long until it shows, and how many page requests the jump makes)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if "/api/experiments?" in request.url else None)
    page.goto(url + "/experiments?sort=-created")
    page.wait_for_selector('[data-testid="experiment-row"]', timeout=30_000)
    table = page.get_by_test_id("experiments-table")
    table.hover()
    samples, waiting = 60, 0
    for _ in range(samples):
        page.mouse.wheel(0, 1200)  # about 30 rows, a brisk flick of the wheel
        page.wait_for_timeout(50)
        waiting += page.locator('[data-testid="rows-loading"]').count() > 0
    print(f"{'dashboard.scroll[wheel, 1800 rows]':<52} {waiting} of {samples} frames showed a placeholder row   (goal: 0)")
    requests.clear()
    started = time.perf_counter()
    table.evaluate("element => { element.scrollTop = element.scrollHeight; }")
    last = int(page.get_by_test_id("experiments-count").inner_text().split()[0]) - 1
    page.wait_for_function(  # the last row itself is on screen, with its data, and no row still waits
        f"() => document.querySelector('[data-testid=experiment-row][data-index=\"{last}\"]') !== null"
        " && document.querySelectorAll('[data-testid=rows-loading]').length === 0",
        timeout=30_000,
    )
    jump = time.perf_counter() - started
    print(f"{'dashboard.scroll[jump to the last row]':<52} {jump * 1000:7.0f} ms, {len(requests)} page requests")


def _ok(response: object) -> object:
    assert getattr(response, "status_code") == 200, getattr(response, "text")
    return response


def _p95(call: Callable[[], object]) -> float:
    call()  # warm: the first request reads what the index lacks
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.quantiles(times, n=20)[-1]


if __name__ == "__main__":
    main()
