"""A step measured over more than one job attempt: what each attempt stored, never dropped.

A resumed profile step continues (only the run indices not yet stored are sent); a resumed load
step is measured again and the earlier attempt's rows stay stored, marked superseded. Either
way the step's metadata lists every attempt, and a continued step's window adds the earlier
attempt's part to the new one, so its rates are over every request it counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class StoredPart:
    """Rows one earlier attempt stored for a step that did not finish."""

    attempt: int | None  # None: rows stored before attempts were recorded
    rows: int
    superseded: bool
    e2e_ms: float  # kept measured rows: their requests ran one after another


@dataclass(frozen=True, slots=True)
class CarriedStep:
    """What a resumed attempt carries over for one unfinished step."""

    parts: tuple[StoredPart, ...]

    @property
    def wall_s(self) -> float:
        """The earlier attempts' share of a continued (profile) step's window; their own
        window was never closed, so it is the kept requests' durations added up."""
        return sum(p.e2e_ms for p in self.parts if not p.superseded) / 1000.0


def carried_steps(parts: Sequence[tuple[str, StoredPart]]) -> dict[str, CarriedStep]:
    grouped: dict[str, list[StoredPart]] = {}
    for step, part in parts:
        grouped.setdefault(step, []).append(part)
    return {step: CarriedStep(tuple(found)) for step, found in grouped.items()}


def with_attempts(
    meta: Mapping[str, Any], carried: CarriedStep, *, attempt: int, rows: int
) -> dict[str, Any]:
    """A step's metadata as the attempt that finished it reports it, with every attempt listed:
    `attempts: [{attempt, rows, superseded, wall_s?, diagnostics?}]` (the last one is this)."""
    wall_s = float(meta.get("wall_s") or 0.0)
    earlier = [
        {"attempt": p.attempt, "rows": p.rows, "superseded": p.superseded} for p in carried.parts
    ]
    this = {
        "attempt": attempt,
        "rows": rows,
        "superseded": False,
        "wall_s": wall_s,
        "diagnostics": meta.get("diagnostics") or {},
    }
    return {**meta, "wall_s": round(wall_s + carried.wall_s, 4), "attempts": [*earlier, this]}
