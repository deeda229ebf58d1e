"""Error responses as each real API writes them: status code, JSON body, extra headers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from benchstudio.simulator.chat_request import Wire


class ErrorKind(StrEnum):
    AUTH_MISSING = "auth_missing"
    AUTH_INVALID = "auth_invalid"
    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    UNAVAILABLE = "unavailable"
    CONTEXT_LENGTH = "context_length"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"


@dataclass(slots=True)
class ErrorResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


_OPENAI: dict[ErrorKind, tuple[int, str, str | None, str]] = {
    # kind: (status, type, code, default message)
    ErrorKind.AUTH_MISSING: (
        401,
        "invalid_request_error",
        None,
        "You didn't provide an API key. You need to provide your API key in an Authorization "
        "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    ),
    ErrorKind.AUTH_INVALID: (
        401,
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key in your account settings.",
    ),
    ErrorKind.RATE_LIMIT: (
        429,
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again later.",
    ),
    ErrorKind.SERVER_ERROR: (
        500,
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    ErrorKind.UNAVAILABLE: (
        503,
        "server_error",
        None,
        "The engine is currently overloaded, please try again later.",
    ),
    ErrorKind.CONTEXT_LENGTH: (400, "invalid_request_error", "context_length_exceeded", ""),
    ErrorKind.BAD_REQUEST: (400, "invalid_request_error", None, "Invalid request."),
    ErrorKind.NOT_FOUND: (404, "invalid_request_error", None, "Not found."),
}

_ANTHROPIC: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.AUTH_MISSING: (401, "authentication_error", "x-api-key header is required"),
    ErrorKind.AUTH_INVALID: (401, "authentication_error", "invalid x-api-key"),
    ErrorKind.RATE_LIMIT: (
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization. Please try again later.",
    ),
    ErrorKind.SERVER_ERROR: (500, "api_error", "Internal server error"),
    ErrorKind.UNAVAILABLE: (503, "overloaded_error", "Overloaded"),
    ErrorKind.CONTEXT_LENGTH: (400, "invalid_request_error", ""),
    ErrorKind.BAD_REQUEST: (400, "invalid_request_error", "Invalid request."),
    ErrorKind.NOT_FOUND: (404, "not_found_error", "Not found."),
}

_GEMINI: dict[ErrorKind, tuple[int, str, str]] = {
    ErrorKind.AUTH_MISSING: (
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). "
        "Please use API Key or other form of API consumer identity to call this API.",
    ),
    # Gemini answers a wrong key with 400 INVALID_ARGUMENT + reason API_KEY_INVALID, not 401.
    ErrorKind.AUTH_INVALID: (
        400,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
    ),
    ErrorKind.RATE_LIMIT: (
        429,
        "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details.",
    ),
    ErrorKind.SERVER_ERROR: (
        500,
        "INTERNAL",
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
    ),
    ErrorKind.UNAVAILABLE: (503, "UNAVAILABLE", "The model is overloaded. Please try again later."),
    ErrorKind.CONTEXT_LENGTH: (400, "INVALID_ARGUMENT", ""),
    ErrorKind.BAD_REQUEST: (400, "INVALID_ARGUMENT", "Invalid request."),
    ErrorKind.NOT_FOUND: (404, "NOT_FOUND", "Not found."),
}


def context_message(wire: Wire, limit: int, prompt_tokens: int, completion_tokens: int) -> str:
    """Each API's own wording of a context-window overflow."""
    if wire is Wire.ANTHROPIC:
        return f"prompt is too long: {prompt_tokens} tokens > {limit} maximum"
    if wire is Wire.GEMINI:
        return (
            f"The input token count ({prompt_tokens}) exceeds the maximum number of tokens "
            f"allowed ({limit})."
        )
    if completion_tokens:
        return (
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{prompt_tokens + completion_tokens} tokens ({prompt_tokens} in the messages, "
            f"{completion_tokens} in the completion). Please reduce the length of the messages "
            "or completion."
        )
    return (
        f"This model's maximum context length is {limit} tokens. However, your messages "
        f"resulted in {prompt_tokens} tokens. Please reduce the length of the messages."
    )


def error_response(
    wire: Wire,
    kind: ErrorKind,
    message: str | None = None,
    param: str | None = None,
    retry_after: float | None = None,
) -> ErrorResponse:
    """The status, body and headers `wire`'s real API sends for `kind`."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        headers["retry-after"] = str(max(0, math.ceil(retry_after)))
        headers["retry-after-ms"] = str(round(retry_after * 1000))
    if wire is Wire.OPENAI:
        status, err_type, code, default = _OPENAI[kind]
        body: dict[str, Any] = {
            "error": {
                "message": message or default,
                "type": err_type,
                "param": param,
                "code": code,
            }
        }
        return ErrorResponse(status, body, headers)
    if wire is Wire.ANTHROPIC:
        status, err_type, default = _ANTHROPIC[kind]
        body = {"type": "error", "error": {"type": err_type, "message": message or default}}
        return ErrorResponse(status, body, headers)
    status, grpc_status, default = _GEMINI[kind]
    error: dict[str, Any] = {"code": status, "message": message or default, "status": grpc_status}
    if kind is ErrorKind.AUTH_INVALID:
        error["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
            }
        ]
    return ErrorResponse(status, {"error": error}, headers)
