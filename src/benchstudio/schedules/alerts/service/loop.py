"""The alert loop in the server's lifespan: every few seconds it checks queued runs, sends
the webhook deliveries that are due and emails the schedules' own notices. Several replicas
may run it: checks, deliveries and mails are claimed row by row, so each is handled once.
Nothing here blocks the API: the statistics run in a worker thread, and deliveries wait on
the network, not on the loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from benchstudio.core.outages import dependency
from benchstudio.jobs.dispatcher import is_database_outage
from benchstudio.schedules.alerts.service import AlertContext
from benchstudio.schedules.alerts.service.checking import check_pending
from benchstudio.schedules.alerts.service.delivering import deliver_due
from benchstudio.schedules.alerts.service.mail_outbox import send_due_mail

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertPass:
    checked: int
    delivered: int
    mailed: int = 0  # the schedules' own notices emailed (skips, pauses)


async def alert_pass(ctx: AlertContext) -> AlertPass:
    """One pass: queued checks, then due deliveries (those a check just queued included), then
    the emails of the schedules' own notices."""
    checked = await check_pending(ctx)
    delivered = await deliver_due(ctx)
    return AlertPass(checked, delivered, await send_due_mail(ctx))


class AlertLoop:
    def __init__(self, ctx: AlertContext, *, interval_s: float = 2.0) -> None:
        self.ctx = ctx
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="schedule-alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await alert_pass(self.ctx)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if is_database_outage(exc):
                    dependency("database").failed(exc)
                else:
                    log.exception("schedule alert pass failed")
            await asyncio.sleep(self.interval_s)
