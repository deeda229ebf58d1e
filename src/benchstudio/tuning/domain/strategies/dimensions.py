"""What a search strategy needs to know of a search-space dimension (a structural protocol).

The search space itself (ranges, registry validation, presets) lives in `tuning.domain.space`;
strategies only read these attributes, so any dimension type that has them works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

ParamValue = float | int | str | bool
Point = dict[str, ParamValue]
DimensionKind = Literal["float", "int", "categorical"]


class ConditionLike(Protocol):
    """The dimension is active only when `parameter` holds one of `values`."""

    @property
    def parameter(self) -> str: ...

    @property
    def values(self) -> Sequence[ParamValue]: ...


class DimensionLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> DimensionKind: ...

    @property
    def low(self) -> float | None: ...

    @property
    def high(self) -> float | None: ...

    @property
    def log(self) -> bool: ...

    @property
    def step(self) -> float | None: ...

    @property
    def choices(self) -> Sequence[ParamValue] | None: ...

    @property
    def condition(self) -> ConditionLike | None: ...


def is_active(dimension: DimensionLike, point: Mapping[str, ParamValue]) -> bool:
    """Whether `dimension` applies given the values chosen so far (its parent comes first)."""
    condition = dimension.condition
    if condition is None:
        return True
    return condition.parameter in point and point[condition.parameter] in condition.values
