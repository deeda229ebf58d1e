"""A model that calls any offered tool: selection, arguments, chains, text, and mistakes.

Pure: a request in, a decision out (no I/O, no clock). Used after a profile's scripted rules,
when its `tool_policy` is set. The tunable model (`tunable.py`) takes its mistake rates from
the request's sampling parameters.

- `tool_choice: none` or no tools: text. A named function: that tool only, always called.
  `required`: the best tool even below the threshold.
- First turn: the best-scoring tool (`tool_select`) with arguments from the prompt
  (`tool_args`). With parallel calls allowed, several clauses naming different tools ("weather
  in Paris and convert 10 USD to EUR") give one call each, and several values for one tool's
  first argument ("Tokyo and Osaka") give one call per value. A chain ("... then book it")
  calls its first tool only.
- After a tool result: the next tool of the prompt not yet called (arguments from the prompt,
  and from result fields named like its properties), else a text summary of the result.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.simulator.chat_request import ChatRequest, ToolSpec
from benchstudio.simulator.tool_args import Filler, fill_arguments
from benchstudio.simulator.tool_mistakes import (
    ACCURACY_PRESETS,
    Call,
    MistakeKind,
    MistakeRates,
    apply_mistake,
    draw_mistake,
)
from benchstudio.simulator.tool_select import (
    DEFAULT_THRESHOLD,
    best_tool,
    required_names,
    schema_properties,
    score_tools,
    tools_per_clause,
)
from benchstudio.simulator.tunable import TunableAccuracy

Accuracy = Literal["perfect", "accurate", "sloppy"]
_CHAIN = re.compile(
    r"\b(then|after that|afterwards|first one|the result|that one|the cheapest|it)\b", re.I
)
_JOIN = re.compile(r"^\s*(?:,|and|or|&|,\s*and|,\s*or)\s*(?:(?:in|at|for|of|from|to)\s+)?$", re.I)
SUMMARY_LIMIT = 300


class ToolPolicyConfig(BaseModel):
    """How a simulated model calls tools nobody scripted. Rates: see ACCURACY_PRESETS."""

    model_config = ConfigDict(extra="forbid")

    accuracy: Accuracy = "accurate"
    mistakes: MistakeRates | None = Field(
        default=None, description="explicit mistake rates; override `accuracy`"
    )
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.0)
    parallel: bool = Field(default=True, description="may emit several calls in one turn")
    tunable: TunableAccuracy | None = Field(
        default=None, description="accuracy from the sampling parameters; overrides the rest"
    )

    def rates(self) -> MistakeRates:
        return self.mistakes if self.mistakes is not None else ACCURACY_PRESETS[self.accuracy]

    def request_rates(self, request: ChatRequest, seed: int) -> tuple[MistakeRates, str]:
        """This request's mistake rates and the salt of its draw (tunable models only)."""
        if self.tunable is None:
            return self.rates(), ""
        tunable = self.tunable
        rates = tunable.rates(request.sampling, seed, request.seed)
        return rates, tunable.draw_key(request.sampling, request.seed)


@dataclass(slots=True)
class Decision:
    """Tool calls (name, arguments) or a text answer (None = generated words)."""

    calls: list[Call] = field(default_factory=list)
    text: str | None = None
    mistake: MistakeKind | None = None


def decide(request: ChatRequest, config: ToolPolicyConfig, seed: int) -> Decision:
    tools = request.tools
    if request.forced_tool is not None:
        tools = [tool for tool in tools if tool.name == request.forced_tool] or tools
    if not tools or request.tool_choice == "none":
        return Decision()
    prompt = request.last_user_text
    parallel = config.parallel and request.parallel_tool_calls
    if request.last_role == "tool":
        following = _next_in_chain(request, tools, config.threshold)
        if following is None:
            return Decision(text=summary(request.last_tool_result))
        calls = [following]
    elif request.last_role != "user":
        return Decision()
    else:
        calls = plan_calls(prompt, tools, config.threshold, parallel)
    forced = request.tool_choice == "required"
    if not calls and forced:
        best = score_tools(prompt, tools)[0].tool
        calls = [(best.name, fill_arguments(prompt, best.parameters)[0])]
    if not calls:
        return Decision()
    rates, salt = config.request_rates(request, seed)
    kind = draw_mistake(rates, seed, prompt, request.tool_results, salt)
    if kind is None or (kind == "no_call" and forced):
        return Decision(calls=calls)
    changed = apply_mistake(
        kind, calls, tools, lambda tool: fill_arguments(prompt, tool.parameters)[0], seed
    )
    if changed is None:
        return Decision(calls=calls)
    return Decision(calls=changed, mistake=kind)


