"""The tune job's side of the study loop: a sink that stores each trial as a `tuner_trials` row
(with the run's totals, its events and progress, persist then publish), and an evaluator that
runs each trial as a hidden eval run (one target per repeat) inside the job.

Every case is stored with its cost charged to the job's spend ledger in one unit (catalog
price; the demo simulator is free). Each case is admitted before it starts against the trial's
calls and cost share (`case_gate`; a judged case counts the judge's expected cost too), and
after each case the evaluator asks the prune check: a pruned or stopped trial keeps the cases
it finished."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog.service import CatalogContext
from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.core.redaction import redact
from benchstudio.evals.runs.service import trials as eval_trials
from benchstudio.jobs.context import JobContext, is_resumable
from benchstudio.providers.pricing import ModelPrice
from benchstudio.storage.service_context import ServiceContext
from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.toolcall.live.runner import Admit
from benchstudio.toolcall.schemas import Suite
from benchstudio.tuning import repository
from benchstudio.tuning.domain.objective import CaseScore
from benchstudio.tuning.domain.space import SearchSpace, active_point
from benchstudio.tuning.models import TunerTrial
from benchstudio.tuning.service.case_gate import CaseGate
from benchstudio.tuning.service.case_scores import case_score, is_endpoint_failure
from benchstudio.tuning.service.estimate import case_guesses
from benchstudio.tuning.service.judge_scores import judged_repeats, live_judge_settings
from benchstudio.tuning.service.lifecycle import RunSetup
from benchstudio.tuning.service.results import trial_out
from benchstudio.tuning.service.study_records import is_empty_stop
from benchstudio.tuning.service.study_types import (
    FAIL_FAST_CASES,
    BudgetStop,
    FinishedTrialRecord,
    PruneCheck,
    StudyProgress,
    TrialRequest,
    TrialResult,
)

TRIAL_STARTED_EVENT = "tuner_trial_started"
TRIAL_EVENT = "tuner_trial"


class DbStudySink:
    """Stores trials as rows of the tuner run, publishing `tuner_trial_started`, `tuner_trial`
    and the job's progress ("7 of 20 trials · best 0.833")."""

    def __init__(self, ctx: JobContext, setup: RunSetup) -> None:
        self._ctx = ctx
        self._run_id = setup.run_id
        self._owner_id = setup.owner_id

    async def trial_started(self, request: TrialRequest) -> None:
        row = TunerTrial(
            id=new_id(),
            tuner_run_id=self._run_id,
            owner_id=self._owner_id,
            number=request.number,
            kind=request.kind,
            state="running",
            point=dict(request.point),
            effective=dict(request.effective),
            fingerprint=request.fingerprint,
            started_at=utcnow(),
        )

        async def write(session: AsyncSession) -> None:
            session.add(row)

        event = {
            "run_id": self._run_id,
            "number": request.number,
            "kind": request.kind,
            "point": dict(request.point),
        }
        await self._ctx.record_unit(write, [(TRIAL_STARTED_EVENT, event)])

    async def trial_finished(self, record: FinishedTrialRecord) -> None:
        # Filled inside the unit (the row as stored); the unit builds its events after `write`.
        stored: dict[str, Any] = {}
        event = {"run_id": self._run_id, "trial": stored}

        async def write(session: AsyncSession) -> None:
            row = await repository.get_trial(session, self._run_id, record.number)
            if row is None:
                row = TunerTrial(
                    id=new_id(),
                    tuner_run_id=self._run_id,
                    owner_id=self._owner_id,
                    number=record.number,
                    started_at=utcnow(),
                )
                session.add(row)
            _fill(row, record)
            await repository.add_totals(
                session,
                self._run_id,
                record.calls,
                record.cost_usd,
                trials=0 if is_empty_stop(record) else 1,
            )
            await session.flush()
            stored.update(trial_out(row).model_dump(mode="json"))

        await self._ctx.record_unit(write, [(TRIAL_EVENT, event)])

    async def progress(self, progress: StudyProgress) -> None:
        planned = max(1, progress.planned_trials)
        detail = f"{progress.trials_done} of {progress.planned_trials} trials"
        if progress.best_score is not None:
            detail += f" · best {progress.best_score:.3f}"

        async def write(session: AsyncSession) -> None:
            await repository.set_run_fields(
                session,
                self._run_id,
                merged_points=progress.merged_points,
                active_s=progress.active_s,
            )

        percent = min(100.0, 100.0 * progress.trials_done / planned)
        await self._ctx.record_unit(write, [], percent=percent, detail=detail)


