"""Score recorded outputs against a suite without calling any model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from benchstudio.toolcall.outputs import ModelOutput
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import Suite, TestCase
from benchstudio.toolcall.scoring import score_case
from benchstudio.toolcall.semantic import SemanticPrepass
from benchstudio.toolcall.verdicts import CaseVerdict

NO_OUTPUT = "no output was recorded for this case"


@dataclass(slots=True)
class OfflineScore:
    verdicts: list[CaseVerdict]
    unknown_case_ids: list[str] = field(default_factory=list)
    missing_case_ids: list[str] = field(default_factory=list)


def _recorded_by_case(
    suite: Suite, outputs: Iterable[ModelOutput]
) -> tuple[list[tuple[TestCase, ModelOutput]], list[str], list[str]]:
    """Each suite case with its output (the last one recorded; a missing one fails as a
    failed API call would), the unknown case ids and the missing ones."""
    by_case: dict[str, ModelOutput] = {}
    unknown: list[str] = []
    known = {case.id for case in suite.cases}
    for output in outputs:
        if output.case_id in known:
            by_case[output.case_id] = output  # the last recording of a case wins
        else:
            unknown.append(output.case_id)
    pairs: list[tuple[TestCase, ModelOutput]] = []
    missing: list[str] = []
    for case in suite.cases:
        recorded = by_case.get(case.id)
        if recorded is None:
            missing.append(case.id)
            recorded = ModelOutput(case_id=case.id, error=NO_OUTPUT)
        pairs.append((case, recorded))
    return pairs, unknown, missing


def score_recorded(suite: Suite, outputs: Iterable[ModelOutput], profile: Profile) -> OfflineScore:
    """One verdict per suite case, in suite order. A case with no recorded output fails
    (as a failed API call would): aggregates never silently shrink their denominator."""
    pairs, unknown, missing = _recorded_by_case(suite, outputs)
    verdicts = [score_case(case, suite.tools_for(case), out, profile) for case, out in pairs]
    return OfflineScore(verdicts, unknown, missing)


async def score_recorded_semantic(
    suite: Suite, outputs: Iterable[ModelOutput], profile: Profile, prepass: SemanticPrepass
) -> OfflineScore:
    """`score_recorded` with `semantic` arguments: every case is scored at once, so the
    similarities they all need go out in one batch."""
    pairs, unknown, missing = _recorded_by_case(suite, outputs)

    async def one(case: TestCase, recorded: ModelOutput) -> CaseVerdict:
        tools = suite.tools_for(case)
        return await prepass.score(profile, lambda p: score_case(case, tools, recorded, p))

    verdicts = await asyncio.gather(*(one(case, out) for case, out in pairs))
    return OfflineScore(list(verdicts), unknown, missing)
