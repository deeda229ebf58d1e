"""The judge objective for a study run in this process (`benchstudio tune --objective judge`).

Every case a trial finishes is judged as it arrives, with the call the server's live judge
makes: `judge.service.verdict_call.judge_case` on the case as `case_from_live` renders it (the
model's name scrubbed), the built-in verdict prompt, the automated verdict not shown. A judged
case scores its judge score 1-5 as 0-1, and a case the judge could not score (a parse failure,
a window skip, a failed judge request) counts for neither side (`tuning.domain.judge_objective`,
the tune job's rule too).

`JudgedTrialEvaluator` wraps the in-process evaluator (`local_trials.LocalTrialEvaluator`): the
tool-eval run of a trial stays as it is (its calls, budgets, cancel and failures at the
endpoint) and the judge's case scores replace the tool-eval ones. As in the tune job:

- a judged trial is never pruned by score (the judge scores a case after it ends; the prune
  check is asked with a perfect score so far, so only the loop's own stops end a trial);
- a trial the judge scored no case of fails ("the judge scored no case");
- the judge's cost is added to the trial's (known only with the judge's price, else 0 against
  a cost bound); its calls are not the study's model calls (`--max-calls` counts the tuned
  model's).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from benchstudio.core.redaction import redact
from benchstudio.judge.domain.transcript import case_from_live
from benchstudio.judge.service.verdict_call import CaseJudgement, JudgeModel, judge_case
from benchstudio.toolcall.live.records import LiveCaseResult
from benchstudio.tuning.domain.judge_objective import NOTHING_JUDGED, judged_case
from benchstudio.tuning.domain.objective import CaseScore
from benchstudio.tuning.service.case_scores import case_score
from benchstudio.tuning.service.local_trials import LocalTrialEvaluator
from benchstudio.tuning.service.study_types import PruneCheck, TrialRequest, TrialResult

DEFAULT_JUDGE_CONCURRENCY = 4


@dataclass(frozen=True, slots=True)
class _Judging:
    """A finished case of a running trial and its judge call (started when it finished)."""

    repeat: int
    result: LiveCaseResult
    call: asyncio.Task[CaseJudgement]


class JudgedTrialEvaluator:
    """A `TrialEvaluator` scoring each trial of `inner` by the judge's verdicts (see the module
    doc). `prompt_body` is the verdict prompt's body; `concurrency` caps the judge's calls in
    flight over every trial."""

    def __init__(
        self,
        inner: LocalTrialEvaluator,
        judge: JudgeModel,
        prompt_body: str,
        *,
        concurrency: int = DEFAULT_JUDGE_CONCURRENCY,
    ) -> None:
        self.inner = inner
        self.judge = judge
        self.prompt_body = prompt_body
        self._cases = {case.id: case for case in inner.suite.cases}
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._judging: dict[int, list[_Judging]] = {}
        inner.on_case = self._case_finished

    def _case_finished(self, request: TrialRequest, repeat: int, result: LiveCaseResult) -> None:
        judging = self._judging.get(request.number)
        if judging is not None:
            judging.append(_Judging(repeat, result, asyncio.create_task(self._judge(result))))

    async def _judge(self, result: LiveCaseResult) -> CaseJudgement:
        case = self._cases[result.case_id]
        shown = case_from_live(result, case, self.inner.suite.tools_for(case), hide=[result.target])
        async with self._slots:
            try:
                return await judge_case(self.judge, self.prompt_body, shown, show_automated=False)
            except Exception as error:  # the judge's endpoint failed: the case is not scored
                message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
                reason = f"judge request failed: {redact(str(message))}"[:1000]
                return CaseJudgement(case_id=result.case_id, verdict=None, skipped_reason=reason)

    async def evaluate(self, request: TrialRequest, prune: PruneCheck) -> TrialResult:
        def never_by_score(score_sum: float, cases_done: int, cases_total: int) -> bool:
            return prune(float(cases_done), cases_done, cases_total)

        self._judging[request.number] = []
        try:
            ran = await self.inner.evaluate(request, never_by_score)
        finally:
            judging = self._judging.pop(request.number)
        if ran.state == "failed" or not judging:
            for item in judging:  # the endpoint failed the trial: no verdict is needed
                item.call.cancel()
            await asyncio.gather(*(item.call for item in judging), return_exceptions=True)
            return ran
        verdicts = await asyncio.gather(*(item.call for item in judging))
        return self._scored(ran, len(request.seeds), judging, verdicts)

    def _scored(
        self,
        ran: TrialResult,
        repeats: int,
        judging: list[_Judging],
        verdicts: list[CaseJudgement],
    ) -> TrialResult:
        scores: list[list[CaseScore]] = [[] for _ in range(repeats)]
        judge_cost = 0.0
        unscored: list[str] = []
        for item, judged in zip(judging, verdicts, strict=True):
            judge_cost += judged.cost_usd or 0.0
            model_cost = case_score(item.result, price=self.inner.price).cost_usd
            costs = [c for c in (model_cost, judged.cost_usd) if c is not None]
            case = judged_case(
                judged.verdict.score if judged.verdict is not None else None,
                item.result.verdict.latency_ms,
                sum(costs) if costs else None,
            )
            if case is None:
                unscored.append(judged.parse_error or judged.skipped_reason or "no verdict")
            else:
                scores[item.repeat].append(case)
        cost = ran.cost_usd + judge_cost
        if not any(scores):
            error = f"{NOTHING_JUDGED} ({unscored[-1]})"[:500]
            return TrialResult("failed", scores, ran.calls, cost, error=error)
        return TrialResult(ran.state, scores, ran.calls, cost, error=ran.error)
