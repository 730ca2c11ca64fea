"""The frontend's typed client is generated from the API's OpenAPI schema: both committed files match the code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
REGENERATE = "python -m furu.dashboard.openapi > frontend/openapi.json && (cd frontend && npm run generate-client)"


def test_the_committed_schema_is_the_apis() -> None:
    printed = subprocess.run([sys.executable, "-m", "furu.dashboard.openapi"], capture_output=True, text=True, check=True).stdout
    committed = (FRONTEND / "openapi.json").read_text()
    assert json.loads(committed) == json.loads(printed), f"frontend/openapi.json is out of date: {REGENERATE}"


def test_the_committed_client_is_generated_from_it(tmp_path: Path) -> None:
    generator = FRONTEND / "node_modules" / ".bin" / "openapi-typescript"
    if not generator.exists() or shutil.which("node") is None:
        pytest.skip("the frontend's packages are not installed (npm ci in frontend/)")
    out = tmp_path / "schema.d.ts"
    subprocess.run([str(generator), str(FRONTEND / "openapi.json"), "-o", str(out)], cwd=FRONTEND, capture_output=True, check=True)
    assert out.read_text() == (FRONTEND / "src" / "client" / "schema.d.ts").read_text(), f"the client is out of date: {REGENERATE}"
