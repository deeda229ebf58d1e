"""Regression-alert use cases: `rules` (a schedule's rules, episodes, mutes), `checking` (a
finished scheduled run is queued in the job's last unit, then checked by the alert loop),
`notices` (the notification center and email), `webhooks` (endpoints, signed deliveries with
retries, the delivery log) and `loop` (the periodic pass in the server's lifespan).

Time comes from `AlertContext.clock`; the mailer is injected (tests capture mail)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from benchstudio.accounts.service.mailer import Mailer
from benchstudio.config import Settings
from benchstudio.core.clock import utcnow
from benchstudio.credentials.service import Vault
from benchstudio.storage.service_context import ServiceContext


@dataclass(frozen=True, kw_only=True)
class AlertContext(ServiceContext):
    """The base context plus the vault (webhook URLs and secrets), the settings (the egress
    policy), the mailer and the clock."""

    settings: Settings
    vault: Vault
    mailer: Mailer
    clock: Callable[[], datetime] = field(default=utcnow)
