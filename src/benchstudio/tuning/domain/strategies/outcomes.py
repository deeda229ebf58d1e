"""What a strategy hands out (a point to evaluate) and what it is told back (the outcome)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol

from benchstudio.tuning.domain.space import Point

OutcomeState = Literal["complete", "pruned", "failed"]
Direction = Literal["maximize", "minimize"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A finished trial: its objective values, or pruned (with its partial score), or failed.

    A pruned trial's `partial` is the objective over the `progress` cases it finished; the
    sampler ranks it by that. A failed trial (an endpoint error) teaches the sampler nothing.
    """

    state: OutcomeState
    values: tuple[float, ...] = ()
    partial: float | None = None
    progress: int = 0

    @classmethod
    def complete(cls, *values: float) -> Outcome:
        if not values:
            raise ValueError("a complete trial needs at least one objective value")
        if not all(math.isfinite(value) for value in values):
            return cls("failed")
        return cls("complete", tuple(float(value) for value in values))

    @classmethod
    def pruned(cls, partial: float | None = None, progress: int = 0) -> Outcome:
        return cls("pruned", partial=partial, progress=progress)

    @classmethod
    def failed(cls) -> Outcome:
        return cls("failed")


@dataclass(frozen=True, slots=True)
class Asked:
    """A point to evaluate. `point` is what the sampler chose (a search-space point);
    `effective` is the request's parameters after the registry's clamping, whose
    `fingerprint` identifies the request."""

    trial_id: int
    point: Point
    effective: Point
    fingerprint: str


@dataclass(frozen=True, slots=True)
class FinishedTrial:
    """A stored trial, fed back on resume: the sampler's point and its outcome."""

    point: Point
    outcome: Outcome


class Sampler(Protocol):
    """Where points come from. Tokens are the sampler's own handles for the points it gave."""

    def suggest(self) -> tuple[int, Point] | None:
        """The next point, or None when the sampler has nothing left (a finished grid)."""
        ...

    def report(self, token: int, outcome: Outcome) -> None: ...

    def enqueue(self, point: Point) -> bool:
        """Suggest `point` next (a vendor preset's point); False if it is not in the space."""
        ...

    def replay(self, point: Point, outcome: Outcome) -> bool:
        """Learn a trial finished before this sampler existed; False if it does not fit the
        space (it is then only remembered for deduplication)."""
        ...
