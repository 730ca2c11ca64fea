"""The dashboard's API over real artifacts, through a real ``furu dashboard`` process."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.dashboard.server import Dashboard, dashboard
from tests.throwaway import create, make_project, python

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("dash") / "proj")
    create(root, "Report()", "Report(model=Model(data=Data(name='e')))")
    assert python(root, "from lab.steps import Broken\ntry: Broken().load_or_create()\nexcept ValueError: pass").returncode == 0
    for model_dir in (root / "furu-data" / "data" / "lab" / "steps" / "Model").iterdir():
        (model_dir / "scores.csv").write_text("split,accuracy\ntest,0.9\nval,0.8\n")
        (model_dir / "page.html").write_text("<script>alert(1)</script>")
        os.symlink("/etc/passwd", model_dir / "escape")
    return root


def rows(api: httpx.Client, **params: str) -> list[dict[str, object]]:
    answer = api.get("/api/experiments", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]  # type: ignore[no-any-return]


def test_health_says_what_it_serves(api: httpx.Client, project: Path) -> None:
    health = api.get("/api/health").json()
    assert health["status"] == "ok" and health["read_only"] is False and health["demo"] is False
    assert health["data_root"] == str(project / "furu-data")


def test_experiments_filter_sort_page_and_columns_like_furu_ls(api: httpx.Client) -> None:
    page = api.get("/api/experiments", params={"filter": "class=Data", "sort": "config.name", "columns": "config.name"}).json()
    assert page["total"] == 2 and page["catalog_total"] == 7 and page["filter"] == "class=Data"
    assert [row["values"] for row in page["items"]] == [{"config.name": "d"}, {"config.name": "e"}]
    assert [r["status"] for r in rows(api, filter="status=failed")] == ["failed"]
    first, second = rows(api, limit="1"), rows(api, limit="1", offset="1")
    assert first[0]["hash"] != second[0]["hash"]
    reports = rows(api, filter="class=Report")
    assert {row["dependencies"] for row in reports} == {1}


def test_a_bad_filter_or_reference_is_a_4xx_that_says_why(api: httpx.Client) -> None:
    bad = api.get("/api/experiments", params={"filter": "lr>>1"})
    assert bad.status_code == 400 and "'>>' is not an operator" in bad.json()["detail"]
    typo = api.get("/api/experiments", params={"filter": "nmae=d"})
    assert typo.status_code == 400 and "name" in typo.json()["detail"]
    missing = api.get("/api/experiments/ffffffff")
    assert missing.status_code == 404 and "No artifact hash starts with 'ffffffff'" in missing.json()["detail"]
    assert api.get("/api/experiments/ffffffff/logs/stream").status_code == 404  # before any streaming starts
    assert api.get("/api/nothing").status_code == 404


def test_detail_relationships_logs_and_files(api: httpx.Client) -> None:
    model = rows(api, filter="class=Model data.name=d")[0]
    detail = api.get(f"/api/experiments/{model['short_hash']}").json()
    assert detail["row"]["hash"] == model["hash"] and detail["commands"]["timetravel"] == f"furu timetravel {model['hash']}"
    assert detail["report"]["record"]["config"]["data"]["name"] == "d" and "Model(" in detail["commands"]["python"]
    related = api.get(f"/api/experiments/{model['hash']}/relationships").json()
    assert [p["fqn"] for p in related["parents"]] == ["lab.steps.Data"]
    assert [c["fqn"] for c in related["children"]] == ["lab.steps.Report"] and related["children"][0]["row"]["status"] == "success"
    log = api.get(f"/api/experiments/{model['hash']}/logs").json()
    assert log["exists"] is True and log["offset"] == log["size"]
    listing = {item["path"]: item for item in api.get(f"/api/experiments/{model['hash']}/files").json()["items"]}
    assert listing["scores.csv"]["viewer"] == "csv" and listing[".furu"]["kind"] == "dir"
    model_txt = api.get(f"/api/experiments/{model['hash']}/files/model.txt")
    assert model_txt.text == "model of d" and model_txt.headers["x-content-type-options"] == "nosniff"
    table = api.get(f"/api/experiments/{model['hash']}/files/scores.csv", params={"preview": "table"}).json()
    assert table == {"columns": ["split", "accuracy"], "rows": [["test", "0.9"], ["val", "0.8"]], "total_rows": 2, "truncated": False}


def test_files_are_served_only_from_inside_the_artifact(api: httpx.Client) -> None:
    model = rows(api, filter="class=Model data.name=d")[0]["hash"]
    base = f"/api/experiments/{model}/files/"
    assert api.get(base + "escape").status_code == 403  # a symlink to /etc/passwd
    for path in ("..%2F..%2Fpyproject.toml", "%2Fetc%2Fpasswd", "model.txt%00.png", "a%5C..%5Cb", ".%2Fmodel.txt"):
        answer = api.get(base + path)
        assert answer.status_code in (403, 404) and "root:" not in answer.text, path
    html = api.get(base + "page.html")
    assert html.headers["content-disposition"].startswith("attachment") and "sandbox" in html.headers["content-security-policy"]


def test_head_answers_like_get_without_a_body(api: httpx.Client) -> None:
    got, head = api.get("/api/health"), api.head("/api/health")
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["x-frame-options"] == "DENY"
    assert api.head("/experiments").status_code == 200
    assert api.head("/api/events").status_code == 405  # a stream: HEAD would hold the connection for ever


def test_requests_for_another_host_or_from_another_site_are_refused(server: Dashboard) -> None:
    with server.client(headers={"Host": "evil.example:8765"}) as rebound:
        assert rebound.get("/api/health").status_code == 421
    with server.client(headers={"Origin": "http://evil.example"}) as other_site:
        assert other_site.get("/api/health").status_code == 403
        assert other_site.put("/api/experiments/ffff/name", json={"name": "x"}).status_code == 403


def test_tags_name_invalidate_and_delete(api: httpx.Client) -> None:
    data = rows(api, filter="class=Data config.name=e")[0]["hash"]
    assert api.put(f"/api/experiments/{data}/tags", json={"tags": ["best", "b"]}).json()["tags"] == ["b", "best"]
    assert api.put(f"/api/experiments/{data}/name", json={"name": "small"}).json()["name"] == "small"
    assert [r["hash"] for r in rows(api, filter="tag=best")] == [data]
    assert api.put(f"/api/experiments/{data}/tags", json={"tags": ["no spaces"]}).status_code == 400
    done = api.post(f"/api/experiments/{data}/invalidate", json={"cascade": True}).json()
    assert len(done["invalidated"]) == 3  # the data, its model and their report
    assert {r["status"] for r in rows(api, filter="data.name=e or model.data.name=e or name=small")} == {"absent"}
    kept = api.delete(f"/api/experiments/{data}")
    assert kept.status_code == 409 and "tagged" in kept.json()["detail"]
    assert api.delete(f"/api/experiments/{data}", params={"force": "true"}).json()["hash"] == data
    assert api.get(f"/api/experiments/{data}").status_code == 404


def test_overview_namespaces_dag_and_fields(api: httpx.Client) -> None:
    stats = api.get("/api/stats").json()
    assert stats["total"] == sum(c["count"] for c in stats["by_status"]) and stats["disk_bytes"] > 0
    assert [c["value"] for c in api.get("/api/namespaces").json()] == ["lab.steps"]
    dag = api.get("/api/dag").json()
    assert {(e["source"], e["target"]) for e in dag["edges"]} >= {("lab.steps.Model", "lab.steps.Data"), ("lab.steps.Report", "lab.steps.Model")}
    code = api.get("/api/dag", params={"source": "code"}).json()
    assert {n["id"] for n in code["nodes"]} == {"lab.steps.Data", "lab.steps.Model", "lab.steps.Report", "lab.steps.Broken"}
    assert {(e["source"], e["target"]) for e in code["edges"]} == {("lab.steps.Model", "lab.steps.Data"), ("lab.steps.Report", "lab.steps.Model")}
    fields = {f["path"]: f for f in api.get("/api/fields", params={"class": "lab.steps.Data"}).json()["fields"]}
    assert "d" in [v["value"] for v in fields["name"]["values"]] and fields["name"]["kinds"] == ["str"]


def test_events_announce_the_catalog_at_once(server: Dashboard) -> None:
    with httpx.stream("GET", server.url + "/api/events", timeout=10) as events:
        lines = []
        for line in events.iter_lines():
            lines.append(line)
            if line.startswith("data:"):
                break
    assert lines[0] == "event: catalog" and lines[-1].startswith('data: {"artifacts": ')


def test_read_only_refuses_every_change(project: Path) -> None:
    with dashboard(project, "--read-only") as running, running.client() as api:
        target = rows(api, filter="class=Model status=success")[0]["hash"]
        for answer in (
            api.put(f"/api/experiments/{target}/name", json={"name": "x"}),
            api.post(f"/api/experiments/{target}/invalidate", json={"cascade": False}),
            api.delete(f"/api/experiments/{target}"),
        ):
            assert answer.status_code == 403 and "read-only" in answer.json()["detail"]
        assert rows(api, filter=f"hash={target}")[0]["status"] == "success"


def test_off_loopback_every_request_needs_the_printed_token(project: Path) -> None:
    with dashboard(project, "--host", "0.0.0.0") as running:
        assert running.token is not None and "keep the URL private" in "".join(running.output)
        with running.client() as anonymous:
            refused = anonymous.get("/api/health")
            assert refused.status_code == 401 and "token" in refused.json()["detail"]
        with running.client() as browser:
            kept = browser.get("/", params={"token": running.token})
            assert kept.status_code == 303 and "httponly" in kept.headers["set-cookie"].lower()
            assert browser.get("/api/health").status_code == 200  # the cookie
        with running.client(headers={"X-Furu-Token": running.token}) as script:
            assert script.get("/api/health").status_code == 200
        with running.client(headers={"X-Furu-Token": "wrong"}) as guess:
            assert guess.get("/api/health").status_code == 401
