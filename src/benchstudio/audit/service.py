"""Write audit events inside the caller's unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.audit.models import AuditEvent


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: str | None,
    target: str | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(action=action, actor_id=actor_id, target=target, ip=ip, detail=detail or {})
    )
