"""A model whose tool-call accuracy depends on its sampling parameters (the tuner's demo).

accuracy(x) = clip(base - sum_i weight_i * (x_i - optimum_i)^2, 0, 1)

over the parameters named in the config; a parameter the request does not send takes its
`default` (what the provider would use). With `noise` > 0 an offset drawn from a normal
distribution (standard deviation `noise`) is added, seeded by the model seed, the point and the
request's `seed`: every request of one point and seed shares it, like a model whose quality at
a setting varies from run to run, and a repeat with another seed draws another. The missing
accuracy (1 - accuracy) is split over the mistake kinds in the proportions of `split`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.simulator.textgen import request_rng
from benchstudio.simulator.tool_mistakes import MISTAKE_KINDS, MistakeRates

EVEN_SPLIT = MistakeRates(
    no_call=0.2, wrong_tool=0.2, missing_argument=0.2, extra_argument=0.2, wrong_argument=0.2
)


class TunedParameter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    optimum: float
    weight: float = Field(ge=0.0, description="accuracy lost per squared unit from the optimum")
    default: float = Field(description="the value when the request does not send it")


class TunableAccuracy(BaseModel):
    """A peaked accuracy surface over sampling parameters (see the module doc)."""

    model_config = ConfigDict(extra="forbid")

    base: float = Field(default=0.95, ge=0.0, le=1.0, description="accuracy at the optimum")
    parameters: dict[str, TunedParameter] = Field(min_length=1)
    noise: float = Field(default=0.0, ge=0.0, description="std of the per-run offset")
    split: MistakeRates = Field(
        default=EVEN_SPLIT, description="how mistakes divide among the kinds (proportions)"
    )

    def accuracy(self, sampling: Mapping[str, float]) -> float:
        """The noiseless accuracy at the point `sampling` (missing parameters: defaults)."""
        loss = math.fsum(
            spec.weight * (sampling.get(name, spec.default) - spec.optimum) ** 2
            for name, spec in self.parameters.items()
        )
        return min(1.0, max(0.0, self.base - loss))

    def point(self, sampling: Mapping[str, float]) -> dict[str, float]:
        return {name: sampling.get(name, spec.default) for name, spec in self.parameters.items()}

    def noisy_accuracy(
        self, sampling: Mapping[str, float], seed: int, run_seed: int | None
    ) -> float:
        accuracy = self.accuracy(sampling)
        if not self.noise:
            return accuracy
        key = json.dumps(self.point(sampling), sort_keys=True)
        offset = request_rng(seed, "tunable-noise", key, str(run_seed)).gauss(0.0, self.noise)
        return min(1.0, max(0.0, accuracy + offset))

    def rates(self, sampling: Mapping[str, float], seed: int, run_seed: int | None) -> MistakeRates:
        """Mistake rates adding up to 1 - accuracy, divided as `split` says."""
        missing = 1.0 - self.noisy_accuracy(sampling, seed, run_seed)
        shares = {kind: getattr(self.split, kind) for kind in MISTAKE_KINDS}
        total = math.fsum(shares.values())
        if total <= 0:
            shares, total = {"no_call": 1.0}, 1.0
        return MistakeRates(
            **{kind: min(1.0, missing * share / total) for kind, share in shares.items()}
        )

    def draw_key(self, sampling: Mapping[str, float], run_seed: int | None) -> str:
        """Part of the mistake draw's seed: another point or run draws independently."""
        return json.dumps([self.point(sampling), run_seed], sort_keys=True)
