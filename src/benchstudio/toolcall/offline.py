"""Score recorded outputs against a suite without calling any model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from benchstudio.toolcall.outputs import ModelOutput
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.toolcall.scoring import score_case
from benchstudio.toolcall.verdicts import CaseVerdict

NO_OUTPUT = "no output was recorded for this case"


@dataclass(slots=True)
class OfflineScore:
    verdicts: list[CaseVerdict]
    unknown_case_ids: list[str] = field(default_factory=list)
    missing_case_ids: list[str] = field(default_factory=list)


def score_recorded(suite: Suite, outputs: Iterable[ModelOutput], profile: Profile) -> OfflineScore:
    """One verdict per suite case, in suite order. A case with no recorded output fails
    (as a failed API call would): aggregates never silently shrink their denominator."""
    by_case: dict[str, ModelOutput] = {}
    unknown: list[str] = []
    known = {case.id for case in suite.cases}
    for output in outputs:
        if output.case_id in known:
            by_case[output.case_id] = output  # the last recording of a case wins
        else:
            unknown.append(output.case_id)
    verdicts: list[CaseVerdict] = []
    missing: list[str] = []
    for case in suite.cases:
        recorded = by_case.get(case.id)
        if recorded is None:
            missing.append(case.id)
            recorded = ModelOutput(case_id=case.id, error=NO_OUTPUT)
        verdicts.append(score_case(case, suite.tools_for(case), recorded, profile))
    return OfflineScore(verdicts, unknown, missing)
