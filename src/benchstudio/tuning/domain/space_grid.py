"""The full grid of a search space: its size first (cheap, so a huge grid can be refused or
sampled before anything is enumerated), then the points themselves.

Conditional dimensions count only where active: a grid over `reasoning_effort` (3 values,
active only when `mode` is "think") and `mode` ("think" or "plain") has 3 + 1 = 4 points,
not 6. Only choice dimensions control others, so the count walks their values alone and
multiplies the sizes of everything else.
"""

from __future__ import annotations

from collections.abc import Iterator

from benchstudio.tuning.domain.space import (
    Dimension,
    Point,
    SearchSpace,
    SpaceError,
    check_shape,
    is_active,
    ordered,
)


def _controllers(space: SearchSpace) -> set[str]:
    return {
        d.condition.param
        for d in space.dimensions
        if d.condition is not None and d.condition.param is not None
    }


def _require_steps(space: SearchSpace) -> None:
    for dimension in space.dimensions:
        if dimension.kind == "range" and dimension.grid_step() is None:
            raise SpaceError(dimension.name, "a grid needs a step for this range")


def grid_count(space: SearchSpace) -> int:
    """How many distinct points `iter_grid` yields (before any registry deduplication)."""
    check_shape(space)
    _require_steps(space)
    order = ordered(space)
    controllers = _controllers(space)
    sizes = {d.name: d.grid_size() for d in order}

    def count(index: int, assigned: Point) -> int:
        if index == len(order):
            return 1
        dimension = order[index]
        if not is_active(dimension, assigned):
            return count(index + 1, assigned)
        if dimension.name in controllers:
            return sum(
                count(index + 1, {**assigned, dimension.name: value})
                for value in dimension.grid_values()
            )
        return sizes[dimension.name] * count(index + 1, assigned)

    return count(0, {})


def iter_grid(space: SearchSpace) -> Iterator[Point]:
    """Every point of the grid, in a stable order (the first dimension varies slowest).
    Inactive conditional dimensions put no key in a point."""
    check_shape(space)
    _require_steps(space)
    order = ordered(space)
    names = space.names()
    values = {d.name: d.grid_values() for d in order}

    def walk(index: int, assigned: Point) -> Iterator[Point]:
        if index == len(order):
            yield {name: assigned[name] for name in names if name in assigned}
            return
        dimension: Dimension = order[index]
        if not is_active(dimension, assigned):
            yield from walk(index + 1, assigned)
            return
        for value in values[dimension.name]:
            yield from walk(index + 1, {**assigned, dimension.name: value})

    yield from walk(0, {})


def require_grid_within(space: SearchSpace, limit: int) -> int:
    """The grid's size, or a clear refusal when it exceeds `limit` (sample it instead)."""
    size = grid_count(space)
    if size > limit:
        raise SpaceError(
            "space",
            f"the full grid has {size} points, more than the {limit} allowed: "
            "use a sampled grid, random or Bayesian search, or coarser steps",
        )
    return size
