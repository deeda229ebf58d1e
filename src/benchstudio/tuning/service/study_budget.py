"""How a study shares a calls or cost budget between trials running at the same time.

A trial is told how much it may still use (`TrialRequest.max_calls` / `max_cost_usd`) and its
evaluator stops it there. So that trials running in parallel cannot overshoot together, each
start reserves its share of what is left; the reservation turns into the actual use when the
trial ends. The share is the larger of what a trial used so far at most (plus a margin) and
an even split of the free budget between the slots being filled; a trial whose share would
fall short of the expected use waits for the running ones; when too little is left for a
whole trial, one trial alone gets the rest (its evaluator may then stop it mid-way).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A share this much above the largest trial seen leaves room for the usual variation.
SHARE_MARGIN = 1.5
_EPSILON = 1e-9


@dataclass(slots=True)
class BudgetPool:
    """One bound (calls or USD): `limit` None means unbounded. `used` counts finished trials
    (those of earlier sessions too)."""

    limit: float | None
    used: float = 0.0
    whole: bool = False  # calls: shares are whole numbers
    largest: float | None = None  # most a complete trial used
    floor: float | None = None  # least a trial is expected to use (calls: one per case)
    reserved: dict[int, float] = field(default_factory=dict)

    @property
    def free(self) -> float | None:
        if self.limit is None:
            return None
        return self.limit - self.used - sum(self.reserved.values())

    @property
    def spent(self) -> bool:
        """The bound is reached by finished trials alone: nothing more can start."""
        return self.limit is not None and self.used >= self.limit - _EPSILON

    def share(self, running: int, open_slots: int) -> float | None:
        """What a trial starting now may use, None when unbounded, 0 when it must not start
        (nothing left, or too little while others run)."""
        free = self.free
        if free is None:
            return None
        if free <= _EPSILON:
            return 0.0
        expected = self.largest if self.largest is not None else self.floor
        even = free / max(1, open_slots)
        if expected is None or expected <= 0:
            share = even
        else:
            share = min(free, max(expected * SHARE_MARGIN, even))
            if share < expected and running > 0:
                return 0.0
        if self.whole:
            share = float(int(share + _EPSILON))
        return share

    def reserve(self, number: int, amount: float | None) -> None:
        if amount is not None and self.limit is not None:
            self.reserved[number] = amount

    def settle(self, number: int, used: float, *, representative: bool) -> None:
        """A trial ended having used `used`; a complete trial tells what a trial costs."""
        self.reserved.pop(number, None)
        self.used += used
        if representative:
            self.largest = used if self.largest is None else max(self.largest, used)

    def release(self, number: int) -> None:
        self.reserved.pop(number, None)
