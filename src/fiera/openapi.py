"""The committed OpenAPI document, docs/openapi.json, and the command that writes it.

``make openapi`` (``python -m fiera.openapi docs/openapi.json``) regenerates the file;
tests/test_api_schema.py fails while the committed file differs from what the API states,
so every change to the API contract shows up in review as a diff of that file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = "make openapi"


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document as plain JSON data (Django must be set up)."""
    from fiera.api import api

    schema = api.get_openapi_schema()
    # Through JSON and back: the document as a client reads it (tuples become lists).
    loaded: dict[str, Any] = json.loads(json.dumps(schema))
    return loaded


def openapi_text() -> str:
    """The document as committed: two-space indent, keys in the API's order, UTF-8."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    from fiera.common.runtime import setup_django

    setup_django()
    target = Path(argv[0]) if argv else COMMITTED
    target.write_text(openapi_text(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
