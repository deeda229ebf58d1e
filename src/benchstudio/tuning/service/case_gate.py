"""The live runner's admission hook for one trial (`domain.case_admission`): a runner worker
asks `admit` before it starts a case and waits while the case does not fit but others are in
flight; the trial's consumer calls `settle` with each finished case's actual use.

Both evaluators (the tune job's and the CLI's) plug it in, with first guesses from the
suite (`CaseGuesses`: the estimate's per-case figures, the judge's per-case cost included)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.toolcall.schemas import TestCase
from benchstudio.tuning.domain.case_admission import CaseBooks, CaseUse
from benchstudio.tuning.service.study_types import BudgetStop, TrialRequest

# The first guess of a case the suite did not list (never expected): one call, no cost.
_UNLISTED = CaseUse(1.0, 0.0)


class CaseGate:
    """One trial's admission of cases against `request.max_calls` / `max_cost_usd`."""

    def __init__(self, request: TrialRequest, guesses: Mapping[str, CaseUse]) -> None:
        self.books = CaseBooks(
            None if request.max_calls is None else float(request.max_calls),
            request.max_cost_usd,
        )
        self._guesses = guesses
        self._changed = asyncio.Event()

    @property
    def bounded(self) -> bool:
        return self.books.max_calls is not None or self.books.max_cost is not None

    async def admit(self, target: EvalTarget, case: TestCase) -> bool:
        """True: the case starts (its expected use is reserved); False: the trial stops."""
        guess = self._guesses.get(case.id, _UNLISTED)
        while True:
            decision = self.books.decide((target.label, case.id), guess)
            if decision != "wait":
                return decision == "start"
            changed = self._changed
            await changed.wait()

    def settle(self, target_label: str, case_id: str, calls: float, cost: float) -> None:
        self.books.settle((target_label, case_id), CaseUse(calls, cost))
        # Wake every waiting worker; later waits use a fresh event.
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def budget_stop(self) -> BudgetStop | None:
        """The study's stop reason when a bound refused a case (the trial stopped there)."""
        refused = self.books.refused_by
        return None if refused is None else ("max_calls" if refused == "calls" else "max_cost")