def _fill(row: TunerTrial, record: FinishedTrialRecord) -> None:
    score = record.score
    row.kind = record.kind
    row.state = record.state
    row.point, row.effective = dict(record.point), dict(record.effective)
    row.fingerprint = record.fingerprint
    row.eval_run_id = record.eval_run_id or row.eval_run_id
    row.score = score.score if score else None
    interval = score.score_ci95 if score else None
    row.score_low, row.score_high = (interval[0], interval[1]) if interval else (None, None)
    row.repeat_scores = list(score.repeat_scores) if score else []
    row.values = list(record.values)
    row.partial = record.partial
    row.cases = score.cases if score else sum(len(r) for r in record.repeats)
    row.calls, row.cost_usd = record.calls, record.cost_usd
    row.latency_p50_ms = score.latency_p50_ms if score else None
    row.error = record.error
    row.finished_at = utcnow()


@dataclass(frozen=True, slots=True)
class TrialTarget:
    """What every trial of a run sends, besides its point and seeds."""

    base_params: Mapping[str, Any]  # the target's own fixed parameters
    space: SearchSpace
    metric: Any
    price: ModelPrice | None
    case_concurrency: int
    timeout_s: float
    cases: int
    judge_model_ref_id: str | None = None  # set: the judge objective scores the cases
    judge_case_cost_usd: float = 0.0  # the judge's expected cost of one case (admission)


@dataclass(slots=True)
class _Tally:
    """One trial's cases so far, over all its repeats."""

    total: int
    repeats: dict[str, list[CaseScore]]
    failures: int = 0  # cases the endpoint failed (errors, not wrong answers)
    latencies: dict[tuple[str, str], float | None] = field(default_factory=dict)
    case_costs: dict[tuple[str, str], float | None] = field(default_factory=dict)
    calls: int = 0
    cost: float = 0.0
    score_sum: float = 0.0
    done: int = 0
    stop: Literal["pruned", "stopped", "failed"] | None = None
    budget_stop: BudgetStop | None = None  # the gate refused a case


