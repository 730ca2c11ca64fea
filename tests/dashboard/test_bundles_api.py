"""``/api/bundles``: export from one project's dashboard, import into another's, with the CLI's verification."""

from __future__ import annotations

import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.dashboard.server import Dashboard, dashboard
from tests.share.conftest import tree
from tests.share.test_share_bad_input import entry, index_of, read_members, write_members
from tests.throwaway import create, furu_json, make_project

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def sender(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Dashboard, dict[str, str]]]:
    root = make_project(tmp_path_factory.mktemp("sender") / "proj")
    hashes = create(root, "Model(data=Data(name='shared'))", "Data(name='alone')", "Data(name='other')")
    with dashboard(root) as running:
        yield root, running, hashes


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Dashboard]]:
    root = make_project(tmp_path_factory.mktemp("receiver") / "proj")
    with dashboard(root) as running:
        yield root, running


@pytest.fixture(scope="module")
def bundle(sender: tuple[Path, Dashboard, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, server, hashes = sender
    model = hashes["Model(data=Data(name='shared'))"]
    with server.client() as api:
        answer = api.post("/api/bundles/export", json={"hashes": [model[:10]]})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"] == 'attachment; filename="furu-1-artifact.furu.tar"'
    assert answer.headers["x-furu-artifacts"] == "2"  # the Model and the Data it depends on
    assert answer.headers["x-furu-command"] == f"furu export {model[:10]} -o furu-1-artifact.furu.tar"
    path = tmp_path_factory.mktemp("bundles") / "furu-1-artifact.furu.tar"
    path.write_bytes(answer.content)
    return path


def classes(server: Dashboard) -> list[tuple[str, str]]:
    with server.client() as api:
        items = api.get("/api/experiments", params={"sort": "class"}).json()["items"]
    return [(row["class_name"], row["status"]) for row in items]


def upload(server: Dashboard, path: Path, filename: str | None = None, **params: str) -> httpx.Response:
    with server.client() as api:
        files = {"bundle": (filename or path.name, path.read_bytes(), "application/x-tar")}
        return api.post("/api/bundles/import", params=params, files=files)


def test_export_then_dry_run_then_import_into_another_project(
    bundle: Path, sender: tuple[Path, Dashboard, dict[str, str]], receiver: tuple[Path, Dashboard]
) -> None:
    root, server = receiver
    with tarfile.open(bundle) as tar:
        names = tar.getnames()
    assert names[0] == "furu-bundle.json" and names[-1] == "manifest.json"
    before = tree(root)
    dry = upload(server, bundle)  # dry_run is the default: the page shows this first
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report["dry_run"] is True and report["bundle"] == "furu-1-artifact.furu.tar"
    assert [(e["fqn"], e["action"], e["requested"]) for e in report["experiments"]] == [
        ("lab.steps.Data", "imported", False), ("lab.steps.Model", "imported", True),
    ]
    assert report == furu_json(root, "import", str(bundle), "--dry-run") | {"bundle": bundle.name, "bytes_read": report["bytes_read"]}
    assert tree(root) == before and classes(server) == []
    applied = upload(server, bundle, dry_run="false")
    assert applied.status_code == 200, applied.text
    assert [e["action"] for e in applied.json()["experiments"]] == ["imported", "imported"]
    assert classes(server) == [("Data", "success"), ("Model", "success")]
    again = upload(server, bundle).json()
    assert [(e["action"], e["reason"]) for e in again["experiments"]] == [("skipped", "an identical result is already here")] * 2


def test_export_by_filter_takes_the_matches_that_have_a_result(sender: tuple[Path, Dashboard, dict[str, str]]) -> None:
    _, server, hashes = sender
    before = set(Path(tempfile.gettempdir()).glob("furu-dashboard-bundle-*"))
    with server.client() as api:
        answer = api.post("/api/bundles/export", json={"filter": "class=Data config.name!=shared", "deps": False})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"] == 'attachment; filename="furu-2-artifacts.furu.tar"'
        assert answer.headers["x-furu-command"].endswith(" -o furu-2-artifacts.furu.tar --no-deps")
        assert set(answer.headers["x-furu-command"].split()[2:4]) == {hashes["Data(name='alone')"], hashes["Data(name='other')"]}
        deadline = time.monotonic() + 10  # removed just after the last byte is sent
        while set(Path(tempfile.gettempdir()).glob("furu-dashboard-bundle-*")) != before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(Path(tempfile.gettempdir()).glob("furu-dashboard-bundle-*")) == before
        nothing = api.post("/api/bundles/export", json={"filter": "class=Report"})
        assert nothing.status_code == 400 and nothing.json()["detail"].startswith("Nothing to export")
        unknown = api.post("/api/bundles/export", json={"hashes": ["ffffffff"]})
        assert unknown.status_code == 404 and "ffffffff" in unknown.json()["detail"]


def test_a_tampered_bundle_is_refused_and_nothing_is_written(bundle: Path, receiver: tuple[Path, Dashboard], tmp_path: Path) -> None:
    root, server = receiver
    members = read_members(bundle)
    i = index_of(members, "/model.txt")
    members[i] = (members[i][0], b"model of something else!")
    tampered = write_members(tmp_path / "tampered.furu.tar", members)
    before = tree(root)
    for dry_run in ("true", "false"):
        answer = upload(server, tampered, dry_run=dry_run)
        assert answer.status_code == 400
        detail = answer.json()["detail"]
        assert detail.startswith("Refused bundle tampered.furu.tar: ") and detail.endswith(" Nothing was written.")
        assert "model.txt" in detail
    assert tree(root) == before


def test_a_path_traversal_bundle_is_refused(bundle: Path, receiver: tuple[Path, Dashboard], tmp_path: Path) -> None:
    root, server = receiver
    members = read_members(bundle)
    members.insert(1, entry("data/../../evil.txt"))
    hostile = write_members(tmp_path / "hostile.tar", members)
    before = tree(root)
    answer = upload(server, hostile, "../evil name.tar", dry_run="false")
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Refused bundle evil_name.tar: entry 'data/../../evil.txt' has a '..' component. Nothing was written."
    )
    assert tree(root) == before and not (root.parent / "evil.txt").exists()


def test_not_a_bundle_is_refused(receiver: tuple[Path, Dashboard], tmp_path: Path) -> None:
    _, server = receiver
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    answer = upload(server, junk)
    assert answer.status_code == 400 and answer.json()["detail"].startswith("Refused bundle notes.txt: it is not a tar file")


def test_read_only_refuses_import_and_export(bundle: Path, tmp_path: Path) -> None:
    root = make_project(tmp_path / "proj")
    create(root, "Data()")
    with dashboard(root, "--read-only") as server:
        refused = upload(server, bundle, dry_run="false")
        assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
        with server.client() as api:
            assert api.post("/api/bundles/export", json={"filter": "class=Data"}).status_code == 403
    assert classes_on_disk(root) == ["Data"]


def classes_on_disk(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "furu-data" / "data" / "lab" / "steps").iterdir())
