"""A tuner's search space: what it may vary, over which values, and when.

Each dimension names one request parameter (the caller's name, e.g. `top_p`, not a provider's
wire name) and is either a range (linear or log, with an optional step) or a list of choices.
A dimension may carry a condition: it is active only for models whose id matches a pattern
(decided once, before the run) and/or only while another, choice-valued dimension holds one
of the listed values (decided per point: an inactive dimension puts no key in the point).
Seeds are not a dimension: repeated samples of a point are the space's `repeats`.

Pure: the registry-aware checks live in `space_registry`, the grid in `space_grid`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from benchstudio.core.errors import AppError

Scale = Literal["linear", "log"]
Point = dict[str, Any]
MAX_DIMENSIONS = 24
MAX_CHOICES = 64
MAX_REPEATS = 50
# Not a dimension: a seed only makes repeats reproducible.
NOT_DIMENSIONS = frozenset({"seed", "random_seed"})
_DIGITS = 12  # significant digits kept in grid values, so 0.1 + 0.2 is 0.3


class SpaceError(AppError):
    """A search space that cannot run; `param` names the dimension at fault (or "space")."""

    status_code = 422
    code = "invalid_search_space"

    def __init__(self, param: str, message: str, *, details: list[dict[str, Any]] | None = None):
        super().__init__(f"{param}: {message}", details=details)
        self.param = param
        self.reason = message


@dataclass(frozen=True, slots=True)
class Condition:
    """When a dimension is active: `param` in `values` (per point) and/or the model id matches
    `model_pattern` (a regular expression searched in the lower-cased id, before the run)."""

    param: str | None = None
    values: tuple[Any, ...] = ()
    model_pattern: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "param": self.param,
            "values": list(self.values),
            "model_pattern": self.model_pattern,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Condition:
        return cls(
            param=raw.get("param"),
            values=tuple(raw.get("values") or ()),
            model_pattern=raw.get("model_pattern"),
        )

    def matches_model(self, model: str) -> bool:
        return (
            self.model_pattern is None or re.search(self.model_pattern, model.lower()) is not None
        )


@dataclass(frozen=True, slots=True)
class RangeDimension:
    """Numbers from `low` to `high`. `step` is additive on a linear scale and a ratio (> 1) on
    a log scale (step 2 over 1..16 gives 1, 2, 4, 8, 16); without a step a range is sampled
    continuously and a grid cannot enumerate it. `integer` ranges hold whole numbers."""

    name: str
    low: float
    high: float
    step: float | None = None
    scale: Scale = "linear"
    integer: bool = False
    condition: Condition | None = None

    kind: Literal["range"] = field(default="range", init=False)

    def __post_init__(self) -> None:
        # Bounds are floats whatever the caller wrote (an int 1 and a float 1.0 are one range).
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))
        if self.step is not None:
            object.__setattr__(self, "step", float(self.step))

    def grid_step(self) -> float | None:
        """The step a grid uses: the given one, else 1 for a linear integer range."""
        if self.step is not None:
            return self.step
        return 1.0 if self.integer and self.scale == "linear" else None

    def grid_values(self) -> list[float | int]:
        """Every value a grid visits, low to high (both ends included when on the step)."""
        step = self.grid_step()
        if step is None:
            raise SpaceError(self.name, "a grid needs a step for this range")
        if self.scale == "log":
            count = math.floor(math.log(self.high / self.low) / math.log(step) + 1e-9) + 1
            values = [self.low * step**i for i in range(count)]
        else:
            count = math.floor((self.high - self.low) / step + 1e-9) + 1
            values = [self.low + i * step for i in range(count)]
        numbers = [self._number(v) for v in values]
        return list(dict.fromkeys(numbers))  # whole numbers on a log ratio may repeat

    def grid_size(self) -> int:
        return len(self.grid_values())

    def snap(self, value: float) -> float | int:
        """`value` moved into the range and onto the step (for samplers that draw freely)."""
        bounded = min(max(float(value), self.low), self.high)
        step = self.grid_step()
        if step is not None and self.scale == "log":
            exponent = round(math.log(bounded / self.low) / math.log(step))
            bounded = self.low * step**exponent
        elif step is not None:
            bounded = self.low + round((bounded - self.low) / step) * step
        if bounded > self.high + 1e-12:  # the last step overshot: step back inside
            bounded = bounded / step if self.scale == "log" and step else bounded - (step or 0)
        return self._number(bounded)

    def _number(self, value: float) -> float | int:
        """`value` without float noise (12 significant digits), never past either bound."""
        if self.integer:
            return min(max(round(value), math.ceil(self.low)), math.floor(self.high))
        return min(max(float(f"{value:.{_DIGITS}g}"), self.low), self.high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "range",
            "name": self.name,
            "low": self.low,
            "high": self.high,
            "step": self.step,
            "scale": self.scale,
            "integer": self.integer,
            "condition": self.condition.to_dict() if self.condition else None,
        }


@dataclass(frozen=True, slots=True)
class ChoiceDimension:
    """One of a list of values (strings, numbers, booleans or JSON objects)."""

    name: str
    choices: tuple[Any, ...]
    condition: Condition | None = None

    kind: Literal["choice"] = field(default="choice", init=False)

    def grid_values(self) -> list[Any]:
        return list(self.choices)

    def grid_size(self) -> int:
        return len(self.choices)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "choice",
            "name": self.name,
            "choices": list(self.choices),
            "condition": self.condition.to_dict() if self.condition else None,
        }


Dimension = RangeDimension | ChoiceDimension


def dimension_from_dict(raw: Mapping[str, Any]) -> Dimension:
    condition = Condition.from_dict(raw["condition"]) if raw.get("condition") else None
    if raw.get("kind") == "choice":
        return ChoiceDimension(str(raw["name"]), tuple(raw["choices"]), condition)
    return RangeDimension(
        name=str(raw["name"]),
        low=float(raw["low"]),
        high=float(raw["high"]),
        step=None if raw.get("step") is None else float(raw["step"]),
        scale=raw.get("scale", "linear"),
        integer=bool(raw.get("integer", False)),
        condition=condition,
    )


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """The dimensions to search, and how many samples each point gets (`repeats`)."""

    dimensions: tuple[Dimension, ...]
    repeats: int = 1

    def dimension(self, name: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(name)

    def names(self) -> list[str]:
        return [d.name for d in self.dimensions]

    def without(self, names: Iterable[str]) -> SearchSpace:
        gone = set(names)
        return replace(self, dimensions=tuple(d for d in self.dimensions if d.name not in gone))

    def to_dict(self) -> dict[str, Any]:
        return {"dimensions": [d.to_dict() for d in self.dimensions], "repeats": self.repeats}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SearchSpace:
        dimensions = tuple(dimension_from_dict(d) for d in raw.get("dimensions") or ())
        return cls(dimensions, int(raw.get("repeats", 1)))


def value_key(value: Any) -> str:
    """A stable text key for any choice value (dicts compare by content)."""
    return json.dumps(value, sort_keys=True, default=str)


def is_active(dimension: Dimension, point: Mapping[str, Any]) -> bool:
    """Whether `dimension` takes part in `point` (its controlling parameter holds one of the
    listed values; a missing controller, itself inactive, makes it inactive too)."""
    condition = dimension.condition
    if condition is None or condition.param is None:
        return True
    if condition.param not in point:
        return False
    wanted = {value_key(v) for v in condition.values}
    return value_key(point[condition.param]) in wanted


def ordered(space: SearchSpace) -> list[Dimension]:
    """Dimensions with every controlling dimension before the ones it controls (stable)."""
    placed: list[Dimension] = []
    names: set[str] = set()
    pending = list(space.dimensions)
    while pending:
        ready = [
            d
            for d in pending
            if d.condition is None or d.condition.param is None or d.condition.param in names
        ]
        if not ready:
            cycle = ", ".join(sorted(d.name for d in pending))
            raise SpaceError(pending[0].name, f"conditions form a cycle ({cycle})")
        for dimension in ready:
            placed.append(dimension)
            names.add(dimension.name)
        pending = [d for d in pending if d.name not in names]
    return placed


def active_point(space: SearchSpace, point: Mapping[str, Any]) -> Point:
    """`point` reduced to its active dimensions, in space order; names outside the space are
    refused (a strategy may only propose the space's dimensions)."""
    unknown = sorted(set(point) - set(space.names()))
    if unknown:
        raise SpaceError(unknown[0], "is not a dimension of this search space")
    kept: Point = {}
    for dimension in ordered(space):
        if dimension.name in point and is_active(dimension, kept):
            kept[dimension.name] = point[dimension.name]
    return {name: kept[name] for name in space.names() if name in kept}


def check_shape(space: SearchSpace) -> None:
    """Refuse a space that no provider could run: empty, duplicated, impossible ranges, bad
    conditions. Raises `SpaceError` naming the first dimension at fault."""
    if not space.dimensions:
        raise SpaceError("space", "add at least one parameter to search over")
    if len(space.dimensions) > MAX_DIMENSIONS:
        raise SpaceError("space", f"at most {MAX_DIMENSIONS} parameters can be searched at once")
    if not 1 <= space.repeats <= MAX_REPEATS:
        raise SpaceError("repeats", f"must be between 1 and {MAX_REPEATS}")
    seen: set[str] = set()
    for dimension in space.dimensions:
        name = dimension.name
        if not name.strip():
            raise SpaceError("space", "every dimension needs a parameter name")
        if name in seen:
            raise SpaceError(name, "appears twice in the search space")
        seen.add(name)
        if name in NOT_DIMENSIONS:
            raise SpaceError(name, "seeds are not a search dimension; set repeats instead")
        if isinstance(dimension, RangeDimension):
            _check_range(dimension)
        else:
            _check_choices(dimension)
    for dimension in space.dimensions:
        _check_condition(space, dimension)
    ordered(space)


def _check_range(dimension: RangeDimension) -> None:
    name, low, high, step = dimension.name, dimension.low, dimension.high, dimension.step
    if not (math.isfinite(low) and math.isfinite(high)):
        raise SpaceError(name, "range bounds must be finite numbers")
    if low >= high:
        raise SpaceError(name, f"impossible range: low ({low:g}) must be below high ({high:g})")
    if dimension.scale == "log" and low <= 0:
        raise SpaceError(name, "a log-scale range needs a positive lower bound")
    if dimension.integer and not (low.is_integer() and high.is_integer()):
        raise SpaceError(name, "takes whole numbers: use whole-number bounds")
    if step is None:
        return
    if not math.isfinite(step) or step <= 0:
        raise SpaceError(name, "step must be a positive number")
    if dimension.scale == "log" and step <= 1:
        raise SpaceError(name, "on a log scale the step is a ratio and must be above 1")
    if dimension.integer and dimension.scale == "linear" and not step.is_integer():
        raise SpaceError(name, "takes whole numbers: use a whole-number step")


def _check_choices(dimension: ChoiceDimension) -> None:
    if not dimension.choices:
        raise SpaceError(dimension.name, "list at least one choice")
    if len(dimension.choices) > MAX_CHOICES:
        raise SpaceError(dimension.name, f"at most {MAX_CHOICES} choices")
    keys = [value_key(v) for v in dimension.choices]
    if len(set(keys)) != len(keys):
        raise SpaceError(dimension.name, "lists the same choice twice")
    if any(v is None for v in dimension.choices):
        raise SpaceError(dimension.name, "null is not a choice: leave the parameter out instead")


def _check_condition(space: SearchSpace, dimension: Dimension) -> None:
    condition = dimension.condition
    if condition is None:
        return
    if condition.model_pattern is not None:
        try:
            re.compile(condition.model_pattern)
        except re.error as error:
            raise SpaceError(
                dimension.name, f"model pattern is not a valid regex: {error}"
            ) from None
    if condition.param is None:
        if condition.model_pattern is None:
            raise SpaceError(dimension.name, "a condition needs a parameter or a model pattern")
        return
    if condition.param == dimension.name:
        raise SpaceError(dimension.name, "a dimension cannot depend on itself")
    try:
        parent = space.dimension(condition.param)
    except KeyError:
        raise SpaceError(
            dimension.name, f"depends on {condition.param}, which is not in the space"
        ) from None
    if not isinstance(parent, ChoiceDimension):
        raise SpaceError(
            dimension.name, f"can depend only on a choice dimension, not {parent.name}"
        )
    if not condition.values:
        raise SpaceError(dimension.name, f"list the values of {parent.name} that activate it")
    offered = {value_key(v) for v in parent.choices}
    missing = [v for v in condition.values if value_key(v) not in offered]
    if missing:
        raise SpaceError(dimension.name, f"{parent.name} never takes {missing[0]!r}")
