"""Adapters against the built-in simulator: every quirk and fault, joined with its timing log.

Checks counts and order of events (never timings) by joining adapter events with the
simulator's log record for the same X-Request-Id.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.providers.base import ChatRequest, ProviderAdapter, StreamEvent
from benchstudio.providers.errors import (
    AuthError,
    ContextOverflowError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
    ServerError,
)
from benchstudio.providers.factory import create_adapter
from benchstudio.providers.openai_compat import OpenAICompatAdapter
from benchstudio.providers.transport import EgressBlockedError
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

PROTOCOLS = ("openai", "anthropic", "gemini")
SIM_TO_ADAPTER_KIND = {"content": "content", "reasoning": "reasoning", "tool": "tool_call_delta"}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.2, output_tokens=6, reasoning_tokens=2),
        models=[
            ModelProfile.model_validate(
                {
                    "name": "tooly",
                    "ttft_ms": 1,
                    "itl_ms": 0.2,
                    "tool_script": [
                        {
                            "match": {"prompt": r"weather in (?P<city>\w+)"},
                            "tool_calls": [
                                {"name": "get_weather", "arguments": {"city": "${city}"}}
                            ],
                        },
                        {
                            "match": {"prompt": "two"},
                            "tool_calls": [
                                {"name": "get_weather", "arguments": {"city": "A"}},
                                {"name": "get_weather", "arguments": {"city": "B"}},
                            ],
                        },
                    ],
                }
            ),
            ModelProfile.model_validate({"name": "tiny", "context_window": 20}),
            ModelProfile.model_validate({"name": "locked", "require_key": "right-key-123456"}),
        ],
    )
    async with SimulatorServer(config) as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with create_egress_session(EgressPolicy.from_allow_list("dev")) as egress:
        yield egress


def adapter(
    sim: SimulatorServer,
    session: aiohttp.ClientSession,
    protocol: str,
    fault: str | None = None,
    quirk: str | None = None,
    key: str | None = "k",
) -> ProviderAdapter:
    headers = {}
    if fault:
        headers["X-Sim-Fault"] = fault
    if quirk:
        headers["X-Sim-Quirk"] = quirk
    base = sim.base_url + ("/v1" if protocol == "openai" else "")
    return create_adapter(protocol, base, key, session=session, extra_headers=headers)


def request(model: str = "m", prompt: str = "hello", **kwargs: Any) -> ChatRequest:
    return ChatRequest(model, [{"role": "user", "content": prompt}], **kwargs)


async def run(stream: AsyncIterator[StreamEvent]) -> tuple[list[StreamEvent], ProviderError | None]:
    events: list[StreamEvent] = []
    try:
        async for event in stream:
            events.append(event)
    except ProviderError as exc:
        return events, exc
    return events, None


def token_kinds(events: list[StreamEvent]) -> list[str]:
    return [e.kind for e in events if e.kind in ("content", "reasoning", "tool_call_delta")]


def sim_token_kinds(record: dict[str, Any]) -> list[str]:
    return [
        SIM_TO_ADAPTER_KIND[e["kind"]] for e in record["events"] if e["kind"] in SIM_TO_ADAPTER_KIND
    ]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_stream_joins_the_timing_log_event_for_event(
    sim: SimulatorServer, session: aiohttp.ClientSession, protocol: str
) -> None:
    req = request()
    events, error = await run(adapter(sim, session, protocol).stream(req))
    assert error is None
    record = sim.find_request(req.request_id)
    assert record is not None, "X-Request-Id must key the simulator's log"
    kinds = token_kinds(events)
    if protocol == "gemini":  # Gemini hides thoughts unless asked: count content only
        kinds = [k for k in kinds if k == "content"]
    assert kinds == [k for k in sim_token_kinds(record) if protocol != "gemini" or k == "content"]
    assert [e.kind for e in events[:2]] == ["sent", "first_byte"]
    assert events[-1].kind == "finish"
    usage = next(e.usage for e in events if e.kind == "usage")
    assert usage is not None
    assert usage.output_tokens == record["output_tokens"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_tool_calls_stream_and_complete(
    sim: SimulatorServer, session: aiohttp.ClientSession, protocol: str
) -> None:
    prompt_adapter = adapter(sim, session, protocol)
    req = request("tooly", "what is the weather in Paris", tools=TOOLS)
    events, error = await run(prompt_adapter.stream(req))
    assert error is None
    deltas = [e for e in events if e.kind == "tool_call_delta"]
    assert deltas[0].tool_name == "get_weather"
    assert json.loads("".join(d.text for d in deltas)) == {"city": "Paris"}
    assert events[-1].finish_reason == "tool_calls"
    response = await prompt_adapter.complete(
        request("tooly", "please do two", tools=TOOLS, stream=False)
    )
    assert [json.loads(c.arguments) for c in response.tool_calls] == [{"city": "A"}, {"city": "B"}]
    assert response.finish_reason == "tool_calls"


@pytest.mark.parametrize(
    ("quirk", "check"),
    [
        ("sse_comments", "same"),
        ("multiline_data", "same"),
        ("reasoning_field", "same"),
        ("no_role_chunk", "same"),
        ("multi_token_chunks;tokens=3", "fewer"),
        ("no_usage", "no_usage"),
        ("reject_stream_options", "no_usage"),  # retried without it,
    ],
)
async def test_openai_quirks_are_tolerated(
    sim: SimulatorServer, session: aiohttp.ClientSession, quirk: str, check: str
) -> None:
    OpenAICompatAdapter._rejects_stream_options.clear()
    req = request()
    events, error = await run(adapter(sim, session, "openai", quirk=quirk).stream(req))
    assert error is None, error
    record = sim.find_request(req.request_id)
    assert record is not None
    assert token_kinds(events) == sim_token_kinds(record)
    text = "".join(e.text for e in events if e.kind == "content")
    assert len(text.split()) == 6  # every generated word arrived, however it was chunked
    if check == "fewer":
        assert len([e for e in events if e.kind == "content"]) < 6
    has_usage = any(e.kind == "usage" for e in events)
    assert has_usage is (check != "no_usage")
    OpenAICompatAdapter._rejects_stream_options.clear()


async def test_rejected_stream_options_is_remembered_per_endpoint(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    OpenAICompatAdapter._rejects_stream_options.clear()
    quirky = adapter(sim, session, "openai", quirk="reject_stream_options")
    await run(quirky.stream(request()))
    await run(quirky.stream(request()))
    statuses = [r["status"] for r in sim.request_log()]
    assert statuses == [400, 200, 200]  # one rejection, then never sent again
    OpenAICompatAdapter._rejects_stream_options.clear()


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("fault", "error_type"),
    [
        ("rate_limit;retry_after=2", RateLimitedError),
        ("server_error", ServerError),
        ("unavailable", ServerError),
        ("context_length", ContextOverflowError),
    ],
)
async def test_http_faults_map_to_the_error_tree(
    sim: SimulatorServer,
    session: aiohttp.ClientSession,
    protocol: str,
    fault: str,
    error_type: type[ProviderError],
) -> None:
    events, error = await run(adapter(sim, session, protocol, fault=fault).stream(request()))
    assert events == []
    assert isinstance(error, error_type), error
    if isinstance(error, RateLimitedError):
        assert error.retry_after == 2.0


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    ("directive", "error_type"),
    [
        ("fault:disconnect;after_events=3", ProviderConnectionError),
        ("fault:malformed_chunk;at_event=3", ProviderConnectionError),
        ("quirk:error_in_stream;after_events=3", ServerError),
    ],
)
async def test_mid_stream_failures_keep_partial_events(
    sim: SimulatorServer,
    session: aiohttp.ClientSession,
    protocol: str,
    directive: str,
    error_type: type[ProviderError],
) -> None:
    kind, _, value = directive.partition(":")
    chosen = adapter(sim, session, protocol, **{kind: value})
    req = request()
    events, error = await run(chosen.stream(req))
    assert isinstance(error, error_type), error
    assert [e.kind for e in events[:2]] == ["sent", "first_byte"]
    assert events[-1].kind == "error"
    assert events[-1].error is error
    assert error.request_id == req.request_id


async def test_context_window_overflow_from_a_long_prompt(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    _events, error = await run(
        adapter(sim, session, "openai").stream(request("tiny", "word " * 200))
    )
    assert isinstance(error, ContextOverflowError)


async def test_slow_first_byte_and_timeout(
    sim: SimulatorServer, session: aiohttp.ClientSession
) -> None:
    slow = adapter(sim, session, "openai", fault="slow_first_byte;delay_ms=2000")
    _events, error = await run(slow.stream(request(timeout_s=0.2)))
    assert isinstance(error, ProviderTimeoutError)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_wrong_key_is_auth_error_without_the_key(
    sim: SimulatorServer, session: aiohttp.ClientSession, protocol: str
) -> None:
    wrong = adapter(sim, session, protocol, key="wrong-key-abcdef")
    _events, error = await run(wrong.stream(request("locked")))
    assert isinstance(error, AuthError)
    assert "wrong-key-abcdef" not in str(error)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_models_and_health(
    sim: SimulatorServer, session: aiohttp.ClientSession, protocol: str
) -> None:
    chosen = adapter(sim, session, protocol)
    ids = [m.id for m in await chosen.list_models()]
    assert ids[0] == "benchstudio-sim"
    assert {"tooly", "tiny"} <= set(ids)
    health = await chosen.health_check()
    assert health.ok


async def test_production_egress_refuses_the_local_simulator(sim: SimulatorServer) -> None:
    async with create_egress_session(EgressPolicy.from_allow_list("production")) as prod:
        blocked = create_adapter("openai", sim.base_url, None, session=prod)
        _events, error = await run(blocked.stream(request()))
        assert isinstance(error, EgressBlockedError)
        assert not error.retryable
        health = await blocked.health_check()
        assert not health.ok
    allowed = EgressPolicy.from_allow_list("production", ["127.0.0.1/32"])
    async with create_egress_session(allowed) as prod:
        ok = create_adapter("openai", sim.base_url, None, session=prod)
        _events, error = await run(ok.stream(request()))
        assert error is None
