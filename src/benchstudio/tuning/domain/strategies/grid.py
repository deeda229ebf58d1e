"""Grid search: every point of the space's grid (`space_grid`), in order or sampled.

`sample=k` takes k grid points without replacement, in an order fixed by the seed, so a
resumed run draws the same ones. A grid is enumerated once, up to MAX_GRID_POINTS points.
"""

from __future__ import annotations

import random

from benchstudio.tuning.domain.space import Point, SearchSpace, SpaceError, value_key
from benchstudio.tuning.domain.space_grid import grid_count, iter_grid, require_grid_within
from benchstudio.tuning.domain.strategies.outcomes import Outcome

MAX_GRID_POINTS = 100_000


def point_key(point: Point) -> str:
    return value_key(point)


class GridSampler:
    """Hands out grid points one by one; `sample` limits it to that many, drawn by `seed`."""

    def __init__(self, space: SearchSpace, *, sample: int | None = None, seed: int = 0) -> None:
        if sample is not None and sample < 1:
            raise SpaceError("grid_sample", "a sampled grid needs at least one point")
        if sample is not None and grid_count(space) > MAX_GRID_POINTS:
            raise SpaceError(
                "grid_sample",
                f"a sampled grid draws from at most {MAX_GRID_POINTS:,} points: use random or "
                "Bayesian search, or coarser steps",
            )
        require_grid_within(space, MAX_GRID_POINTS)
        points = list(iter_grid(space))
        if sample is not None:
            random.Random(seed).shuffle(points)
            points = points[:sample]
        self.points = points
        self._keys = {point_key(point) for point in points}
        self._done: set[str] = set()
        self._queued: list[int] = []
        self._position = 0

    @property
    def size(self) -> int:
        return len(self.points)

    def enqueue(self, point: Point) -> bool:
        """Hand out this grid point next (False when it is not on the grid)."""
        key = point_key(point)
        if key not in self._keys:
            return False
        token = next(i for i, candidate in enumerate(self.points) if point_key(candidate) == key)
        self._queued.append(token)
        return True

    def suggest(self) -> tuple[int, Point] | None:
        while self._queued:
            token = self._queued.pop(0)
            if point_key(self.points[token]) not in self._done:
                self._done.add(point_key(self.points[token]))  # not handed out twice
                return token, dict(self.points[token])
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