class EvalTrialEvaluator:
    """Runs a trial as one hidden eval run of the tuner run (see the module doc)."""

    def __init__(
        self, ctx: JobContext, catalog: CatalogContext, setup: RunSetup, target: TrialTarget
    ) -> None:
        self._ctx, self._catalog, self._setup, self._target = ctx, catalog, setup, target

    def _settings(self, request: TrialRequest) -> dict[str, Any]:
        """The eval run's request settings: the target's parameters under the point's."""
        params = {
            **dict(self._setup.target.get("params") or {}),
            **active_point(self._target.space, request.point),
        }
        return {
            "temperature": params.pop("temperature", None),
            "max_tokens": params.pop("max_tokens", None),
            # A searched tool choice is the request's own field (each adapter translates it).
            "tool_choice": params.pop("tool_choice", None),
            "system_prompt": None,
            "params": params,
            "concurrency": self._target.case_concurrency,
            "timeout_s": self._target.timeout_s,
            # Shown on the trial run's page: which trial it is and what its requests carried.
            "tuner": {
                "tuner_run_id": self._setup.run_id,
                "trial": request.number,
                "kind": request.kind,
                "point": dict(request.point),
                "effective": dict(request.effective),
                "seeds": list(request.seeds),
            },
            **(
                {"judge": live_judge_settings(self._target.judge_model_ref_id)}
                if self._target.judge_model_ref_id
                else {}
            ),
        }

    async def _create_run(self, request: TrialRequest) -> str:
        setup = self._setup
        spec = eval_trials.TrialRunSpec(
            owner_id=setup.owner_id,
            tuner_run_id=setup.run_id,
            job_id=self._ctx.job_id,
            suite_id=setup.suite_id,
            suite_version_id=setup.suite_version_id,
            suite_name=setup.suite_name,
            suite_version=setup.suite_version,
            profile=setup.profile,
            target=setup.target,
            settings=self._settings(request),
            seeds=request.seeds,
            cases=self._target.cases,
        )
        eval_run_id, write_run = eval_trials.trial_run_writer(spec)

        async def write(session: AsyncSession) -> None:
            await write_run(session)
            await repository.set_trial_eval_run(session, setup.run_id, request.number, eval_run_id)

        await self._ctx.record_unit(write, [])
        return eval_run_id

    def _admit_for(self, request: TrialRequest, gates: list[CaseGate]) -> Any:
        """The trial's admission hook, built from the cases its run will run."""
        target = self._target

        def admit_for(suite: Suite) -> Admit:
            sent = {**dict(target.base_params), **active_point(target.space, request.point)}
            cap = sent.get("max_tokens")
            judge = dict.fromkeys((c.id for c in suite.cases), target.judge_case_cost_usd)
            guesses = case_guesses(
                suite, target.price, cap if isinstance(cap, int) else None, judge
            )
            gate = CaseGate(request, guesses)
            gates.append(gate)
            return gate.admit

        return admit_for

    def _after_case(
        self, tally: _Tally, request: TrialRequest, prune: PruneCheck, gates: list[CaseGate]
    ) -> Any:
        target = self._target

        def after(result: LiveCaseResult, cost: float) -> bool:
            score = case_score(result, target.metric, target.price)
            calls = max(1, len(result.exchanges))
            for gate in gates:  # the judge's part counts as expected until the trial ends
                gate.settle(result.target, result.case_id, calls, cost + target.judge_case_cost_usd)
            tally.repeats.setdefault(result.target, []).append(score)
            tally.failures += int(is_endpoint_failure(result))
            tally.latencies[(result.target, result.case_id)] = result.verdict.latency_ms
            tally.case_costs[(result.target, result.case_id)] = score.cost_usd
            tally.calls += calls
            tally.cost += cost
            tally.score_sum += score.score
            tally.done += 1
            if tally.done >= tally.total:
                return False
            if tally.failures == tally.done >= FAIL_FAST_CASES:
                tally.stop = "failed"  # a broken point or endpoint: the rest would fail too
            elif (request.max_calls is not None and tally.calls >= request.max_calls) or (
                request.max_cost_usd is not None and tally.cost >= request.max_cost_usd
            ):
                tally.stop = "stopped"
            # The judge scores a case after it ends: judged trials only stop for the loop's own
            # reasons (asked with a perfect score so far, no score can prune them).
            elif prune(
                float(tally.done) if target.judge_model_ref_id else tally.score_sum,
                tally.done,
                tally.total,
            ):
                tally.stop = "pruned"
            return tally.stop is not None

        return after

    async def evaluate(self, request: TrialRequest, prune: PruneCheck) -> TrialResult:
        target = self._target
        labels = [eval_trials.repeat_label(i) for i in range(len(request.seeds))]
        tally = _Tally(total=target.cases * len(labels), repeats={})
        eval_run_id = await self._create_run(request)
        gates: list[CaseGate] = []

        def cost_of(result: LiveCaseResult) -> float:
            return case_score(result, target.metric, target.price).cost_usd or 0.0

        try:
            end = await eval_trials.run_trial_cases(
                self._ctx,
                self._catalog,
                eval_run_id,
                cost_of,
                self._after_case(tally, request, prune, gates),
                self._admit_for(request, gates),
            )
            tally.budget_stop = next((g.budget_stop for g in gates if g.budget_stop), None)
        except Exception as error:
            if is_resumable(error) or self._ctx.storage_fault is not None:
                raise  # the database or Redis failed under the job, not the trial
            message = getattr(error, "message", None) or redact(f"{type(error).__name__}: {error}")
            return self._result("failed", tally, labels, eval_run_id, message[:500])
        everything = tally.done >= tally.total
        if tally.failures == tally.done and (everything or tally.stop == "failed"):
            why = (
                "every case failed at the endpoint"
                if everything
                else f"its first {tally.done} cases failed at the endpoint"
            )
            return self._result("failed", tally, labels, eval_run_id, why)
        if end == "cancelled":
            # Asked once more so the loop knows its own stop (the cancel) ended the trial.
            prune(tally.score_sum, tally.done, tally.total)
            return self._result("stopped", tally, labels, eval_run_id)
        state = tally.stop or ("complete" if tally.done >= tally.total else "stopped")
        if target.judge_model_ref_id and tally.done:
            service = ServiceContext.for_owner(self._ctx.database, self._ctx.owner_id)
            judged, judge_cost = await judged_repeats(
                service, eval_run_id, labels, tally.latencies, tally.case_costs
            )
            tally.cost += judge_cost
            tally.repeats = dict(zip(labels, judged, strict=True))
            if not any(judged):
                return self._result(
                    "failed", tally, labels, eval_run_id, "the judge scored no case"
                )
        return self._result(state, tally, labels, eval_run_id)

    @staticmethod
    def _result(
        state: Literal["complete", "pruned", "failed", "stopped"],
        tally: _Tally,
        labels: list[str],
        eval_run_id: str,
        error: str | None = None,
    ) -> TrialResult:
        return TrialResult(
            state=state,
            repeats=[tally.repeats.get(label, []) for label in labels],
            calls=tally.calls,
            cost_usd=tally.cost,
            error=error,
            eval_run_id=eval_run_id,
            budget_stop=tally.budget_stop,
        )
