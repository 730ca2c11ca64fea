"""The API fuzzed from its own OpenAPI schema (schemathesis): whatever a client sends, never a 500.

Every operation but the two endpoints that stream forever gets generated
requests (valid and invalid parameters, odd paths and bodies) against a real
server over real artifacts; mutations included, on a throwaway project.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from tests.dashboard.server import Dashboard, dashboard  # noqa: E402
from tests.throwaway import create, make_project  # noqa: E402


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    project = make_project(tmp_path_factory.mktemp("fuzz") / "proj")
    create(project, "Report()", "Report(model=Model(data=Data(name='e')))")
    with dashboard(project) as server:
        yield server


@pytest.fixture(scope="module")
def api_schema(running: Dashboard) -> object:
    return schemathesis.openapi.from_url(running.url + "/api/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema").exclude(path_regex=r".*(/events|/logs/stream)$")


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case: schemathesis.Case, running: Dashboard) -> None:
    case.call_and_validate(base_url=running.url, checks=[not_a_server_error])
