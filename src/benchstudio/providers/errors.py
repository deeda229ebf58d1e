"""The closed provider error tree, HTTP status mapping and message sanitising.

Every failure that leaves an adapter is one of these classes. Messages are sanitised at
construction: API keys, bearer tokens and `key=` query values never reach logs or users.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from benchstudio.core.redaction import REDACTED, redact

_MAX_MESSAGE_CHARS = 500


def sanitize(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove keys, tokens and credentials from `text` and cap its length."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    text = redact(text)
    if len(text) > _MAX_MESSAGE_CHARS:
        text = text[:_MAX_MESSAGE_CHARS] + "…"
    return text


class ProviderError(Exception):
    """Base of the closed tree. `category` is the stable machine-readable class name."""

    category: ClassVar[str] = "other"
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.message = sanitize(message, secrets)
        self.status = status
        self.request_id = request_id
        super().__init__(self.message)

    def __str__(self) -> str:
        prefix = f"{self.category}" + (f" (HTTP {self.status})" if self.status else "")
        return f"{prefix}: {self.message}"


class AuthError(ProviderError):
    category = "auth"


class RateLimitedError(ProviderError):
    category = "rate_limit"
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        request_id: str | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        super().__init__(message, status=status, request_id=request_id, secrets=secrets)
        self.retry_after = retry_after


class BadRequestError(ProviderError):
    category = "bad_request"


class NotFoundError(ProviderError):
    category = "not_found"


class ContextOverflowError(BadRequestError):
    category = "context_overflow"


class ProviderTimeoutError(ProviderError):
    category = "timeout"
    retryable = True


class ProviderConnectionError(ProviderError):
    category = "connection"
    retryable = True


class ServerError(ProviderError):
    category = "server"
    retryable = True


class ContentFilteredError(ProviderError):
    category = "content_filtered"


_CONTEXT_MARKERS = (
    "context_length_exceeded",
    "context length",
    "context window",
    "maximum context",
    "prompt is too long",
    "too many tokens",
    "input is too long",
    "exceeds the maximum number of tokens",
)
# Gemini answers a bad key with 400 INVALID_ARGUMENT rather than 401.
_AUTH_MARKERS = ("api_key_invalid", "api key not valid", "invalid api key", "api key expired")
_FILTER_MARKERS = ("content_filter", "content_policy", "safety", "responsible ai")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after` / `retry-after-ms` headers (None when absent)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000.0)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            return None  # HTTP-date form: rare for LLM APIs; treat as unknown
    return None


def error_message_from_body(body: str) -> tuple[str, str]:
    """Extract (message, code/type) from the error bodies of OpenAI, Anthropic and Gemini."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return body.strip()[:_MAX_MESSAGE_CHARS] or "no error body", ""
    if isinstance(data, list) and data:
        data = data[0]  # Gemini sometimes wraps errors in a list
    if not isinstance(data, dict):
        return str(data)[:_MAX_MESSAGE_CHARS], ""
    err = data.get("error", data)
    if isinstance(err, str):
        return err, str(data.get("type", ""))
    if not isinstance(err, dict):
        return str(err), ""
    message = str(err.get("message") or err.get("detail") or err)
    code = " ".join(str(err.get(k) or "") for k in ("code", "type", "status")).strip()
    return message, code


def error_from_status(
    status: int,
    body: str,
    headers: Mapping[str, str] | None = None,
    *,
    request_id: str | None = None,
    secrets: Iterable[str] = (),
) -> ProviderError:
    """Map an HTTP error response to the closed tree."""
    message, code = error_message_from_body(body)
    lowered = f"{message} {code}".lower()
    kwargs: dict[str, Any] = {"status": status, "request_id": request_id, "secrets": secrets}
    if status in (401, 403) or (status == 400 and any(m in lowered for m in _AUTH_MARKERS)):
        return AuthError(message, **kwargs)
    if status == 429 or "rate_limit" in lowered or "resource_exhausted" in lowered:
        retry_after = parse_retry_after(headers or {})
        return RateLimitedError(message, retry_after=retry_after, **kwargs)
    if status == 404:
        return NotFoundError(message, **kwargs)
    if status in (400, 413, 422) and any(m in lowered for m in _CONTEXT_MARKERS):
        return ContextOverflowError(message, **kwargs)
    if status == 400 and any(m in lowered for m in _FILTER_MARKERS):
        return ContentFilteredError(message, **kwargs)
    if status in (408, 504):
        return ProviderTimeoutError(message, **kwargs)
    if status >= 500 or status == 529:  # 529: Anthropic "overloaded"
        return ServerError(message, **kwargs)
    return BadRequestError(message, **kwargs)


def error_from_stream_payload(
    payload: Any, *, request_id: str | None = None, secrets: Iterable[str] = ()
) -> ProviderError:
    """Map an error object received inside an SSE stream (HTTP status was already 200)."""
    body = json.dumps(payload) if not isinstance(payload, str) else payload
    message, code = error_message_from_body(body)
    lowered = f"{message} {code}".lower()
    status = None
    if isinstance(payload, dict):
        err = payload.get("error", payload)
        if isinstance(err, dict) and isinstance(err.get("code"), int):
            status = err["code"]
    if "overloaded" in lowered or "server" in lowered or "internal" in lowered:
        return ServerError(message, status=status, request_id=request_id, secrets=secrets)
    if status is not None:
        return error_from_status(status, body, request_id=request_id, secrets=secrets)
    if "rate" in lowered and "limit" in lowered:
        return RateLimitedError(message, status=None, request_id=request_id, secrets=secrets)
    if any(m in lowered for m in _CONTEXT_MARKERS):
        return ContextOverflowError(message, request_id=request_id, secrets=secrets)
    return ServerError(message, status=status, request_id=request_id, secrets=secrets)
