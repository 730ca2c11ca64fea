"""``furu dashboard --demo``: a fresh clone shows every kind of experiment at once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.dashboard.server import dashboard
from tests.throwaway import make_project


def test_the_demo_holds_every_status_every_viewer_and_a_live_log(tmp_path: Path) -> None:
    with dashboard(make_project(tmp_path / "proj"), "--demo") as running, running.client() as api:
        health = api.get("/api/health").json()
        assert health["demo"] is True
        statuses = {c["value"] for c in api.get("/api/stats").json()["by_status"]}
        assert {"success", "failed", "running", "queued", "preempted"} <= statuses
        queued = api.get("/api/experiments", params={"filter": "status=queued"}).json()["items"]
        assert queued[0]["job_id"] == "4242"
        assert api.get("/api/experiments", params={"filter": "version_controlled=true"}).json()["total"] == 1
        bases = {node["class_name"]: node["bases"] for node in api.get("/api/dag").json()["nodes"]}
        assert bases["Interrupted"] == ["furu.dashboard.demo.Train"] and bases["Train"] == []  # read from the source, not imported
        viewers = set()
        for row in api.get("/api/experiments", params={"filter": "status=success", "limit": "1000"}).json()["items"]:
            viewers |= {item["viewer"] for item in api.get(f"/api/experiments/{row['hash']}/files").json()["items"]}
        assert {"json", "jsonl", "csv", "markdown", "text", "image", "html", "parquet"} <= viewers
        train = api.get("/api/experiments", params={"filter": "class=Train status=success", "limit": "1"}).json()["items"][0]
        table = api.get(f"/api/experiments/{train['hash']}/files/history.parquet", params={"preview": "table"}).json()
        assert table["columns"] == ["epoch", "loss"] and table["total_rows"] == 5 and table["rows"][0][0] == 1
        live = api.get("/api/experiments", params={"filter": "status=running"}).json()["items"][0]["hash"]
        start = api.get(f"/api/experiments/{live}/logs").json()["offset"]
        with httpx.stream("GET", f"{running.url}/api/experiments/{live}/logs/stream", params={"offset": start}, timeout=10) as tail:
            line = next(text for text in tail.iter_lines() if text.startswith("data:"))
        assert "epoch" in line and "loss" in line
        assert all("furu: epoch" not in out for out in running.output)  # the runs log to their artifacts, not the console
    demo_root = Path(health["data_root"]).parent
    for _ in range(50):  # removed once the server is gone
        if not demo_root.exists():
            break
        time.sleep(0.1)
    assert not demo_root.exists()
