"""Write audit events inside the caller's unit of work; read them back with filters.

The log is append-only through the API: there is no route that edits or deletes an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit.models import AuditEvent
from benchstudio.audit.schemas import AuditEventOut, AuditPage
from benchstudio.core.redaction import redact
from benchstudio.http.client_address import client_ip_var
from benchstudio.storage.service_context import ServiceContext


def _scrub(value: Any) -> Any:
    # Defence in depth: details are written by our code, but never let a secret through.
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: str | None,
    target: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an event to the caller's unit. `ip` defaults to the address of the request being
    served (resolved through the trusted proxies only), so every action done over the API
    records where it came from; jobs and the CLI record none."""
    session.add(
        AuditEvent(
            action=action,
            actor_id=actor_id,
            target=target,
            ip=ip or client_ip_var.get(),
            detail=_scrub(detail or {}),
        )
    )


class AuditRecorder:
    """`record` as an object, for floors below the audit log that may not import it: the
    composition root hands one to the job system (its `jobs.auditing.JobAuditor`)."""

    def record(
        self,
        session: AsyncSession,
        action: str,
        *,
        actor_id: str | None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        record(session, action, actor_id=actor_id, target=target, detail=detail)


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    # Any of these actors (the users an e-mail filter matched; empty: none match).
    actor_ids: tuple[str, ...] | None = None
    action: str | None = None  # exact, or a prefix ending in "." (e.g. "auth.")
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def list_events(
    ctx: ServiceContext, filters: AuditFilter, *, limit: int, cursor: str | None
) -> AuditPage:
    """Newest first; `cursor` is the last id of the previous page (ids sort by time)."""
    query = select(AuditEvent)
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.actor_ids is not None:
        query = query.where(AuditEvent.actor_id.in_(filters.actor_ids))
    if filters.action:
        if filters.action.endswith("."):
            query = query.where(AuditEvent.action.startswith(filters.action, autoescape=True))
        else:
            query = query.where(AuditEvent.action == filters.action)
    if filters.target:
        query = query.where(AuditEvent.target == filters.target)
    if filters.since:
        query = query.where(AuditEvent.at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.at < filters.until)
    if cursor:
        query = query.where(AuditEvent.id < cursor)
    query = query.order_by(AuditEvent.id.desc()).limit(limit + 1)
    async with ctx.read() as session:
        rows = list((await session.execute(query)).scalars())
        items = [AuditEventOut.model_validate(r) for r in rows[:limit]]
    next_cursor = items[-1].id if len(rows) > limit and items else None
    return AuditPage(items=items, next_cursor=next_cursor)
