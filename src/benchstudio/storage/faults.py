"""Storage faults: a database that cannot take writes becomes a `StorageUnavailableError`.

A full disk, a read-only or locked database file, or failing disk I/O is not a bug in the
request that hit it: the API answers 507 or 503 with a clear message instead of a 500, and a
job stops as interrupted (resumable) instead of failing. The engine hook translates the
driver's error where SQLAlchemy raises it, so every caller sees the same type.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from benchstudio.core.errors import StorageUnavailableError

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL = 5, 8, 10, 13
_FULL = "disk full"
_READ_ONLY = "read-only database"
_LOCKED = "database locked"
_IO = "disk I/O error"
_SQLITE_REASONS = {
    _SQLITE_FULL: _FULL,
    _SQLITE_READONLY: _READ_ONLY,
    _SQLITE_BUSY: _LOCKED,
    _SQLITE_IOERR: _IO,
}
# The same faults on PostgreSQL, by SQLSTATE.
_POSTGRES_REASONS = {"53100": _FULL, "25006": _READ_ONLY, "58030": _IO}
_MESSAGES = {
    _FULL: "The server's disk is full: nothing can be saved until space is freed. "
    "Reading still works.",
    _READ_ONLY: "The database is read-only: nothing can be saved until it is writable again. "
    "Reading still works.",
    _LOCKED: "The database is locked by another process: try again shortly.",
    _IO: "The database's disk reported an I/O error: nothing can be saved right now.",
}


def _reason(orig: BaseException) -> str | None:
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_REASONS.get(code & 0xFF)
    for candidate in (orig, orig.__cause__):
        sqlstate = getattr(candidate, "sqlstate", None)
        if isinstance(sqlstate, str):
            return _POSTGRES_REASONS.get(sqlstate)
    return None


def storage_fault(exc: BaseException) -> StorageUnavailableError | None:
    """The storage fault behind a database error (raw driver error or SQLAlchemy's wrapper),
    or None when it is something else (a constraint, a bug, a lost connection)."""
    if isinstance(exc, StorageUnavailableError):
        return exc
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    reason = _reason(orig) if isinstance(orig, BaseException) else None
    if reason is None:
        return None
    return StorageUnavailableError(_MESSAGES[reason], reason=reason, full=reason == _FULL)


def install_fault_translation(engine: AsyncEngine) -> None:
    """Raise `StorageUnavailableError` (the driver's error chained) for storage faults."""

    @event.listens_for(engine.sync_engine, "handle_error")
    def _translate(context: ExceptionContext) -> BaseException | None:
        return storage_fault(context.original_exception)
