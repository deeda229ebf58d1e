"""Trials run in this process, for `benchstudio tune` without a server: a `TrialEvaluator`
that runs a tool-calling suite against one endpoint with the live runner (no database), and a
`StudySink` that keeps everything in memory.

A trial runs its repeats as one runner's targets ("repeat 1", "repeat 2", ...: the target's
own parameters, the point laid over them and the repeat's seed), interleaved case by case, so
the prune check after each case sees every repeat progress. The runner resolves the point
through the provider's registry as the study's fingerprint did (`TrialRequest.effective` is
the resolved request; sending it again would rename twice). Each case is admitted before it
starts against the trial's calls and cost share (`case_gate`), so cases in flight together
cannot carry the trial past it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from benchstudio.providers.pricing import ModelPrice
from benchstudio.providers.retry import RetryPolicy
from benchstudio.toolcall.live.records import EvalTarget, LiveCaseResult
from benchstudio.toolcall.live.runner import AdapterFor, LiveEvalRunner
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.semantic import SemanticPrepass
from benchstudio.tuning.domain.objective import CaseScore, ToolMetric
from benchstudio.tuning.service.case_gate import CaseGate
from benchstudio.tuning.service.case_scores import case_score, endpoint_error, is_endpoint_failure
from benchstudio.tuning.service.estimate import case_guesses
from benchstudio.tuning.service.study_types import (
    FAIL_FAST_CASES,
    BudgetStop,
    FinishedTrialRecord,
    PruneCheck,
    StudyProgress,
    TrialRequest,
    TrialResult,
)

# Told each finished case (its trial, repeat index and result) as it arrives; the judge
# objective (`local_judging`) judges cases this way while the trial runs on.
CaseHook = Callable[[TrialRequest, int, LiveCaseResult], None]


def target_base_params(target: EvalTarget) -> dict[str, Any]:
    """The target's fixed parameters: the study's base, under every point (`params` wins over
    the `temperature` / `max_tokens` fields, as in a live eval)."""
    base = dict(target.params)
    if target.temperature is not None:
        base.setdefault("temperature", target.temperature)
    if target.max_tokens is not None:
        base.setdefault("max_tokens", target.max_tokens)
    return base


def repeat_target(
    target: EvalTarget,
    point: Mapping[str, Any],
    seed: int,
    repeat: int,
    concurrency: int | None = None,
) -> EvalTarget:
    """The eval target of one repeat: the point over the target's parameters, with its seed."""
    params = {**target_base_params(target), **point, "seed": seed}
    temperature = params.pop("temperature", None)
    max_tokens = params.pop("max_tokens", None)
    # A searched tool choice replaces the fixed one (--tool-choice), as the request's field.
    tool_choice = params.pop("tool_choice", target.tool_choice)
    return target.model_copy(
        update={
            "label": f"repeat {repeat + 1}",
            "params": params,
            "temperature": temperature,
            "max_tokens": max_tokens,
            "tool_choice": tool_choice,
            "concurrency": concurrency or target.concurrency,
        }
    )


@dataclass(slots=True)
class _Tally:
    repeats: list[list[CaseScore]]
    calls: int = 0
    cost: float = 0.0
    done: int = 0
    score_sum: float = 0.0
    endpoint_failures: int = 0
    last_error: str | None = None

    def add(self, repeat: int, result: LiveCaseResult, score: CaseScore) -> None:
        self.repeats[repeat].append(score)
        self.calls += len(result.exchanges)
        self.cost += score.cost_usd or 0.0
        self.done += 1
        self.score_sum += score.score
        if is_endpoint_failure(result):
            self.endpoint_failures += 1
            self.last_error = endpoint_error(result)

    @property
    def all_failed(self) -> bool:
        return self.done > 0 and self.endpoint_failures == self.done

    def result(
        self,
        state: Literal["complete", "pruned", "failed", "stopped"],
        budget_stop: BudgetStop | None = None,
    ) -> TrialResult:
        error = self.last_error if state == "failed" else None
        return TrialResult(
            state, self.repeats, self.calls, self.cost, error=error, budget_stop=budget_stop
        )


