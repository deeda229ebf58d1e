"""The live runner's pieces with a fake adapter: requests, chains, failures, limits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from benchstudio.providers.base import (
    ChatRequest,
    ChatResponse,
    HealthStatus,
    ModelInfo,
    ServerError,
    StreamEvent,
    ToolCall,
    Usage,
)
from benchstudio.providers.retry import RetryPolicy
from benchstudio.toolcall.live.conversation import initial_messages, parse_tool_choice
from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.toolcall.live.runner import LiveEvalRunner, is_local_url, suite_uses_semantic
from benchstudio.toolcall.matching import SemanticScorerMissingError
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.schemas import Suite

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    },
}


def suite(**case: Any) -> Suite:
    base = {"id": "c1", "prompt": "find cats", "expected_calls": [
        {"name": "lookup", "arguments": {"q": {"acceptable": ["cats"]}}}]}  # fmt: skip
    return Suite.model_validate(
        {"name": "s", "system_prompt": "Be brief.", "tools": [TOOL], "cases": [{**base, **case}]}
    )


class FakeAdapter:
    """Answers each request with the next scripted reply (a response or an exception)."""

    protocol = "openai"

    def __init__(self, replies: list[ChatResponse | Exception]) -> None:
        self.replies = replies
        self.requests: list[ChatRequest] = []
        self.in_flight = 0
        self.peak = 0

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Exception):
            raise reply
        return reply

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:
        return []

    async def health_check(self) -> HealthStatus:
        return HealthStatus(ok=True, latency_ms=0.0)


def reply(*calls: tuple[str, str], content: str = "") -> ChatResponse:
    tool_calls = [ToolCall(id="", name=n, arguments=a, index=i) for i, (n, a) in enumerate(calls)]
    return ChatResponse(content, "", tool_calls, Usage(10, 5), "stop", 2_000_000)


async def run(s: Suite, adapter: FakeAdapter, **target: Any) -> list[Any]:
    runner = LiveEvalRunner(
        s,
        [EvalTarget(label="m", model="m", base_url="https://api.example.com/v1", **target)],
        get_profile("lenient"),
        lambda _: adapter,
        retry_policy=RetryPolicy(max_attempts=2, base_delay_s=0.001, jitter=0.0),
    )
    return [result async for result in runner.run()]


async def test_single_case_request_shape_and_scoring() -> None:
    adapter = FakeAdapter([reply(("lookup", '{"q": "cats"}'))])
    [result] = await run(suite(), adapter, temperature=0.1, tool_choice="required")
    sent = adapter.requests[0]
    assert sent.messages[0] == {"role": "system", "content": "Be brief."}
    assert sent.tool_choice == "required" and sent.temperature == 0.1 and not sent.stream
    assert sent.tools is not None and sent.tools[0]["function"]["name"] == "lookup"
    assert "source_name" not in sent.tools[0]
    assert result.passed and result.verdict.latency_ms == 2.0
    assert result.verdict.prompt_tokens == 10
    assert result.exchanges[0].response["tool_calls"][0]["id"] == "call_0_0"


async def test_server_errors_are_retried_then_recorded_as_api_errors() -> None:
    adapter = FakeAdapter([ServerError("boom", status=500)])
    [result] = await run(suite(), adapter)
    assert len(adapter.requests) == 2
    assert result.verdict.error_category == "api_error" and not result.passed
    assert result.exchanges[0].error_kind == "server" and result.exchanges[0].attempts == 2


async def test_unexpected_exceptions_are_failures_without_secrets() -> None:
    adapter = FakeAdapter([RuntimeError("bad thing with sk-secretkey-123456")])
    [result] = await run(suite(), adapter, api_key="sk-secretkey-123456")
    assert result.exchanges[0].error_kind == "internal"
    assert "sk-secretkey-123456" not in (result.exchanges[0].error or "")
    assert result.verdict.error_category == "api_error"


async def test_a_chain_that_never_stops_is_too_many_rounds() -> None:
    chain = {"multi_turn": {"max_rounds": 2}}
    adapter = FakeAdapter([reply(("lookup", '{"q": "cats"}'))])  # calls a tool every turn
    [result] = await run(suite(**chain), adapter)
    assert len(adapter.requests) == 3  # max_rounds + 1 turns, then stop
    assert result.verdict.error_category == "too_many_rounds"
    last = adapter.requests[-1].messages
    assert [m["role"] for m in last[-2:]] == ["assistant", "tool"]
    assert json.loads(last[-1]["content"]) == {"status": "ok"}  # the default mock result
    assert last[-2]["tool_calls"][0]["id"] == last[-1]["tool_call_id"] == "call_1_0"
    assert result.exchanges[1].response["tool_calls"][0]["id"] == "call_1_0"
    assert result.verdict.prompt_tokens == 30  # summed over turns


async def test_a_chain_failing_mid_way_is_an_api_error() -> None:
    adapter = FakeAdapter([reply(("lookup", '{"q": "cats"}')), ServerError("down", status=503)])
    [result] = await run(suite(multi_turn={"max_rounds": 3}), adapter)
    assert result.verdict.error_category == "api_error"
    assert result.transcript is not None and len(result.transcript.rounds) == 1


async def test_concurrency_limit_is_respected() -> None:
    cases = [{"id": f"c{i}", "prompt": "find cats"} for i in range(12)]
    many = Suite.model_validate({"name": "s", "tools": [TOOL], "cases": cases})
    adapter = FakeAdapter([reply(content="no")])
    results = await run(many, adapter, concurrency=3)
    assert len(results) == 12 and adapter.peak == 3


def test_semantic_suites_need_a_scorer() -> None:
    expectation = {"acceptable": ["cats"], "match": "semantic"}
    semantic = suite(expected_calls=[{"name": "lookup", "arguments": {"q": expectation}}])
    assert suite_uses_semantic(semantic) and not suite_uses_semantic(suite())
    target = EvalTarget(label="m", model="m", base_url="http://localhost:1/v1")
    with pytest.raises(SemanticScorerMissingError):
        LiveEvalRunner(semantic, [target], get_profile("lenient"), lambda _: FakeAdapter([]))
    LiveEvalRunner(semantic, [target], get_profile("bfcl"), lambda _: FakeAdapter([]))


def test_small_pieces() -> None:
    assert parse_tool_choice("required") == "required"
    assert parse_tool_choice("lookup") == {"type": "function", "function": {"name": "lookup"}}
    assert parse_tool_choice(None) is None
    assert is_local_url("http://localhost:8000/v1") and is_local_url("http://10.0.0.5/v1")
    assert not is_local_url("https://api.openai.com/v1")
    s = suite(prompt=None, messages=[{"role": "system", "content": "own"}, {"role": "user",
              "content": "hi"}])  # fmt: skip
    assert initial_messages(s, s.cases[0], None)[0]["content"] == "own"
    assert initial_messages(suite(), suite().cases[0], "mine")[0]["content"] == "mine"
