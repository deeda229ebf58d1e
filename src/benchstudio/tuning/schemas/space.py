"""The tuner's API shapes for search spaces: what a client sends (a space with range and
choice dimensions), and what it gets back (the space as it will run, every adjustment the
registry made, the grid size, the built-in vendor presets).

Shape rules the domain enforces (impossible ranges, bad conditions, seeds as a dimension)
answer 422 through `SpaceError`; these models only bound sizes and types.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.tuning.domain.presets import VendorPreset
from benchstudio.tuning.domain.space import (
    MAX_CHOICES,
    MAX_DIMENSIONS,
    MAX_REPEATS,
    ChoiceDimension,
    Condition,
    Dimension,
    RangeDimension,
    SearchSpace,
)
from benchstudio.tuning.domain.space_registry import SpaceAction, ValidatedSpace

ParamName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z_][\w.-]*$")]
ChoiceValue = str | int | float | bool | dict[str, Any] | list[Any]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConditionIn(_Strict):
    """Active only while `param` holds one of `values`, and/or for models matching a pattern."""

    param: ParamName | None = None
    values: list[ChoiceValue] = Field(default_factory=list, max_length=MAX_CHOICES)
    model_pattern: str | None = Field(default=None, max_length=200)

    def to_domain(self) -> Condition:
        return Condition(self.param, tuple(self.values), self.model_pattern)


class RangeDimensionIn(_Strict):
    kind: Literal["range"]
    name: ParamName
    low: float
    high: float
    step: float | None = Field(default=None, gt=0)
    scale: Literal["linear", "log"] = "linear"
    integer: bool = False
    condition: ConditionIn | None = None

    def to_domain(self) -> RangeDimension:
        condition = self.condition.to_domain() if self.condition else None
        return RangeDimension(
            self.name, self.low, self.high, self.step, self.scale, self.integer, condition
        )


class ChoiceDimensionIn(_Strict):
    kind: Literal["choice"]
    name: ParamName
    choices: list[ChoiceValue] = Field(min_length=1, max_length=MAX_CHOICES)
    condition: ConditionIn | None = None

    def to_domain(self) -> ChoiceDimension:
        condition = self.condition.to_domain() if self.condition else None
        return ChoiceDimension(self.name, tuple(self.choices), condition)


DimensionIn = Annotated[RangeDimensionIn | ChoiceDimensionIn, Field(discriminator="kind")]


class SearchSpaceIn(_Strict):
    dimensions: list[DimensionIn] = Field(max_length=MAX_DIMENSIONS)
    repeats: int = Field(default=1, ge=1, le=MAX_REPEATS)

    def to_domain(self) -> SearchSpace:
        return SearchSpace(tuple(d.to_domain() for d in self.dimensions), self.repeats)

    @classmethod
    def from_domain(cls, space: SearchSpace) -> SearchSpaceIn:
        return cls.model_validate(space.to_dict())


class ConditionOut(BaseModel):
    param: str | None
    values: list[Any]
    model_pattern: str | None


class DimensionOut(BaseModel):
    kind: Literal["range", "choice"]
    name: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    scale: Literal["linear", "log"] | None = None
    integer: bool | None = None
    choices: list[Any] | None = None
    condition: ConditionOut | None = None

    @classmethod
    def from_domain(cls, dimension: Dimension) -> DimensionOut:
        return cls.model_validate(dimension.to_dict())


class SpaceAdjustmentOut(BaseModel):
    param: str
    action: SpaceAction
    reason: str
    original: Any = None
    value: Any = None


class ValidatedSpaceOut(BaseModel):
    """The space as it will run for (provider, model): shown before the run."""

    provider: str
    model: str
    dimensions: list[DimensionOut]
    repeats: int
    adjustments: list[SpaceAdjustmentOut]
    grid_size: int | None = Field(
        default=None, description="Points in the full grid; null when a range has no step."
    )

    @classmethod
    def from_domain(cls, validated: ValidatedSpace, grid_size: int | None) -> ValidatedSpaceOut:
        return cls(
            provider=validated.provider,
            model=validated.model,
            dimensions=[DimensionOut.from_domain(d) for d in validated.space.dimensions],
            repeats=validated.space.repeats,
            adjustments=[SpaceAdjustmentOut(**a.to_dict()) for a in validated.adjustments],
            grid_size=grid_size,
        )


class VendorPresetOut(BaseModel):
    id: str
    family: str
    label: str
    source: str
    applies_to: str
    recommended: dict[str, Any]
    dimensions: list[DimensionOut]
    notes: str

    @classmethod
    def from_domain(cls, preset: VendorPreset) -> VendorPresetOut:
        return cls(
            id=preset.id,
            family=preset.family,
            label=preset.label,
            source=preset.source,
            applies_to=preset.applies_to,
            recommended=dict(preset.recommended),
            dimensions=[DimensionOut.from_domain(d) for d in preset.space.dimensions],
            notes=preset.notes,
        )
