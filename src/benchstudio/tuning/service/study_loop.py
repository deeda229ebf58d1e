"""The study loop: baselines first, then the strategy's points, evaluated with up to
`plan.concurrency` trials in flight until the space, a budget, patience or a cancel ends it.

- Baselines run first and once: a resumed study skips those already stored. A vendor
  preset's point is also enqueued to the strategy when it lies in the space, so the sampler
  learns from it (it merges with the baseline when it sends the same request).
- Every trial counts against `max_trials`; calls and cost are shared out between running
  trials (`study_budget`) and each request carries what its trial may still use, so the
  evaluator ends it there. `max_wall` and a cancel end running trials at their next case
  through the prune check. A trial so ended is kept as pruned with its partial score (one
  without a finished case is run again on resume).
- Pruning (single objective): a search trial that can no longer beat the best stops after
  its current case. Baselines are never pruned and never count towards patience.
- Resume: stored trials go back into the strategy (`Strategy.resume`), the study state and
  the counters; numbering continues after the highest stored number. `max_wall` counts the
  seconds of running of every session (`StudyPlan.active_before_s`, reported back through
  `StudyProgress.active_s`), not the time between them.

Optuna's ask and tell grow with the number of trials, so they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from benchstudio.tuning.domain.space_grid import grid_count
from benchstudio.tuning.domain.space_points import effective_params
from benchstudio.tuning.domain.strategies import (
    FinishedTrial,
    Strategy,
    build_strategy,
    registry_canonical,
)
from benchstudio.tuning.domain.study_state import StudyState
from benchstudio.tuning.service.study_budget import BudgetPool
from benchstudio.tuning.service.study_records import (
    build_record,
    is_empty_stop,
    repeat_seeds,
    stored_outcome,
)
from benchstudio.tuning.service.study_types import (
    Baseline,
    FinishedTrialRecord,
    PruneCheck,
    StopReason,
    StudyOutcome,
    StudyPlan,
    StudyProgress,
    StudySink,
    TrialEvaluator,
    TrialKind,
    TrialRequest,
    TrialResult,
)

Clock = Callable[[], float]


@dataclass(slots=True)
class _Running:
    request: TrialRequest
    trial_id: int | None  # the strategy's handle; None for a baseline
    halted: bool = False  # the loop's stop (cancel, wall clock) ended it


@dataclass(frozen=True, slots=True)
class _Start:
    """A trial ready to start: its point, request parameters and strategy handle."""

    kind: TrialKind
    point: dict[str, Any]
    effective: dict[str, Any]
    fingerprint: str
    trial_id: int | None


class _Study:
    def __init__(
        self,
        plan: StudyPlan,
        evaluator: TrialEvaluator,
        sink: StudySink,
        cancel: asyncio.Event | None,
        clock: Clock,
    ) -> None:
        self.plan = plan
        self.evaluator = evaluator
        self.sink = sink
        self.cancel = cancel
        self.clock = clock
        self.started_at = clock()
        self.strategy: Strategy = build_strategy(
            plan.strategy,
            plan.space.space,
            plan.objective.directions,
            canonical=registry_canonical(plan.space, plan.rules, plan.base_params),
        )
        self.state = StudyState(plan.stopping, multi_objective=plan.objective.multi_objective)
        self.records: dict[int, FinishedTrialRecord] = {}
        # Every case makes at least one call, so a trial needs at least cases x repeats.
        self.calls = BudgetPool(
            plan.budget.max_calls, whole=True, floor=float(plan.cases * plan.repeats)
        )
        self.cost = BudgetPool(plan.budget.max_cost_usd, floor=plan.trial_cost_usd)
        self.running: dict[asyncio.Task[TrialResult], _Running] = {}
        self.next_number = 0
        self.supply: int | None = None  # trials the current source can still give, if known
        self.reason: StopReason | None = None
        # A grid hands its earlier merged points out again on resume (they merge again), an
        # Optuna sampler does not: its earlier merges are carried over.
        self.merged_before = 0 if plan.strategy.kind == "grid" else plan.merged_points
        self.planned = self._planned_trials()

    # -- counting --------------------------------------------------------------------

    def _planned_trials(self) -> int:
        planned = self.plan.budget.max_trials
        if self.plan.strategy.kind == "grid":
            points = grid_count(self.plan.space.space)
            if self.plan.strategy.grid_sample is not None:
                points = min(points, self.plan.strategy.grid_sample)
            planned = min(planned, len(self.plan.baselines) + points)
        return planned

    @property
    def counted(self) -> int:
        """Trials that count against `max_trials`: stored and running ones."""
        stored = sum(1 for record in self.records.values() if not is_empty_stop(record))
        return stored + len(self.running)

    @property
    def active_s(self) -> float:
        """Seconds of running: the earlier sessions' and this one's so far."""
        return self.plan.active_before_s + (self.clock() - self.started_at)

    @property
    def merged(self) -> int:
        return self.merged_before + self.strategy.merged

    def _halt(self) -> StopReason | None:
        """A stop that also ends running trials."""
        if self.cancel is not None and self.cancel.is_set():
            return "cancelled"
        wall = self.plan.budget.max_wall_s
        if wall is not None and self.active_s >= wall:
            return "max_wall"
        return None

    def _check_stop(self) -> None:
        if self.reason is not None:
            return
        self.reason = self._halt()
        if self.reason is None and self.calls.spent:
            self.reason = "max_calls"
        if self.reason is None and self.cost.spent:
            self.reason = "max_cost"
        if self.reason is None and self.counted >= self.plan.budget.max_trials:
            # Running trials still finish; the study ends on the trial count.
            self.reason = "max_trials"

    # -- resume ----------------------------------------------------------------------

    async def resume(self) -> None:
        finished = sorted(self.plan.finished, key=lambda record: record.number)
        if finished:
            self.next_number = finished[-1].number + 1
        replay: list[FinishedTrial] = []
        rerun: list[FinishedTrialRecord] = []
        for record in finished:
            self.records[record.number] = record
            self.calls.settle(record.number, record.calls, representative=False)
            self.cost.settle(record.number, record.cost_usd, representative=False)
            if is_empty_stop(record):
                rerun.append(record)
                continue
            self._learn_size(record)
            self._record_state(record)
            if record.kind == "search":
                replay.append(FinishedTrial(dict(record.point), stored_outcome(record)))
            else:
                self.strategy.remember(record.fingerprint, stored_outcome(record))
        if replay:
            await asyncio.to_thread(self.strategy.resume, replay)
        for record in rerun:
            if record.kind == "search":
                self.strategy.enqueue(dict(record.point))

    def _learn_size(self, record: FinishedTrialRecord) -> None:
        if record.state == "complete":
            self.calls.largest = max(self.calls.largest or 0, record.calls)
            self.cost.largest = max(self.cost.largest or 0.0, record.cost_usd)

    def _record_state(self, record: FinishedTrialRecord) -> None:
        if record.state == "failed" or is_empty_stop(record):
            return
        value = record.score.score if record.state == "complete" and record.score else None
        patience = self.state.since_improvement
        self.state.record(record.number, value)
        if record.kind != "search":  # a baseline sets the bar but is not a search step
            self.state.since_improvement = patience

    # -- baselines -------------------------------------------------------------------

    def _baseline_done(self, baseline: Baseline, fingerprint: str) -> bool:
        return any(
            record.kind == baseline.kind
            and record.fingerprint == fingerprint
            and not is_empty_stop(record)
            for record in self.records.values()
        )

    def _pending_baselines(self) -> list[_Start]:
        pending: list[_Start] = []
        for baseline in self.plan.baselines:
            sent = effective_params(self.plan.rules, {**self.plan.base_params, **baseline.point})
            if not self._baseline_done(baseline, sent.fingerprint):
                pending.append(
                    _Start(baseline.kind, dict(baseline.point), sent.params, sent.fingerprint, None)
                )
        return pending

    def _enqueue_vendor_point(self) -> None:
        """The vendor's point, projected on the space, is the strategy's first point unless
        the search had started before a resume."""
        if any(record.kind == "search" for record in self.records.values()):
            return
        names = set(self.plan.space.space.names())
        for baseline in self.plan.baselines:
            if baseline.kind == "baseline_preset":
                projected = {k: v for k, v in baseline.point.items() if k in names}
                if projected:
                    self.strategy.enqueue(projected)

    # -- the driver ------------------------------------------------------------------

    async def run(self) -> StudyOutcome:
        try:
            await self.resume()
            await self.sink.progress(self.progress())
            pending = self._pending_baselines()
            self.supply = len(pending)

            async def next_baseline() -> _Start | None:
                return pending.pop(0) if pending else None

            await self._drive(next_baseline)
            if self.reason is None:
                self._enqueue_vendor_point()
                self.supply = None
                await self._drive(self._ask)
                if self.reason is None:
                    self.reason = "space_exhausted"
            await self.sink.progress(self.progress())  # merges found by the last asks
        finally:
            for task in self.running:
                task.cancel()
            if self.running:  # an error or a cancel of the study itself: end the rest
                await asyncio.gather(*self.running, return_exceptions=True)
        trials = [self.records[number] for number in sorted(self.records)]
        return StudyOutcome(
            stop_reason=self.reason or "space_exhausted",
            trials=trials,
            merged_points=self.merged,
            calls_used=int(self.calls.used),
            cost_usd=self.cost.used,
        )

    async def _ask(self) -> _Start | None:
        asked = await asyncio.to_thread(self.strategy.ask, 1)
        if not asked:
            return None
        item = asked[0]
        return _Start("search", item.point, item.effective, item.fingerprint, item.trial_id)

    async def _drive(self, source: Callable[[], Awaitable[_Start | None]]) -> None:
        """Start trials from `source` while there is room, wait for one to finish, repeat;
        returns when a stop is decided or the source is dry, and nothing runs any more."""
        while True:
            self._check_stop()
            while self.reason is None and len(self.running) < self.plan.concurrency:
                shares = self._shares()
                if shares is None:
                    break
                start = await source()
                if start is None:
                    break
                await self._start(start, *shares)
                if self.supply is not None:
                    self.supply -= 1
                self._check_stop()
            if not self.running:
                return  # a stop was decided, or the source is dry
            await self._wait_one()

    def _shares(self) -> tuple[int | None, float | None] | None:
        """The calls and cost a trial starting now may use; None when it must wait (or, with
        nothing running, when the budget is spent: the stop reason is then set)."""
        open_slots = min(
            self.plan.concurrency - len(self.running),
            self.plan.budget.max_trials - self.counted,
            self.supply if self.supply is not None else self.plan.concurrency,
        )
        calls = self.calls.share(len(self.running), open_slots)
        cost = self.cost.share(len(self.running), open_slots)
        if calls == 0 or cost == 0:
            if not self.running:
                self.reason = "max_calls" if calls == 0 else "max_cost"
            return None
        return (None if calls is None else int(calls)), cost

    async def _start(self, start: _Start, max_calls: int | None, max_cost: float | None) -> None:
        number = self.next_number
        self.next_number += 1
        request = TrialRequest(
            number=number,
            kind=start.kind,
            point=start.point,
            effective=start.effective,
            fingerprint=start.fingerprint,
            seeds=repeat_seeds(self.plan.seed, number, self.plan.repeats),
            max_calls=max_calls,
            max_cost_usd=max_cost,
        )
        self.calls.reserve(number, None if max_calls is None else float(max_calls))
        self.cost.reserve(number, max_cost)
        running = _Running(request, start.trial_id)
        await self.sink.trial_started(request)
        task = asyncio.create_task(self.evaluator.evaluate(request, self._prune_check(running)))
        self.running[task] = running

    def _prune_check(self, running: _Running) -> PruneCheck:
        def prune(score_sum: float, cases_done: int, cases_total: int) -> bool:
            if self._halt() is not None:
                running.halted = True
                return True
            if running.request.kind != "search" or cases_total <= 0:
                return False
            return self.state.should_prune(score_sum, cases_done, cases_total)

        return prune

    async def _wait_one(self) -> None:
        done, _ = await asyncio.wait(self.running, return_when=asyncio.FIRST_COMPLETED)
        for task in sorted(done, key=lambda t: self.running[t].request.number):
            running = self.running.pop(task)
            await self._finish(running, task.result())

    async def _finish(self, running: _Running, result: TrialResult) -> None:
        request = running.request
        run_key = f"{self.plan.seed}:{request.number}"
        record, outcome = build_record(request, result, self.plan.objective, run_key)
        self.calls.settle(request.number, result.calls, representative=False)
        self.cost.settle(request.number, result.cost_usd, representative=False)
        self._learn_size(record)
        if running.trial_id is not None:
            await asyncio.to_thread(self.strategy.tell, running.trial_id, outcome)
        elif outcome.state != "failed":
            self.strategy.remember(request.fingerprint, outcome)
        self.records[request.number] = record
        self._record_state(record)
        if result.state == "stopped" and not running.halted and not result.calls:
            # A budget stopped it before it used anything: no later trial would fare better.
            self.reason = (
                self.reason
                or result.budget_stop
                or ("max_calls" if request.max_calls is not None else "max_cost")
            )
        if self._left_nothing_for_others(request, result):
            self.reason = self.reason or result.budget_stop
        if request.kind == "search" and self.reason is None and self.state.should_stop:
            self.reason = "early_stop"
        await self.sink.trial_finished(record)
        await self.sink.progress(self.progress())

    def _left_nothing_for_others(self, request: TrialRequest, result: TrialResult) -> bool:
        """A trial refused a case by a bound while it held all that was left of it: a next
        trial would be refused at once (an empty trial), so the study ends here."""
        if result.budget_stop is None or self.running:
            return False
        share: float | None
        if result.budget_stop == "max_calls":
            pool, share, used = self.calls, request.max_calls, float(result.calls)
        else:
            pool, share, used = self.cost, request.max_cost_usd, result.cost_usd
        free = pool.free
        return share is not None and free is not None and free <= share - used + 1e-9

    def progress(self) -> StudyProgress:
        return StudyProgress(
            trials_done=sum(1 for r in self.records.values() if not is_empty_stop(r)),
            trials_running=len(self.running),
            planned_trials=self.planned,
            calls_used=int(self.calls.used),
            cost_usd=self.cost.used,
            merged_points=self.merged,
            best_number=self.state.best_trial,
            best_score=self.state.best,
            active_s=self.active_s,
        )


async def run_study(
    plan: StudyPlan,
    evaluator: TrialEvaluator,
    sink: StudySink,
    *,
    cancel: asyncio.Event | None = None,
    clock: Clock = time.monotonic,
) -> StudyOutcome:
    """Run (or resume) one study to its end; see the module doc for the rules. Trials that
    finished are in the sink and in the outcome whatever ended the study; an exception from
    the evaluator ends it (the running trials are cancelled)."""
    if plan.concurrency < 1:
        raise ValueError("a study needs a concurrency of at least 1")
    return await _Study(plan, evaluator, sink, cancel, clock).run()
