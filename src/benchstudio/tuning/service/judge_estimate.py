"""What the judge objective adds to a tuner run's estimate: the judge scores every case of every
repeat with one call to its catalog model, estimated per case by the judge's own estimator
(`verdict_call.estimate_case`: its prompt with the case, the answer and the verdict schema, at
the judge model's price). The answer is not known before the run: it is taken as long as the
tuned model's output cap (the estimate's own assumption for the tuned model's cost)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from benchstudio.judge.domain.transcript import case_from_stored
from benchstudio.judge.service.judge_models import open_judge_model
from benchstudio.judge.service.prompt_source import resolve_judge_prompt
from benchstudio.judge.service.verdict_call import JudgeModel, estimate_case
from benchstudio.toolcall.schemas import Suite
from benchstudio.tuning.service.context import TuningContext
from benchstudio.tuning.service.estimate import DEFAULT_OUTPUT_TOKENS
from benchstudio.tuning.service.judge_scores import JUDGE_PROMPT_ID

# One word a token: a stand-in answer of the output cap's length.
_ANSWER_WORD = " ok"


@dataclass(frozen=True, slots=True)
class JudgeFigures:
    """The judge's expected cost of judging each case once (None: the judge is unpriced)."""

    judge_name: str
    case_costs: Mapping[str, float] | None

    @property
    def most_per_case(self) -> float:
        return max(self.case_costs.values(), default=0.0) if self.case_costs else 0.0


def judge_case_costs(
    judge: JudgeModel, prompt_body: str, suite: Suite, output_cap: int | None
) -> dict[str, float] | None:
    """Judging each case once, at the judge's price (None when the judge is unpriced); the
    answer stands in as long as the output cap."""
    answer = _ANSWER_WORD * (output_cap or DEFAULT_OUTPUT_TOKENS)
    costs: dict[str, float] = {}
    for case in suite.cases:
        shown = case_from_stored(case, suite.tools_for(case), [], None, None)
        one = estimate_case(
            judge, prompt_body, replace(shown, final_answer=answer), show_automated=False
        )
        if one.cost_usd is None:
            return None
        costs[case.id] = one.cost_usd
    return costs


async def judge_figures(
    ctx: TuningContext, judge_model_ref_id: str, suite: Suite, output_cap: int | None
) -> JudgeFigures:
    prompt = await resolve_judge_prompt(ctx, JUDGE_PROMPT_ID, None)
    catalog = ctx.catalog.for_tenant(ctx.require_owner())
    async with open_judge_model(catalog, judge_model_ref_id) as judge:
        costs = judge_case_costs(judge, prompt.body, suite, output_cap)
        return JudgeFigures(judge.display_name, costs)