def plan_calls(prompt: str, tools: list[ToolSpec], threshold: float, parallel: bool) -> list[Call]:
    """The first turn's calls (see the module doc); [] when no tool fits."""
    per_clause = tools_per_clause(prompt, tools, threshold)
    if len(per_clause) >= 2 and (_CHAIN.search(prompt) or not parallel):
        tool = per_clause[0][0]
        return [(tool.name, fill_arguments(prompt, tool.parameters)[0])]
    if len(per_clause) >= 2:
        return [
            (tool.name, fill_arguments(clause, tool.parameters)[0]) for tool, clause in per_clause
        ]
    best = best_tool(prompt, tools, threshold)
    if best is None:
        return []
    arguments, filler = fill_arguments(prompt, best.tool.parameters)
    calls: list[Call] = [(best.tool.name, arguments)]
    if parallel:
        calls.extend(
            (best.tool.name, variant) for variant in _variants(arguments, filler, best.tool)
        )
    return calls


def _variants(
    arguments: dict[str, Any], filler: Filler, tool: ToolSpec
) -> Iterator[dict[str, Any]]:
    """One more argument set per further value joined to the first argument's ("A and B")."""
    key = next((name for name in required_names(tool.parameters) if name in filler.sources), None)
    if key is None:
        return
    index = filler.sources[key]
    values = filler.values
    for other in range(index + 1, len(values)):
        previous = values[other - 1]
        if values[other].kind != values[index].kind or other in filler.used:
            break
        if not _JOIN.match(filler.prompt[previous.end : values[other].start]):
            break
        yield {**arguments, key: values[other].value}


def _planned_tools(
    prompt: str, tools: list[ToolSpec], threshold: float
) -> list[tuple[ToolSpec, str]]:
    per_clause = tools_per_clause(prompt, tools, threshold)
    if per_clause:
        return per_clause
    best = best_tool(prompt, tools, threshold)
    return [(best.tool, prompt)] if best is not None else []


def _next_in_chain(request: ChatRequest, tools: list[ToolSpec], threshold: float) -> Call | None:
    called = set(request.called_tools)
    planned = _planned_tools(request.last_user_text, tools, threshold)
    following = next((pair for pair in planned if pair[0].name not in called), None)
    if following is None:
        return None
    tool, clause = following
    found = result_fields(request.last_tool_result)
    from_result: dict[str, Any] = {}
    for name in schema_properties(tool.parameters):
        short = name.rsplit("_", 1)[-1]
        for candidate in (name, short):
            if candidate in found:
                from_result[name] = found[candidate]
                break
    arguments, _filler = fill_arguments(clause, tool.parameters)
    return tool.name, {**arguments, **from_result}


def result_fields(text: str) -> dict[str, Any]:
    """The first scalar value of each key in a JSON tool result (depth first)."""
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    fields: dict[str, Any] = {}
    stack: list[Any] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, dict | list):
                    stack.append(value)
                else:
                    fields.setdefault(str(key), value)
        elif isinstance(item, list):
            stack.extend(item)
    return fields


def summary(result: str) -> str:
    """A text answer built from the latest tool result."""
    compact = " ".join(result.split())
    if len(compact) > SUMMARY_LIMIT:
        compact = compact[: SUMMARY_LIMIT - 1] + "…"
    return f"Here is what I found: {compact}" if compact else "Done."
