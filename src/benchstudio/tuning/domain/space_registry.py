"""A search space checked against one provider's parameter rules, before any trial runs.

The rules come in as `ProviderRules` (built from the provider parameter registry by the
tuning service), so this module stays pure. Validation:

- refuses parameters no provider knows (with a "did you mean" hint);
- removes dimensions the provider drops for this model (unsupported, fixed by the model,
  conflicting with another searched parameter), and choices it refuses, listing each removal
  as an adjustment the UI shows before the run;
- clamps range bounds to the provider's limits (again listed), and refuses a range left empty;
- notes renames (the provider's wire name) so nobody is surprised by the request body.

Per point, `space_points.effective_point` sends the point through the same rules and
fingerprints what would be sent.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Dimension,
    RangeDimension,
    SearchSpace,
    SpaceError,
    check_shape,
    value_key,
)

SpaceAction = Literal["drop", "clamp", "drop_choice", "inactive", "rename", "warn"]


class ParamLimits(Protocol):
    """What the space needs of a registry parameter spec."""

    @property
    def type(self) -> str: ...
    @property
    def min(self) -> float | None: ...
    @property
    def max(self) -> float | None: ...


class RegistryAdjustment(Protocol):
    @property
    def param(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def original(self) -> Any: ...
    @property
    def value(self) -> Any: ...


class ResolvedParams(Protocol):
    """The registry's answer for one request: wire parameters, adjustments, fingerprint."""

    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def adjustments(self) -> Sequence[RegistryAdjustment]: ...
    def fingerprint(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ProviderRules:
    """One provider's rules for one model: its parameter specs (model-family rules applied),
    every parameter name any provider knows, and the resolver that clamps a request."""

    provider: str
    model: str
    specs: Mapping[str, ParamLimits]
    vocabulary: frozenset[str]
    resolve: Callable[[Mapping[str, Any]], ResolvedParams]


@dataclass(frozen=True, slots=True)
class SpaceAdjustment:
    """One change made to the space (or to a point) and why."""

    param: str
    action: SpaceAction
    reason: str
    original: Any = None
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "action": self.action,
            "reason": self.reason,
            "original": self.original,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SpaceAdjustment:
        return cls(
            raw["param"], raw["action"], raw["reason"], raw.get("original"), raw.get("value")
        )


@dataclass(frozen=True, slots=True)
class ValidatedSpace:
    """The space as it will run for (provider, model), with every change listed."""

    space: SearchSpace
    provider: str
    model: str
    adjustments: tuple[SpaceAdjustment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "space": self.space.to_dict(),
            "provider": self.provider,
            "model": self.model,
            "adjustments": [a.to_dict() for a in self.adjustments],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ValidatedSpace:
        return cls(
            SearchSpace.from_dict(raw["space"]),
            raw["provider"],
            raw["model"],
            tuple(SpaceAdjustment.from_dict(a) for a in raw.get("adjustments") or ()),
        )


def _probe_value(dimension: Dimension) -> Any:
    if isinstance(dimension, ChoiceDimension):
        return dimension.choices[0]
    return dimension.snap(dimension.low)  # a whole number for integer ranges


def _registry_note(
    rules: ProviderRules, values: Mapping[str, Any], name: str, action: str
) -> RegistryAdjustment | None:
    for adjustment in rules.resolve(values).adjustments:
        if adjustment.param == name and adjustment.action == action:
            return adjustment
    return None


def _refuse_unknown(dimension: Dimension, rules: ProviderRules) -> None:
    if dimension.name in rules.vocabulary or dimension.name in rules.specs:
        return
    close = difflib.get_close_matches(dimension.name, sorted(rules.vocabulary), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise SpaceError(dimension.name, f"is not a parameter any provider knows{hint}")


def _clamp_range(
    dimension: RangeDimension, spec: ParamLimits, out: list[SpaceAdjustment]
) -> RangeDimension:
    name = dimension.name
    if spec.type not in ("float", "int"):
        raise SpaceError(name, f"takes {spec.type} values: list them as choices, not a range")
    integer = spec.type == "int"
    if integer and not (dimension.low.is_integer() and dimension.high.is_integer()):
        raise SpaceError(name, "takes whole numbers: use whole-number bounds")
    step = dimension.step
    if integer and dimension.scale == "linear" and step is not None and not step.is_integer():
        raise SpaceError(name, "takes whole numbers: use a whole-number step")
    low, high = dimension.low, dimension.high
    if spec.min is not None and low < spec.min:
        low = float(spec.min)
    if spec.max is not None and high > spec.max:
        high = float(spec.max)
    allowed = f"{spec.min if spec.min is not None else '-inf'} to "
    allowed += f"{spec.max if spec.max is not None else 'inf'}"
    if low >= high:
        raise SpaceError(
            name,
            f"range {dimension.low:g} to {dimension.high:g} leaves nothing within "
            f"the allowed {allowed}",
        )
    if dimension.scale == "log" and low <= 0:
        raise SpaceError(name, f"a log-scale range needs a positive lower bound ({allowed})")
    if (low, high) != (dimension.low, dimension.high):
        reason = f"allowed range is {allowed}"
        original = [dimension.low, dimension.high]
        out.append(SpaceAdjustment(name, "clamp", reason, original, [low, high]))
    return replace(dimension, low=low, high=high, integer=integer or dimension.integer)


def _refused_beside(
    dimension: ChoiceDimension, rules: ProviderRules, context: Mapping[str, Any]
) -> dict[str, RegistryAdjustment]:
    """Choices refused only beside the other always-searched dimensions (Anthropic's thinking
    budget allows tool_choice auto or none, not required), by value key. When every choice is
    refused there, the dimension as a whole conflicts: `_conflicts` drops it instead."""
    others = {k: v for k, v in context.items() if k != dimension.name}
    if not others:
        return {}
    refused: dict[str, RegistryAdjustment] = {}
    for choice in dimension.choices:
        notes = rules.resolve({**others, dimension.name: choice}).adjustments
        drop = next((a for a in notes if a.param == dimension.name and a.action == "drop"), None)
        if drop is not None:
            refused[value_key(choice)] = drop
    return {} if len(refused) == len(dimension.choices) else refused


def _filter_choices(
    dimension: ChoiceDimension,
    rules: ProviderRules,
    out: list[SpaceAdjustment],
    context: Mapping[str, Any],
) -> ChoiceDimension | None:
    """Choices as the provider takes them: refused ones removed (alone, or beside the other
    always-searched dimensions), clamped ones replaced (and merged when two clamp to the same
    value); None when nothing is left."""
    kept: dict[str, Any] = {}
    refused_beside = _refused_beside(dimension, rules, context)
    for choice in dimension.choices:
        resolved = rules.resolve({dimension.name: choice})
        notes = [a for a in resolved.adjustments if a.param == dimension.name]
        dropped = next((a for a in notes if a.action == "drop"), None)
        dropped = dropped or refused_beside.get(value_key(choice))
        if dropped is not None:
            out.append(SpaceAdjustment(dimension.name, "drop_choice", dropped.reason, choice))
            continue
        clamped = next((a for a in notes if a.action == "clamp"), None)
        value = clamped.value if clamped is not None else choice
        if clamped is not None:
            out.append(SpaceAdjustment(dimension.name, "clamp", clamped.reason, choice, value))
        kept.setdefault(value_key(value), value)
    if not kept:
        return None
    return replace(dimension, choices=tuple(kept.values()))


def _check_dimension(
    dimension: Dimension,
    rules: ProviderRules,
    out: list[SpaceAdjustment],
    context: Mapping[str, Any],
) -> Dimension | None:
    """The dimension as the provider runs it, or None when it leaves the space."""
    name = dimension.name
    condition = dimension.condition
    if condition is not None and not condition.matches_model(rules.model):
        reason = f"applies only to models matching {condition.model_pattern!r}"
        out.append(SpaceAdjustment(name, "inactive", reason))
        return None
    spec = rules.specs.get(name)
    if spec is None:
        note = _registry_note(rules, {name: _probe_value(dimension)}, name, "drop")
        reason = note.reason if note else f"not supported by {rules.provider} for {rules.model}"
        out.append(SpaceAdjustment(name, "drop", reason))
        return None
    checked: Dimension | None
    if isinstance(dimension, RangeDimension):
        checked = _clamp_range(dimension, spec, out)
    else:
        checked = _filter_choices(dimension, rules, out, context)
        if checked is None:
            reason = f"{rules.provider} takes none of the listed values"
            out.append(SpaceAdjustment(name, "drop", reason))
            return None
    renamed = _registry_note(rules, {name: _probe_value(checked)}, name, "rename")
    if renamed is not None:
        out.append(SpaceAdjustment(name, "rename", renamed.reason, name, renamed.value))
    return checked


def _orphans(dimensions: Iterable[Dimension], out: list[SpaceAdjustment]) -> list[Dimension]:
    """Drop dimensions whose controlling dimension left the space (repeat until stable)."""
    kept = list(dimensions)
    while True:
        names = {d.name for d in kept}
        orphan = next(
            (
                d
                for d in kept
                if d.condition is not None
                and d.condition.param is not None
                and d.condition.param not in names
            ),
            None,
        )
        if orphan is None:
            return kept
        assert orphan.condition is not None
        reason = f"depends on {orphan.condition.param}, which left the space"
        out.append(SpaceAdjustment(orphan.name, "inactive", reason))
        kept = [d for d in kept if d.name != orphan.name]


def _conflicts(
    dimensions: list[Dimension], rules: ProviderRules, out: list[SpaceAdjustment]
) -> list[Dimension]:
    """Dimensions the provider drops when sent together (e.g. Anthropic's temperature with
    top_p) leave the space: searching them would change nothing that is sent."""
    together = {d.name: _probe_value(d) for d in dimensions if d.condition is None}
    resolved = rules.resolve(together)
    dropped = {a.param: a.reason for a in resolved.adjustments if a.action == "drop"}
    for adjustment in resolved.adjustments:
        if adjustment.param == "*" and adjustment.action == "warn":
            out.append(SpaceAdjustment("*", "warn", adjustment.reason))
    for name in [d.name for d in dimensions if d.name in dropped]:
        out.append(SpaceAdjustment(name, "drop", dropped[name]))
    return [d for d in dimensions if d.name not in dropped]


def validate_space(space: SearchSpace, rules: ProviderRules) -> ValidatedSpace:
    """The space as it will run on `rules.provider` for `rules.model`, or a `SpaceError`."""
    check_shape(space)
    for dimension in space.dimensions:
        _refuse_unknown(dimension, rules)
    adjustments: list[SpaceAdjustment] = []
    # What every point sends besides a dimension's own value (its first value stands in).
    context = {d.name: _probe_value(d) for d in space.dimensions if d.condition is None}
    kept = [
        checked
        for dimension in space.dimensions
        if (checked := _check_dimension(dimension, rules, adjustments, context)) is not None
    ]
    kept = _conflicts(_orphans(kept, adjustments), rules, adjustments)
    kept = _orphans(kept, adjustments)
    if not kept:
        raise SpaceError(
            "space",
            f"nothing left to search: {rules.provider} drops every listed parameter "
            f"for {rules.model}",
            details=[a.to_dict() for a in adjustments],
        )
    validated = replace(space, dimensions=tuple(kept))
    return ValidatedSpace(validated, rules.provider, rules.model, tuple(adjustments))
