"""Hooks other domains attach to an eval job (live judging, the auto-judge), registered by the
composition root at start-up; evals knows only these shapes, never who implements them.

- A case observer is opened per job after `start_run`: `on_case` is called after each stored
  case (it must not block: schedule work and return), `finish` before the run is finished
  (wait for that work), `aclose` on cancel or error (stop it).
- A finish hook runs after a run finished (done or stopped) and may start follow-up jobs.
A failing hook is logged, never the eval's failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from benchstudio.evals.runs.service.lifecycle import RunPlan
from benchstudio.jobs.context import JobContext
from benchstudio.toolcall.live.records import LiveCaseResult

log = logging.getLogger(__name__)


class CaseObserver(Protocol):
    def on_case(self, result_id: str, result: LiveCaseResult) -> None: ...
    async def finish(self) -> None: ...
    async def aclose(self) -> None: ...


ObserverFactory = Callable[[JobContext, RunPlan], Awaitable[CaseObserver | None]]
FinishHook = Callable[[JobContext, str], Awaitable[None]]

_factories: list[ObserverFactory] = []
_finish_hooks: list[FinishHook] = []


def register_case_observer(factory: ObserverFactory) -> None:
    """Idempotent: registering the same factory twice keeps one."""
    if factory not in _factories:
        _factories.append(factory)


def register_finish_hook(hook: FinishHook) -> None:
    if hook not in _finish_hooks:
        _finish_hooks.append(hook)


async def open_observers(ctx: JobContext, plan: RunPlan) -> list[CaseObserver]:
    """Every registered factory's observer for this job (a factory may decline with None).
    A factory that fails is a refused option (e.g. the judge model was deleted): raised."""
    observers: list[CaseObserver] = []
    for factory in _factories:
        observer = await factory(ctx, plan)
        if observer is not None:
            observers.append(observer)
    return observers


async def run_finish_hooks(ctx: JobContext, run_id: str) -> None:
    for hook in _finish_hooks:
        try:
            await hook(ctx, run_id)
        except Exception:
            log.exception("an eval finish hook failed", extra={"run_id": run_id})
