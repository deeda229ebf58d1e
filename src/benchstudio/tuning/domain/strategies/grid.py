"""Grid search: every combination of each dimension's values, in order or sampled.

A float dimension's values are `low` to `high` by `step`, or `FLOAT_POINTS` evenly spaced values
(geometrically for a log range) when it has no step; an int dimension's are `low` to `high` by
its step (1 by default); a categorical's are its choices. A conditional dimension multiplies
only the combinations where it applies. `sample=k` takes k combinations without replacement, in
an order fixed by the seed, so a resumed run draws the same ones.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence

from benchstudio.tuning.domain.strategies.dimensions import (
    DimensionLike,
    ParamValue,
    Point,
    is_active,
)
from benchstudio.tuning.domain.strategies.outcomes import Outcome

FLOAT_POINTS = 5
MAX_GRID_POINTS = 100_000
_DIGITS = 10  # values are rounded so 0.1 + 2 * 0.1 is 0.3


def dimension_values(dimension: DimensionLike) -> list[ParamValue]:
    """The grid values of one dimension."""
    if dimension.kind == "categorical":
        return list(dimension.choices or ())
    low, high = dimension.low, dimension.high
    if low is None or high is None or high < low:
        raise ValueError(f"{dimension.name}: a numeric dimension needs low <= high")
    if dimension.kind == "int":
        step = max(1, round(dimension.step or 1))
        return list(range(round(low), round(high) + 1, step))
    if dimension.step:
        count = math.floor((high - low) / dimension.step + 1e-9) + 1
        return [round(low + index * dimension.step, _DIGITS) for index in range(count)]
    if low == high:
        return [float(low)]
    if dimension.log:
        if low <= 0:
            raise ValueError(f"{dimension.name}: a log range needs low > 0")
        ratio = (high / low) ** (1 / (FLOAT_POINTS - 1))
        return [round(low * ratio**index, _DIGITS) for index in range(FLOAT_POINTS)]
    width = (high - low) / (FLOAT_POINTS - 1)
    return [round(low + index * width, _DIGITS) for index in range(FLOAT_POINTS)]


def grid_points(dimensions: Sequence[DimensionLike]) -> list[Point]:
    """Every combination, the first dimension varying slowest."""
    points: list[Point] = [{}]
    for dimension in dimensions:
        values = dimension_values(dimension)
        grown: list[Point] = []
        for point in points:
            if not is_active(dimension, point):
                grown.append(point)
                continue
            grown.extend({**point, dimension.name: value} for value in values)
            if len(grown) > MAX_GRID_POINTS:
                raise ValueError(f"the grid has more than {MAX_GRID_POINTS:,} points")
        points = grown
    return points


def point_key(point: Point) -> str:
    return json.dumps(point, sort_keys=True, default=str)


class GridSampler:
    """Hands out grid points one by one; `sample` limits it to that many, drawn by `seed`."""

    def __init__(
        self, dimensions: Sequence[DimensionLike], *, sample: int | None = None, seed: int = 0
    ) -> None:
        points = grid_points(dimensions)
        if sample is not None:
            if sample < 1:
                raise ValueError("a sampled grid needs at least one point")
            random.Random(seed).shuffle(points)
            points = points[:sample]
        self.points = points
        self._keys = {point_key(point) for point in points}
        self._done: set[str] = set()
        self._position = 0

    @property
    def size(self) -> int:
        return len(self.points)

    def suggest(self) -> tuple[int, Point] | None:
        while self._position < len(self.points):
            token = self._position
            self._position += 1
            point = self.points[token]
            if point_key(point) not in self._done:
                return token, dict(point)
        return None

    def report(self, token: int, outcome: Outcome) -> None:
        if 0 <= token < len(self.points):
            self._done.add(point_key(self.points[token]))

    def replay(self, point: Point, outcome: Outcome) -> bool:
        """A finished grid point is not handed out again; a failed one is retried."""
        key = point_key(point)
        if outcome.state == "failed" or key not in self._keys:
            return False
        self._done.add(key)
        return True
