"""One interface over every strategy: `ask(n)` points, `tell(trial_id, outcome)` results.

The engine adds what all samplers share:
- deduplication: each suggested point goes through `canonical` (the registry's validation and
  clamping, supplied by the caller) to its effective parameters and fingerprint. A fingerprint
  that already has a result is not evaluated again: the sampler is told the earlier result and
  the point counts as merged. One still running gets the result when it arrives. With
  `reevaluate_duplicates` every point is evaluated. Failed trials are not reused (the failure
  may have been the endpoint's, not the point's).
- resume: `resume(finished)` feeds stored trials to the sampler and the dedup memory, so a new
  engine continues where a cancelled job stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benchstudio.tuning.domain.space import Point, SpaceError
from benchstudio.tuning.domain.space_points import effective_point
from benchstudio.tuning.domain.space_registry import ProviderRules, ValidatedSpace
from benchstudio.tuning.domain.strategies.outcomes import (
    Asked,
    FinishedTrial,
    Outcome,
    Sampler,
)

Canonical = Callable[[Point], tuple[Point, str]]
# A sampler that keeps proposing known points (a converged TPE on a small discrete space) is
# asked at most this many times per requested point before `ask` returns fewer points.
MERGE_ATTEMPTS_PER_POINT = 50


def identity_canonical(point: Point) -> tuple[Point, str]:
    """The point unchanged; its fingerprint is its sorted JSON (as the registry's is)."""
    return dict(point), json.dumps(point, sort_keys=True, default=str)


def registry_canonical(
    validated: ValidatedSpace, rules: ProviderRules, base: Mapping[str, Any] | None = None
) -> Canonical:
    """The provider's view of a point: what it sends (over the target's fixed `base`
    parameters, clamped, renamed) and the fingerprint of that request (`effective_point`)."""

    def canonical(point: Point) -> tuple[Point, str]:
        effective = effective_point(validated, rules, point, base)
        return effective.params, effective.fingerprint

    return canonical


@dataclass(slots=True)
class _Running:
    token: int
    point: Point
    effective: Point
    fingerprint: str
    followers: list[int] = field(default_factory=list)


class Strategy:
    """A search strategy (grid, random, TPE, multi-objective TPE) behind ask/tell."""

    def __init__(
        self,
        sampler: Sampler,
        *,
        canonical: Canonical = identity_canonical,
        reevaluate_duplicates: bool = False,
    ) -> None:
        self._sampler = sampler
        self._canonical = canonical
        self._reevaluate = reevaluate_duplicates
        self._results: dict[str, Outcome] = {}
        self._running: dict[int, _Running] = {}
        self._running_by_fingerprint: dict[str, _Running] = {}
        self._next_id = 0
        self.merged = 0
        self.exhausted = False

    @property
    def running(self) -> int:
        return len(self._running)

    def resume(self, finished: Iterable[FinishedTrial]) -> int:
        """Replay stored trials (oldest first); returns how many the sampler could use."""
        used = 0
        for trial in finished:
            used += bool(self._sampler.replay(trial.point, trial.outcome))
            if trial.outcome.state == "failed":
                continue
            try:
                _effective, fingerprint = self._canonical(trial.point)
            except SpaceError:  # a point of an older space: nothing to merge with
                continue
            self._results.setdefault(fingerprint, trial.outcome)
        return used

    def remember(self, fingerprint: str, outcome: Outcome) -> None:
        """A result evaluated outside the sampler (a baseline): a later point sending the same
        request merges with it instead of running again. Failed results are not reused."""
        if outcome.state != "failed":
            self._results.setdefault(fingerprint, outcome)

    def enqueue(self, point: Point) -> bool:
        """Evaluate `point` first (e.g. a vendor preset's recommended point), so the sampler
        learns from it; False when the point lies outside the space. It is deduplicated like
        any other point."""
        return self._sampler.enqueue(point)

    def ask(self, count: int) -> list[Asked]:
        """Up to `count` new points to evaluate (fewer when the space is exhausted)."""
        asked: list[Asked] = []
        attempts = 0
        while len(asked) < count and attempts < MERGE_ATTEMPTS_PER_POINT * count:
            attempts += 1
            suggestion = self._sampler.suggest()
            if suggestion is None:
                self.exhausted = True
                break
            token, point = suggestion
            effective, fingerprint = self._canonical(point)
            if not self._reevaluate and self._merge(token, fingerprint):
                continue
            running = _Running(token, point, effective, fingerprint)
            trial_id = self._next_id
            self._next_id += 1
            self._running[trial_id] = running
            self._running_by_fingerprint.setdefault(fingerprint, running)
            asked.append(Asked(trial_id, dict(point), effective, fingerprint))
        if not asked and count > 0 and not self._running:
            self.exhausted = True
        return asked

    def _merge(self, token: int, fingerprint: str) -> bool:
        earlier = self._results.get(fingerprint)
        if earlier is not None:
            self._sampler.report(token, earlier)
            self.merged += 1
            return True
        running = self._running_by_fingerprint.get(fingerprint)
        if running is not None:
            running.followers.append(token)
            self.merged += 1
            return True
        return False

    def tell(self, trial_id: int, outcome: Outcome) -> None:
        running = self._running.pop(trial_id, None)
        if running is None:
            raise KeyError(f"trial {trial_id} is not running")
        if self._running_by_fingerprint.get(running.fingerprint) is running:
            del self._running_by_fingerprint[running.fingerprint]
        self._sampler.report(running.token, outcome)
        for token in running.followers:
            self._sampler.report(token, outcome)
        if outcome.state != "failed":
            self._results.setdefault(running.fingerprint, outcome)
