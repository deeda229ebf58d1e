"""Figures another domain adds to listed eval runs, registered by the composition root at
start-up: the judge's pass rate for runs whose verdict policy is judge_final. evals knows only
this shape, never who provides it. A provider is called once per page (with every such run),
so it must answer for all of them in a few queries. A failing provider is logged and its
figure left out, never the list's failure.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from benchstudio.evals.runs.schemas import EvalRunOut, JudgePassRateOut
from benchstudio.storage.service_context import ServiceContext

log = logging.getLogger(__name__)

# (owner's context, ids of runs under judge_final) → run id → its judge-final pass rate.
JudgePassRates = Callable[
    [ServiceContext, Sequence[str]], Awaitable[Mapping[str, JudgePassRateOut]]
]

_providers: list[JudgePassRates] = []


def register_judge_pass_rates(provider: JudgePassRates) -> None:
    """Idempotent: registering the same provider twice keeps one."""
    if provider not in _providers:
        _providers.append(provider)


async def add_judge_pass_rates(ctx: ServiceContext, runs: Sequence[EvalRunOut]) -> None:
    """Set `judge_pass_rate` on the runs under verdict policy judge_final (others stay null)."""
    wanted = [run.id for run in runs if run.verdict_policy == "judge_final"]
    if not wanted:
        return
    rates: dict[str, JudgePassRateOut] = {}
    for provider in _providers:
        try:
            rates.update(await provider(ctx, wanted))
        except Exception:
            log.exception("a judge pass-rate provider failed", extra={"runs": len(wanted)})
    for run in runs:
        run.judge_pass_rate = rates.get(run.id)
