"""Which case of a trial may start, so that a trial stays within its calls and cost share
(`TrialRequest.max_calls` / `max_cost_usd`) even with several cases in flight.

A case starts only when what the trial spent, plus what the cases in flight are expected to
use, plus this case's expected use fits the share. When it does not fit but cases are in
flight, it waits for one of them to finish (their actual use replaces their reservation) and
asks again; when nothing is in flight and it still does not fit, the trial stops there.

A case's expected calls are its most (one for a single-turn case, the rounds plus one for a
multi-turn chain), so the calls bound is strict. Its expected cost is the caller's first guess
(prompt and output cap at the price, which tells a long case from a short one) until a case
finished; then that guess scaled by the highest actual-to-guess ratio seen, times
`COST_MARGIN`. So the spend exceeds the share by at most what the cases in flight together
cost beyond their expected cost (nothing when no case costs more than expected).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Literal

Admission = Literal["start", "wait", "stop"]

# Cases vary (longer prompts, longer answers): the costliest case seen, this much above.
COST_MARGIN = 1.5
_EPSILON = 1e-12


@dataclass(frozen=True, slots=True)
class CaseUse:
    """Calls and USD of one case (expected before it runs, actual after)."""

    calls: float
    cost: float


def admission(
    limit: float | None, spent: float, reserved: float, expected: float, in_flight: int
) -> Admission:
    """The rule for one bound: start when the case fits, else wait while others run, else stop."""
    if limit is None or spent + reserved + expected <= limit + _EPSILON:
        return "start"
    return "wait" if in_flight > 0 else "stop"


@dataclass(slots=True)
class CaseBooks:
    """One trial's admitted cases against its calls and cost share (None: unbounded). Once a
    case is refused for good (`stopped`) no later case starts: the trial ends."""

    max_calls: float | None
    max_cost: float | None
    spent: CaseUse = CaseUse(0.0, 0.0)
    in_flight: dict[Hashable, CaseUse] = field(default_factory=dict)
    guessed: dict[Hashable, float] = field(default_factory=dict)  # first-guess cost, in flight
    ratio: float | None = None  # the highest actual / first-guess cost of a finished case
    stopped: bool = False
    refused_by: Literal["calls", "cost"] | None = None  # the bound that stopped the trial

    def expected(self, first_guess: CaseUse) -> CaseUse:
        """A case's expected use: its own calls; its first-guess cost until a case finished,
        then that guess as the finished cases bear it out (with the margin). The first guess
        is meant as a ceiling (the output cap): cases that came in under it never raise a
        case's expectation above it, cases that cost more than guessed raise it past it."""
        if self.ratio is None:
            return first_guess
        scale = self.ratio * COST_MARGIN
        if self.ratio <= 1.0:
            scale = min(1.0, scale)
        return CaseUse(first_guess.calls, first_guess.cost * scale)

    def decide(self, key: Hashable, first_guess: CaseUse) -> Admission:
        """Whether the case `key` starts now; "start" reserves its expected use."""
        if self.stopped:
            return "stop"
        expected = self.expected(first_guess)
        reserved = CaseUse(
            sum(use.calls for use in self.in_flight.values()),
            sum(use.cost for use in self.in_flight.values()),
        )
        count = len(self.in_flight)
        by_calls = admission(
            self.max_calls, self.spent.calls, reserved.calls, expected.calls, count
        )
        by_cost = admission(self.max_cost, self.spent.cost, reserved.cost, expected.cost, count)
        if by_calls == "start" and by_cost == "start":
            self.in_flight[key] = expected
            self.guessed[key] = first_guess.cost
            return "start"
        if "stop" in (by_calls, by_cost):
            self.stopped = True
            self.refused_by = "calls" if by_calls == "stop" else "cost"
            return "stop"
        return "wait"

    def settle(self, key: Hashable, actual: CaseUse) -> None:
        """A case finished (or was run unasked): its actual use replaces its reservation."""
        self.in_flight.pop(key, None)
        guess = self.guessed.pop(key, None)
        self.spent = CaseUse(self.spent.calls + actual.calls, self.spent.cost + actual.cost)
        if guess is not None and guess > 0:
            ratio = actual.cost / guess
            self.ratio = ratio if self.ratio is None else max(self.ratio, ratio)
