"""Whether an experiment id is the caller's: experiments sit above evals (and the judge), so
the composition root registers the experiments domain's check here at start-up
(`register_experiment_check`). Until one is registered no experiment id is accepted (fail
closed, never "anyone's id will do")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from benchstudio.core.errors import NotFoundError
from benchstudio.storage.service_context import ServiceContext

# (ctx scoped to the owner; experiment id) -> whether the owner has that experiment.
ExperimentCheck = Callable[[ServiceContext, str], Awaitable[bool]]
_experiment_check: ExperimentCheck | None = None


def register_experiment_check(check: ExperimentCheck | None) -> None:
    """Set by the composition root (`benchstudio.app`) with the experiments domain's check."""
    global _experiment_check
    _experiment_check = check


async def check_experiment(ctx: ServiceContext, experiment_id: str) -> None:
    """404 `not_found` unless the caller owns the experiment (another user's id included)."""
    check = _experiment_check
    if check is None or not await check(ctx, experiment_id):
        raise NotFoundError("No such experiment.")
