"""A measured step (one target at one tier and load point) and the one way steps are named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchstudio.speed.diagnostics import Diagnostics
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.results import SloTargets, summary_block


@dataclass(slots=True)
class StepResult:
    """One measured block: a target at one tier, at one concurrency or rate."""

    name: str
    target: str
    model: str
    mode: str
    context_tokens: int | None
    records: list[RequestMetrics]
    wall_s: float
    diagnostics: Diagnostics
    concurrency: int | None = None
    request_rate: float | None = None
    skipped_reason: str | None = None
    prompt_tokens: int | None = None

    def to_dict(self, run_id: str, slo: SloTargets | None) -> dict[str, Any]:
        return {
            "name": self.name,
            "target": self.target,
            "model": self.model,
            "mode": self.mode,
            "context_tokens": self.context_tokens,
            "prompt_tokens": self.prompt_tokens,
            "concurrency": self.concurrency,
            "request_rate": self.request_rate,
            "skipped_reason": self.skipped_reason,
            "diagnostics": self.diagnostics.to_dict(),
            "summary": summary_block(
                self.records, wall_s=self.wall_s, run_id=f"{run_id}:{self.name}", slo=slo
            ),
            "requests": [r.to_dict() for r in self.records],
        }


def step_name(
    target: str, tier: int, *, concurrency: int | None = None, rate: float | None = None
) -> str:
    """The one name of a step: `target@tier` (profile), `target@tier:c=4` or `:rate=2.5`."""
    if concurrency is not None:
        return f"{target}@{tier}:c={concurrency}"
    if rate is not None:
        return f"{target}@{tier}:rate={rate}"
    return f"{target}@{tier}"
