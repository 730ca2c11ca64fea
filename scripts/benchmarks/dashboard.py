"""Dashboard API speed at 100,000 artifacts, next to the library call each route makes.

Goals (issue 14): a filtered, sorted ``/api/experiments`` page p95 <= 150 ms and
a detail p95 <= 100 ms at 100,000 artifacts; each printed beside the p95 of
the same ``furu.catalog.page`` call made directly (the peer: what the API adds
is routing, validation and JSON).

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


def _measure(_project: Path, _data_root: Path) -> None:
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
