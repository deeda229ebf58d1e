"""Small search spaces and surfaces for the strategy tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchstudio.tuning.domain.strategies.dimensions import DimensionKind, ParamValue, Point


@dataclass(frozen=True)
class Condition:
    parameter: str
    values: Sequence[ParamValue]


@dataclass(frozen=True)
class Dim:
    name: str
    kind: DimensionKind = "float"
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: Sequence[ParamValue] | None = None
    condition: Condition | None = None


TEMPERATURE = Dim("temperature", low=0.0, high=2.0, step=0.1)
TOP_P = Dim("top_p", low=0.0, high=1.0, step=0.05)
OPTIMUM: Point = {"temperature": 0.3, "top_p": 0.8}


def peaked(point: Point) -> float:
    """Noiseless 2-D surface: 0.95 at OPTIMUM, down by 0.4 and 1.5 per squared unit."""
    temperature = float(point["temperature"])
    top_p = float(point.get("top_p", 0.8))
    return 0.95 - 0.4 * (temperature - 0.3) ** 2 - 1.5 * (top_p - 0.8) ** 2
