"""Points of a validated space as they will be sent: clamped, renamed and fingerprinted by
the provider's rules, so points that end up sending the same request are recognised.

A repeated fingerprint is a merged point: the tuner reuses the earlier trial's result
(`PointLedger` remembers which) unless repeats were asked for, and shows how many merged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from benchstudio.tuning.domain.space import Point, RangeDimension, SearchSpace, active_point
from benchstudio.tuning.domain.space_registry import (
    ProviderRules,
    SpaceAction,
    SpaceAdjustment,
    ValidatedSpace,
)

_POINT_ACTIONS: dict[str, SpaceAction] = {
    "clamp": "clamp",
    "drop": "drop",
    "rename": "rename",
    "warn": "warn",
}


@dataclass(frozen=True, slots=True)
class EffectivePoint:
    """A point, the parameters actually sent for it (wire names) and their fingerprint."""

    point: Point
    params: dict[str, Any]
    fingerprint: str
    adjustments: tuple[SpaceAdjustment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "point": dict(self.point),
            "params": dict(self.params),
            "fingerprint": self.fingerprint,
            "adjustments": [a.to_dict() for a in self.adjustments],
        }


def effective_params(rules: ProviderRules, params: Mapping[str, Any]) -> EffectivePoint:
    """What `params` sends on `rules.provider` (clamped, renamed, unsupported ones dropped),
    fingerprinted: e.g. a preset's recommended point or the provider-default point ({})."""
    resolved = rules.resolve(params)
    notes = tuple(
        SpaceAdjustment(a.param, _POINT_ACTIONS[a.action], a.reason, a.original, a.value)
        for a in resolved.adjustments
        if a.action in _POINT_ACTIONS
    )
    return EffectivePoint(dict(params), dict(resolved.params), resolved.fingerprint(), notes)


def _whole_numbers(space: SearchSpace, point: Point) -> Point:
    """Integer dimensions as ints (a sampler may hand back 20.0, which the registry refuses)."""
    typed = dict(point)
    for dimension in space.dimensions:
        value = typed.get(dimension.name)
        if isinstance(dimension, RangeDimension) and dimension.integer and isinstance(value, float):
            typed[dimension.name] = round(value)
    return typed


def effective_point(
    validated: ValidatedSpace,
    rules: ProviderRules,
    point: Mapping[str, Any],
    base: Mapping[str, Any] | None = None,
) -> EffectivePoint:
    """What a point of the space sends: its active dimensions (inactive conditional ones put
    no key) laid over `base` (the target's own fixed parameters), through the provider's
    rules. `EffectivePoint.point` keeps the active dimensions only."""
    active = _whole_numbers(validated.space, active_point(validated.space, point))
    sent = effective_params(rules, {**(base or {}), **active})
    return replace(sent, point=active)


TrialRef = TypeVar("TrialRef")


@dataclass(slots=True)
class PointLedger(Generic[TrialRef]):
    """Which fingerprint was first tried by which trial; a repeated fingerprint is a merged
    point that reuses the earlier trial's result (`merged_points` counts them)."""

    first_trial: dict[str, TrialRef] = field(default_factory=dict)
    merged_points: int = 0

    def earlier(self, fingerprint: str) -> TrialRef | None:
        return self.first_trial.get(fingerprint)

    def record(self, fingerprint: str, trial: TrialRef) -> TrialRef | None:
        """Register `trial` for `fingerprint`; returns the earlier trial when it repeats."""
        earlier = self.first_trial.get(fingerprint)
        if earlier is not None:
            self.merged_points += 1
            return earlier
        self.first_trial[fingerprint] = trial
        return None


@dataclass(frozen=True, slots=True)
class DistinctPoints:
    points: tuple[EffectivePoint, ...]
    merged_points: int


def distinct_points(
    validated: ValidatedSpace,
    rules: ProviderRules,
    points: Iterable[Mapping[str, Any]],
    base: Mapping[str, Any] | None = None,
) -> DistinctPoints:
    """`points` without every later point that sends the same request as an earlier one."""
    ledger: PointLedger[int] = PointLedger()
    kept: list[EffectivePoint] = []
    for point in points:
        effective = effective_point(validated, rules, point, base)
        if ledger.record(effective.fingerprint, len(kept)) is None:
            kept.append(effective)
    return DistinctPoints(tuple(kept), ledger.merged_points)
