"""What a run spends: a cheap bound charged per request inside the window (for `max_cost`), and
the exact figure from the finished records (after the window).

Inside the window nothing is tokenised: a request is charged from the usage the provider
reported, else from an upper bound fixed before the run (the prompt's tokens plus `max_tokens`
at the output or reasoning price, whichever is dearer). The tracked spend is therefore never
below the exact one, and the cap can only overshoot by the requests already in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from benchstudio.speed.engine import RunControl
from benchstudio.speed.metrics import RequestMetrics, StreamTrace
from benchstudio.speed.results import CostFunction

COST_CAP_REASON = "cost cap"

# Gets each finished trace inside the window; must stay cheap (no tokenizer, no I/O).
Charge = Callable[[StreamTrace], None]


def request_bound(
    cost: CostFunction, model: str, prompt_tokens: int, max_tokens: int | None
) -> float | None:
    """The most one request can cost when the stream reports no usage (None: unbounded)."""
    if max_tokens is None:
        return None
    as_output = cost(model, prompt_tokens, max_tokens, 0, 0) or 0.0
    as_reasoning = cost(model, prompt_tokens, max_tokens, max_tokens, 0) or 0.0
    return max(as_output, as_reasoning)


@dataclass(slots=True)
class SpendMeter:
    """Tracks the bounded spend of a run and stops new sends at `limit` USD."""

    control: RunControl
    limit: float | None = None
    tracked_usd: float = 0.0

    def charger(
        self,
        cost: CostFunction | None,
        model: str,
        prompt_tokens: int,
        max_tokens: int | None,
    ) -> Charge | None:
        """The per-request charge of one target and prompt (each target at its own price)."""
        if self.limit is None or cost is None:
            return None
        bound = request_bound(cost, model, prompt_tokens, max_tokens)

        def charge(trace: StreamTrace) -> None:
            usage = trace.usage
            if usage is not None and usage.output_tokens is not None:
                value = cost(
                    model,
                    usage.input_tokens if usage.input_tokens is not None else prompt_tokens,
                    usage.output_tokens,
                    usage.reasoning_tokens,
                    usage.cached_input_tokens,
                )
            elif bound is not None:
                value = bound
            else:
                # No max_tokens: UTF-8 bytes bound a byte-level BPE count from above.
                received = max(len(trace.chunk_ns), len(trace.texts()[0].encode()))
                value = cost(model, prompt_tokens, received, 0, 0)
            self.add(value or 0.0)

        return charge

    def add(self, value: float) -> None:
        self.tracked_usd += value
        limit = self.limit
        if limit is not None and self.tracked_usd >= limit:
            self.control.stop(f"{COST_CAP_REASON}: max_cost {limit:g} USD reached")


def exact_spend(records: Iterable[RequestMetrics], tracked_usd: float | None) -> dict[str, float]:
    """Exact cost of every request sent, warm-ups included and shown separately."""
    measured = warmup = 0.0
    for record in records:
        if record.cost_usd is None:
            continue
        if record.extra.get("warmup"):
            warmup += record.cost_usd
        else:
            measured += record.cost_usd
    spend = {
        "cost_usd": round(measured + warmup, 8),
        "measured_cost_usd": round(measured, 8),
        "warmup_cost_usd": round(warmup, 8),
    }
    if tracked_usd is not None:
        spend["tracked_usd"] = round(tracked_usd, 8)
    return spend
