"""Tool-calling scripts: pick a scripted reply by matching the prompt or conversation state."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from benchstudio.simulator.chat_request import ChatRequest, ToolSpec
from benchstudio.simulator.config import ToolCallSpec, ToolRule
from benchstudio.simulator.tool_policy import ToolPolicyConfig, decide

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(slots=True)
class ScriptedCall:
    name: str
    arguments: str  # JSON text exactly as the model "writes" it (may be malformed)


@dataclass(slots=True)
class ScriptedReply:
    """What the model says: fixed text (None = generated words) and/or tool calls."""

    text: str | None = None
    calls: list[ScriptedCall] = field(default_factory=list)
    embed_in_text: bool = False
    mistake: str | None = None  # the tool policy's deliberate mistake, if it made one


def _rule_groups(rule: ToolRule, request: ChatRequest) -> dict[str, str] | None:
    """Named groups of the prompt regex if every condition of `rule` holds, else None."""
    cond = rule.match
    if cond.last_role is not None and cond.last_role != request.last_role:
        return None
    if cond.tool_results is not None and cond.tool_results != request.tool_results:
        return None
    if cond.tool_offered is not None and all(t.name != cond.tool_offered for t in request.tools):
        return None
    if cond.any_text is not None and not re.search(cond.any_text, request.all_text, re.S):
        return None
    if cond.prompt is None:
        return {}
    found = re.search(cond.prompt, request.last_user_text, re.S | re.I)
    if found is None:
        return None
    return {key: value or "" for key, value in found.groupdict().items()}


def _substitute(value: Any, groups: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: groups.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_substitute(item, groups) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, groups) for key, item in value.items()}
    return value


def _scripted_call(spec: ToolCallSpec, groups: dict[str, str]) -> ScriptedCall:
    if spec.arguments_raw is not None:
        return ScriptedCall(spec.name, spec.arguments_raw)
    return ScriptedCall(spec.name, json.dumps(_substitute(spec.arguments, groups)))


def _placeholder_value(schema: dict[str, Any]) -> Any:
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    defaults: dict[str, Any] = {
        "string": "example",
        "integer": 1,
        "number": 1.0,
        "boolean": True,
        "array": [],
        "object": {},
    }
    return defaults.get(kind if isinstance(kind, str) else "string", "example")


def arguments_from_schema(tool: ToolSpec) -> str:
    """Arguments filling every required property with a plain value of its type."""
    properties = tool.parameters.get("properties") or {}
    required = tool.parameters.get("required") or []
    arguments = {
        name: _placeholder_value(properties.get(name) or {})
        for name in required
        if isinstance(name, str)
    }
    return json.dumps(arguments)


def resolve_reply(
    request: ChatRequest,
    script: list[ToolRule],
    policy: ToolPolicyConfig | None = None,
    seed: int = 0,
) -> ScriptedReply:
    """The first matching rule's reply; else the tool policy's decision when one is set;
    otherwise honour a forcing tool_choice; else text."""
    for rule in script:
        groups = _rule_groups(rule, request)
        if groups is None:
            continue
        text = _substitute(rule.text, groups) if rule.text is not None else None
        calls = [_scripted_call(spec, groups) for spec in rule.tool_calls]
        return ScriptedReply(text=text, calls=calls, embed_in_text=rule.embed_in_text)
    if policy is not None:
        decision = decide(request, policy, seed)
        return ScriptedReply(
            text=decision.text,
            calls=[ScriptedCall(name, json.dumps(args)) for name, args in decision.calls],
            mistake=decision.mistake,
        )
    if request.tool_choice == "required" and request.tools:
        forced = next((t for t in request.tools if t.name == request.forced_tool), None)
        tool = forced or request.tools[0]
        return ScriptedReply(calls=[ScriptedCall(tool.name, arguments_from_schema(tool))])
    return ScriptedReply()


def embedded_call_text(calls: list[ScriptedCall]) -> str:
    """Calls written inside the answer text, Hermes style, for models without native calls."""
    rendered = [f'{{"name": {json.dumps(c.name)}, "arguments": {c.arguments}}}' for c in calls]
    return "".join(f"<tool_call>\n{body}\n</tool_call>" for body in rendered)
