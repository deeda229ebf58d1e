"""The response plan: which tokens a request gets and when each one is due.

Token offsets are seconds after the moment the full request was read; the streaming driver adds
them to that absolute loop time, so a slow consumer never shifts the schedule.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from benchstudio.simulator.chat_request import ChatRequest
from benchstudio.simulator.config import ModelProfile
from benchstudio.simulator.textgen import (
    CHARS_PER_TOKEN,
    generate_words,
    split_text_tokens,
)
from benchstudio.simulator.tool_script import ScriptedReply, embedded_call_text, resolve_reply


@dataclass(slots=True)
class PlannedCall:
    call_id: str  # hex suffix; each wire format adds its own prefix (call_, toolu_)
    name: str
    arguments: str  # JSON text as sent (possibly malformed)
    fragments: list[str]  # argument pieces as streamed, one token each

    @property
    def valid_json(self) -> bool:
        try:
            json.loads(self.arguments)
        except ValueError:
            return False
        return True

    @property
    def token_count(self) -> int:
        return 1 + len(self.fragments)  # the name counts as one token


@dataclass(slots=True)
class ResponsePlan:
    reasoning: list[str]
    content: list[str]
    calls: list[PlannedCall]
    finish: str  # stop | length | tool_calls (each format maps it to its own words)
    prompt_tokens: int
    offsets: list[float] = field(default_factory=list)  # one per token, in stream order
    first_offset: float = 0.0  # TTFT (+ prefill): when the first token is (or would be) due
    prefill: float = 0.0  # the prompt's prefill share of first_offset (s)
    tool_mistake: str | None = None
    tokens_per_chunk: int = 1

    @property
    def reasoning_tokens(self) -> int:
        return len(self.reasoning)

    @property
    def output_tokens(self) -> int:
        calls = sum(call.token_count for call in self.calls)
        return len(self.reasoning) + len(self.content) + calls

    @property
    def content_text(self) -> str:
        return "".join(self.content)

    @property
    def reasoning_text(self) -> str:
        return "".join(self.reasoning)

    @property
    def end_offset(self) -> float:
        return self.offsets[-1] if self.offsets else self.first_offset


def _fragments(arguments: str) -> list[str]:
    step = CHARS_PER_TOKEN
    return [arguments[i : i + step] for i in range(0, len(arguments), step)] or [""]


def prefill_seconds(profile: ModelProfile, prompt_tokens: int) -> float:
    """The prompt's prefill cost: `prefill_ms_per_1k_tokens` per 1,000 prompt tokens."""
    return profile.prefill_ms_per_1k_tokens * prompt_tokens / 1_000_000.0


def _schedule(
    profile: ModelProfile, prompt_tokens: int, count: int, rng: random.Random
) -> tuple[float, list[float]]:
    """TTFT (+ prefill) and the offsets (s) of `count` tokens: TTFT then one ITL per token."""
    jitter = profile.jitter_ms
    ttft_ms = profile.ttft_ms + profile.prefill_ms_per_1k_tokens * prompt_tokens / 1000.0
    if jitter:
        ttft_ms = max(0.0, ttft_ms + rng.uniform(-jitter, jitter))
    offsets: list[float] = []
    at_ms = ttft_ms
    for index in range(count):
        if index:
            gap = profile.itl_ms + (rng.uniform(-jitter, jitter) if jitter else 0.0)
            at_ms += max(0.0, gap)
        offsets.append(at_ms / 1000.0)
    return ttft_ms / 1000.0, offsets


def build_plan(
    request: ChatRequest,
    profile: ModelProfile,
    rng: random.Random,
    tokens_per_chunk: int,
    scripted: ScriptedReply | None = None,
) -> ResponsePlan:
    """Decide the reply (`scripted`, e.g. the scripted judge's, else the model's script or
    generated text), cap it at max_tokens, and time it."""
    reply = scripted or resolve_reply(
        request, profile.tool_script, profile.tool_policy, profile.seed
    )
    reasoning = generate_words(rng, profile.reasoning_tokens)
    if reply.text is not None:
        text = reply.text
    elif reply.calls:
        text = ""
    else:
        text = "".join(generate_words(rng, profile.output_tokens.sample(rng)))
    calls_in_text = reply.embed_in_text and reply.calls
    if calls_in_text:
        text += embedded_call_text(reply.calls)
    content = split_text_tokens(text)
    calls = [] if calls_in_text else reply.calls
    planned = [
        PlannedCall(
            f"{rng.getrandbits(96):024x}", call.name, call.arguments, _fragments(call.arguments)
        )
        for call in calls
    ]
    finish = "tool_calls" if planned else "stop"
    cap = request.max_tokens
    if (
        cap is not None
        and len(reasoning) + len(content) + sum(c.token_count for c in planned) > cap
    ):
        reasoning = reasoning[:cap]
        content = content[: max(0, cap - len(reasoning))]
        planned = []
        finish = "length"
    plan = ResponsePlan(reasoning, content, planned, finish, request.prompt_tokens)
    plan.tokens_per_chunk = tokens_per_chunk
    plan.tool_mistake = reply.mistake
    plan.prefill = prefill_seconds(profile, request.prompt_tokens)
    plan.first_offset, plan.offsets = _schedule(
        profile, request.prompt_tokens, plan.output_tokens, rng
    )
    return plan
