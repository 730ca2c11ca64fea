"""``python -m furu.dashboard.openapi``: print the API's OpenAPI schema (what ``frontend/``'s client is generated from).

Printed with sorted keys and no data root in it, so the same code gives the
same bytes and a test can tell when the committed client is out of date.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from furu.dashboard.app import create_app


def openapi_schema() -> dict[str, Any]:
    return create_app().openapi()


def main() -> None:
    sys.stdout.write(json.dumps(openapi_schema(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
