"""Application errors that map to the one error envelope.

Domain and service code raise these; the API layer renders them as
`{"error": {"code", "message", "request_id"}}` with the status given here.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An expected failure with a stable machine code and a safe, readable message."""

    status_code: int = 400
    code: str = "bad_request"
    # Machine-readable specifics for the envelope's `details` (e.g. the existing duplicate).
    details: list[dict[str, Any]] | None = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: list[dict[str, Any]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class PermissionDeniedError(AppError):
    status_code = 403
    code = "forbidden"


class AuthenticationError(AppError):
    status_code = 401
    code = "unauthenticated"


class RateLimitedError(AppError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ServiceUnavailableError(AppError):
    """A dependency (the queue, the realtime store) is down: try again later, nothing changed."""

    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, code: str, retry_after_s: int = 5) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class StorageUnavailableError(AppError):
    """The database cannot take a write: its disk is full (507), or it is read-only, locked or
    failing I/O (503). Reads usually still work, so a caller that only wanted a best-effort
    write (a token's last use) skips it; a job stops as interrupted, resumable once fixed."""

    status_code = 503
    code = "storage_unavailable"

    def __init__(self, message: str, *, reason: str, full: bool = False) -> None:
        super().__init__(
            message,
            code="insufficient_storage" if full else None,
            status_code=507 if full else None,
        )
        self.reason = reason