class LocalTrialEvaluator:
    """Runs each trial's repeats in this process (see the module doc). `price` (USD per
    million tokens) gives cases a cost; without it costs are unknown and count as 0 against
    a cost bound. `case_concurrency` caps the cases one trial runs at once (default: the
    target's, or the runner's default for its endpoint). `cancel` (the study's) abandons the
    cases in flight as soon as it is set. `on_case` is told every finished case."""

    def __init__(
        self,
        suite: Suite,
        target: EvalTarget,
        profile: Profile,
        adapter_for: AdapterFor,
        *,
        metric: ToolMetric = "pass_rate",
        price: ModelPrice | None = None,
        case_concurrency: int | None = None,
        retry_policy: RetryPolicy | None = None,
        semantic: SemanticPrepass | None = None,
        cancel: asyncio.Event | None = None,
        on_case: CaseHook | None = None,
        judge_case_costs: Mapping[str, float] | None = None,
    ) -> None:
        if not suite.cases:
            raise ValueError("the suite has no case to run")
        self.suite = suite
        self.target = target
        self.profile = profile
        self.adapter_for = adapter_for
        self.metric: ToolMetric = metric
        self.price = price
        self.case_concurrency = case_concurrency
        self.retry_policy = retry_policy
        self.semantic = semantic
        self.cancel = cancel
        self.on_case = on_case
        # The judge objective's expected cost of each case: admitted as part of the case.
        self.judge_case_costs = dict(judge_case_costs or {})

    async def evaluate(self, request: TrialRequest, prune: PruneCheck) -> TrialResult:
        targets = [
            repeat_target(self.target, request.point, seed, r, self.case_concurrency)
            for r, seed in enumerate(request.seeds)
        ]
        cap = targets[0].max_tokens if targets else None
        guesses = case_guesses(self.suite, self.price, cap, self.judge_case_costs)
        gate = CaseGate(request, guesses)
        runner = LiveEvalRunner(
            self.suite,
            targets,
            self.profile,
            self.adapter_for,
            retry_policy=self.retry_policy,
            semantic=self.semantic,
            admit=gate.admit if gate.bounded else None,
        )
        repeat_of = {target.label: r for r, target in enumerate(targets)}
        tally = _Tally([[] for _ in targets])
        watcher = asyncio.create_task(self._cancel_when_asked(runner))
        try:
            state = await self._drive(runner, repeat_of, tally, gate, request, prune)
        finally:
            watcher.cancel()
        if state == "complete" and tally.done < runner.total:
            state = "stopped"  # cancelled: the runner ended early
        elif state == "complete" and tally.all_failed:
            state = "failed"
        return tally.result(state, gate.budget_stop)

    async def _cancel_when_asked(self, runner: LiveEvalRunner) -> None:
        """A cancel stops the cases in flight at once (the study's cancel otherwise waits
        for the next finished case)."""
        if self.cancel is not None:
            await self.cancel.wait()
            runner.cancel()

    async def _drive(
        self,
        runner: LiveEvalRunner,
        repeat_of: dict[str, int],
        tally: _Tally,
        gate: CaseGate,
        request: TrialRequest,
        prune: PruneCheck,
    ) -> Literal["complete", "pruned", "failed", "stopped"]:
        total = runner.total
        # `run` is an async generator: closing it stops the workers of an abandoned run.
        stream = cast(AsyncGenerator[LiveCaseResult, None], runner.run())
        async with aclosing(stream) as results:
            async for result in results:
                score = case_score(result, self.metric, self.price)
                # The judge's part of a case counts as expected until the trial ends.
                judged = self.judge_case_costs.get(result.case_id, 0.0)
                spent = (score.cost_usd or 0.0) + judged
                gate.settle(result.target, result.case_id, len(result.exchanges), spent)
                tally.add(repeat_of[result.target], result, score)
                if self.on_case is not None:
                    self.on_case(request, repeat_of[result.target], result)
                if tally.done >= total:
                    break
                stop = self._stop(tally, prune, total)
                if stop is not None:
                    runner.cancel()  # cases in flight are abandoned
                    return stop
        return "complete"

    @staticmethod
    def _stop(
        tally: _Tally, prune: PruneCheck, total: int
    ) -> Literal["pruned", "failed", "stopped"] | None:
        if tally.all_failed and tally.done >= min(FAIL_FAST_CASES, total):
            return "failed"
        if prune(tally.score_sum, tally.done, total):
            return "pruned"
        return None


ProgressHook = Callable[[StudyProgress], Awaitable[None] | None]
StartedHook = Callable[[TrialRequest], Awaitable[None] | None]
FinishedHook = Callable[[FinishedTrialRecord], Awaitable[None] | None]


@dataclass
class MemorySink:
    """Keeps the study's trials in memory; optional hooks (plain or async callables) let the
    CLI draw a progress bar and print trials as they finish."""

    on_started: StartedHook | None = None
    on_finished: FinishedHook | None = None
    on_progress: ProgressHook | None = None
    running: dict[int, TrialRequest] = field(default_factory=dict)
    trials: list[FinishedTrialRecord] = field(default_factory=list)
    last_progress: StudyProgress | None = None

    async def trial_started(self, request: TrialRequest) -> None:
        self.running[request.number] = request
        await _call(self.on_started, request)

    async def trial_finished(self, record: FinishedTrialRecord) -> None:
        self.running.pop(record.number, None)
        self.trials.append(record)
        await _call(self.on_finished, record)

    async def progress(self, progress: StudyProgress) -> None:
        self.last_progress = progress
        await _call(self.on_progress, progress)

    @property
    def best(self) -> FinishedTrialRecord | None:
        """The highest mean score of a complete trial; ties: lower cost, then lower latency."""
        complete = [t for t in self.trials if t.state == "complete" and t.score is not None]
        if not complete:
            return None

        def rank(trial: FinishedTrialRecord) -> tuple[float, float, float]:
            assert trial.score is not None
            latency = trial.score.latency_p50_ms
            return (
                -trial.score.score,
                trial.score.cost_usd,
                math.inf if latency is None else latency,
            )

        return min(complete, key=rank)


async def _call(hook: Callable[[Any], Awaitable[None] | None] | None, value: Any) -> None:
    if hook is None:
        return
    outcome = hook(value)
    if outcome is not None:
        await outcome
