"""The audit log as the job system sees it: a hook injected at composition time.

The job system writes an audit row when a job starts and when one is cancelled, inside the
unit of work that changes the job (both commit, or neither). The audit log is a platform
domain, a floor above this one, so the job system does not import it: the composition root
hands the runtime a `JobAuditor` (`audit.service.AuditRecorder`).
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class JobAuditor(Protocol):
    def record(
        self,
        session: AsyncSession,
        action: str,
        *,
        actor_id: str | None,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Add one audit row to `session` (the caller's unit of work); never commit."""
        ...
