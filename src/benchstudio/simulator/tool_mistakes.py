"""Deliberate tool-calling mistakes at stated rates, deterministic per (seed, prompt, turn).

One uniform draw per decision picks at most one mistake: the rates are exclusive and add up to
at most 1. A mistake that cannot apply (a wrong tool when only one is offered, a missing
argument on a call without arguments, a wrong value with nothing to change) is not made.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from benchstudio.simulator.chat_request import ToolSpec
from benchstudio.simulator.textgen import request_rng
from benchstudio.simulator.tool_select import required_names, schema_properties

MistakeKind = Literal[
    "no_call", "wrong_tool", "missing_argument", "extra_argument", "wrong_argument"
]
MISTAKE_KINDS: tuple[MistakeKind, ...] = (
    "no_call",
    "wrong_tool",
    "missing_argument",
    "extra_argument",
    "wrong_argument",
)
EXTRA_ARGUMENT_NAME = "include_details"  # an invented argument no schema asked for


class MistakeRates(BaseModel):
    """Probability of each mistake per tool-calling decision (exclusive, sum <= 1)."""

    model_config = ConfigDict(extra="forbid")

    no_call: float = Field(default=0.0, ge=0.0, le=1.0)
    wrong_tool: float = Field(default=0.0, ge=0.0, le=1.0)
    missing_argument: float = Field(default=0.0, ge=0.0, le=1.0)
    extra_argument: float = Field(default=0.0, ge=0.0, le=1.0)
    wrong_argument: float = Field(default=0.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _at_most_one(self) -> MistakeRates:
        if self.total > 1.0 + 1e-9:
            raise ValueError(f"mistake rates add up to {self.total:g}; at most 1")
        return self

    @property
    def total(self) -> float:
        return float(sum(getattr(self, kind) for kind in MISTAKE_KINDS))


ACCURACY_PRESETS: dict[str, MistakeRates] = {
    "perfect": MistakeRates(),
    "accurate": MistakeRates(
        no_call=0.02,
        wrong_tool=0.02,
        missing_argument=0.02,
        extra_argument=0.02,
        wrong_argument=0.02,
    ),
    "sloppy": MistakeRates(
        no_call=0.08,
        wrong_tool=0.08,
        missing_argument=0.08,
        extra_argument=0.08,
        wrong_argument=0.08,
    ),
}


def draw_mistake(
    rates: MistakeRates, seed: int, prompt: str, turn: int, salt: str = ""
) -> MistakeKind | None:
    """The mistake (or None) for this decision: one uniform draw against cumulative rates.
    A `salt` (the tunable model's point and run) makes the draw independent of other ones."""
    parts = (prompt, str(turn), salt) if salt else (prompt, str(turn))
    draw = request_rng(seed, "tool-mistake", *parts).random()
    edge = 0.0
    for kind in MISTAKE_KINDS:
        edge += getattr(rates, kind)
        if draw < edge:
            return kind
    return None


Call = tuple[str, dict[str, Any]]


def apply_mistake(
    kind: MistakeKind,
    calls: list[Call],
    tools: Sequence[ToolSpec],
    refill: Callable[[ToolSpec], dict[str, Any]],
    seed: int,
) -> list[Call] | None:
    """`calls` with the mistake made on the first call; None when it cannot apply.
    `refill` fills arguments for another tool (for a wrong tool)."""
    if not calls:
        return None
    if kind == "no_call":
        return []
    name, arguments = calls[0]
    rest = calls[1:]
    if kind == "wrong_tool":
        names = [tool.name for tool in tools]
        others = [tool for tool in tools if tool.name != name]
        if not others:
            return None
        position = names.index(name) if name in names else -1
        other = next((t for t in tools[position + 1 :] if t.name != name), others[0])
        return [(other.name, refill(other)), *rest]
    spec = next((tool for tool in tools if tool.name == name), ToolSpec(name, {}))
    changed = copy.deepcopy(arguments)
    if kind == "missing_argument":
        if not changed:
            return None
        required = [key for key in required_names(spec.parameters) if key in changed]
        del changed[(required or list(changed))[0]]
    elif kind == "extra_argument":
        key = EXTRA_ARGUMENT_NAME
        while key in changed or key in schema_properties(spec.parameters):
            key = "_" + key
        changed[key] = True
    elif not _change_one(changed, schema_properties(spec.parameters), random.Random(seed)):
        return None
    return [(name, changed), *rest]


def _change_one(
    arguments: dict[str, Any], properties: dict[str, dict[str, Any]], rng: random.Random
) -> bool:
    for key, value in arguments.items():
        schema = properties.get(key, {})
        new = _other_value(value, schema, rng)
        if new is not None and new != value:
            arguments[key] = new
            return True
    return False


def _other_value(value: Any, schema: dict[str, Any], rng: random.Random) -> Any:
    members = schema.get("enum")
    if isinstance(members, list) and len(members) > 1 and value in members:
        return members[(members.index(value) + 1) % len(members)]
    if isinstance(members, list) and members:
        return None  # the only member: nothing else is allowed
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        high = schema.get("maximum")
        return value - 1 if isinstance(high, int | float) and value + 1 > high else value + 1
    if isinstance(value, float):
        return round(value * 1.5 + 1.0, 2)
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value + "-x" if value else "x"
        return (day + dt.timedelta(days=1 + rng.randrange(3))).isoformat()
    if isinstance(value, dict):
        nested = copy.deepcopy(value)
        return nested if _change_one(nested, schema_properties(schema), rng) else None
    if isinstance(value, list) and value:
        return value[1:]
    return None
