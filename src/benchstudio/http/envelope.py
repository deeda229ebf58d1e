"""The one error envelope: `{"error": {"code", "message", "request_id"}}`."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    code: str
    message: str
    request_id: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def envelope_bytes(
    code: str,
    message: str,
    request_id: str | None,
    details: list[dict[str, Any]] | None = None,
) -> bytes:
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if details is not None:
        body["details"] = details
    return json.dumps({"error": body}).encode()


# Documented on every route so generated clients know the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorEnvelope, "description": "Client error"},
    "5XX": {"model": ErrorEnvelope, "description": "Server error"},
}
