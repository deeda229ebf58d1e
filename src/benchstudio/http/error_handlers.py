"""Exception handlers that render expected errors in the one envelope."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from benchstudio.core.errors import (
    AppError,
    RateLimitedError,
    ServiceUnavailableError,
    StorageUnavailableError,
)
from benchstudio.http.envelope import envelope_bytes
from benchstudio.http.validation_messages import plain_message, summary
from benchstudio.storage.faults import storage_fault

log = logging.getLogger(__name__)
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
    507: "insufficient_storage",
}


def _request_id(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def _json(status: int, body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    headers = None
    if isinstance(exc, (RateLimitedError, ServiceUnavailableError)):
        headers = {"Retry-After": str(exc.retry_after_s)}
    if isinstance(exc, StorageUnavailableError):
        # An operator problem, not the caller's: keep the driver's words in the server log
        # ("database is locked" is what the load benchmark counts).
        log.warning("storage unavailable (%s): %s", exc.reason, exc.__cause__ or exc.message)
    return _json(
        exc.status_code,
        envelope_bytes(exc.code, exc.message, _request_id(request), exc.details),
        headers,
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    # The engine already turns storage faults into `StorageUnavailableError`; this catches one
    # that reached us untranslated. Anything else is a bug: the edge middleware makes it a 500.
    fault = storage_fault(exc)
    if fault is None:
        raise exc
    return await _app_error(request, fault)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ").capitalize()
    body = envelope_bytes(code, message, _request_id(request))
    return _json(exc.status_code, body, dict(exc.headers) if exc.headers else None)


def _clean_validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    # Never echo the submitted input back: it may hold a password or an API key. Each error
    # keeps its machine-readable `loc` and `type`; `msg` is a plain sentence (issue 17 bug 11).
    return [
        {"loc": list(err.get("loc", [])), "msg": plain_message(err), "type": err.get("type")}
        for err in errors
    ]


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = _clean_validation_errors(list(exc.errors()))
    message = summary(details)
    body = envelope_bytes("validation_error", message, _request_id(request), details)
    return _json(422, body)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
