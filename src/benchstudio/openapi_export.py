"""Write the OpenAPI document to a file: `python -m benchstudio.openapi_export PATH`.

The web app generates its typed client from this file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import SecretStr

from benchstudio.app import create_app
from benchstudio.config import Settings


def export_openapi(path: Path) -> None:
    # Fixed dummy secrets: exporting the schema must not create or read any secrets file.
    settings = Settings(secret_key=SecretStr("x" * 48), vault_keys=SecretStr("y" * 44))
    document = create_app(settings).openapi()
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchstudio.openapi_export OUTPUT.json")
    export_openapi(Path(sys.argv[1]))
