"""Small search spaces and a peaked surface for the strategy tests."""

from __future__ import annotations

from benchstudio.tuning.domain.space import Point, RangeDimension, SearchSpace

TEMPERATURE = RangeDimension("temperature", 0.0, 2.0, step=0.1)
TOP_P = RangeDimension("top_p", 0.0, 1.0, step=0.05)
PLANE = SearchSpace((TEMPERATURE, TOP_P))
CONTINUOUS = SearchSpace(
    (RangeDimension("temperature", 0.0, 2.0), RangeDimension("top_p", 0.0, 1.0))
)
OPTIMUM: Point = {"temperature": 0.3, "top_p": 0.8}


def space(*dimensions: RangeDimension) -> SearchSpace:
    return SearchSpace(tuple(dimensions))


def peaked(point: Point) -> float:
    """Noiseless 2-D surface: 0.95 at OPTIMUM, down by 0.4 and 1.5 per squared unit."""
    temperature = float(point["temperature"])
    top_p = float(point.get("top_p", 0.8))
    return 0.95 - 0.4 * (temperature - 0.3) ** 2 - 1.5 * (top_p - 0.8) ** 2
