"""The full grid: its size before enumerating (conditional dimensions counted only where
active), the points themselves, and the refusal of a grid too big to run."""

from __future__ import annotations

import pytest

from benchstudio.tuning.domain.space import (
    ChoiceDimension,
    Condition,
    RangeDimension,
    SearchSpace,
    SpaceError,
)
from benchstudio.tuning.domain.space_grid import grid_count, iter_grid, require_grid_within


def test_a_plain_grid_is_the_product_of_the_sizes() -> None:
    space = SearchSpace(
        (
            RangeDimension("temperature", 0.0, 1.0, step=0.5),  # 0, 0.5, 1
            ChoiceDimension("top_k", (20, 40)),
        )
    )
    assert grid_count(space) == 6
    assert list(iter_grid(space)) == [
        {"temperature": 0.0, "top_k": 20},
        {"temperature": 0.0, "top_k": 40},
        {"temperature": 0.5, "top_k": 20},
        {"temperature": 0.5, "top_k": 40},
        {"temperature": 1.0, "top_k": 20},
        {"temperature": 1.0, "top_k": 40},
    ]


def test_conditional_dimensions_count_only_where_active() -> None:
    space = SearchSpace(
        (
            ChoiceDimension("mode", ("think", "plain")),
            ChoiceDimension(
                "reasoning_effort", ("low", "medium", "high"), Condition("mode", ("think",))
            ),
            RangeDimension("top_p", 0.8, 1.0, step=0.1),  # 0.8, 0.9, 1.0
        )
    )
    # think: 3 efforts x 3 top_p = 9; plain: 3 top_p = 3.
    assert grid_count(space) == 12
    points = list(iter_grid(space))
    assert len(points) == 12
    assert {"mode": "plain", "top_p": 0.9} in points
    assert all("reasoning_effort" not in p for p in points if p["mode"] == "plain")
    assert sum(1 for p in points if p.get("reasoning_effort") == "high") == 3


def test_a_chain_of_conditions() -> None:
    space = SearchSpace(
        (
            ChoiceDimension("a", ("on", "off")),
            ChoiceDimension("b", ("x", "y"), Condition("a", ("on",))),
            ChoiceDimension("c", (1, 2, 3), Condition("b", ("y",))),
        )
    )
    # off: 1; on+x: 1; on+y: 3.
    assert grid_count(space) == 5
    assert list(iter_grid(space)) == [
        {"a": "on", "b": "x"},
        {"a": "on", "b": "y", "c": 1},
        {"a": "on", "b": "y", "c": 2},
        {"a": "on", "b": "y", "c": 3},
        {"a": "off"},
    ]


def test_noiseless_grid_hits_the_exact_optimum() -> None:
    space = SearchSpace(
        (
            RangeDimension("temperature", 0.0, 2.0, step=0.1),
            RangeDimension("top_p", 0.5, 1.0, step=0.05),
        )
    )

    def surface(point: dict[str, float]) -> float:
        return -((point["temperature"] - 0.7) ** 2) - (point["top_p"] - 0.85) ** 2

    best = max(iter_grid(space), key=surface)
    assert best == {"temperature": 0.7, "top_p": 0.85}


def test_a_range_without_step_has_no_grid() -> None:
    space = SearchSpace((RangeDimension("temperature", 0.0, 1.0),))
    with pytest.raises(SpaceError, match="a grid needs a step"):
        grid_count(space)


def test_a_huge_grid_is_refused_before_enumeration() -> None:
    dims = tuple(RangeDimension(f"p{i}", 0.0, 1.0, step=0.01) for i in range(6))  # 101^6
    space = SearchSpace(dims)
    assert grid_count(space) == 101**6
    with pytest.raises(SpaceError) as caught:
        require_grid_within(space, 10_000)
    assert "the full grid has 1061520150601 points, more than the 10000 allowed" in str(
        caught.value
    )
    small = SearchSpace((ChoiceDimension("top_k", (20, 40)),))
    assert require_grid_within(small, 10) == 2
