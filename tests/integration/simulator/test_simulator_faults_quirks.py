"""Every fault and quirk, selected per request by header or per model in the config."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer

STREAM = {
    "model": "m",
    "messages": [{"role": "user", "content": "hello"}],
    "stream": True,
    "stream_options": {"include_usage": True},
}


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=6, reasoning_tokens=2),
        models=[
            ModelProfile.model_validate(
                {
                    "name": "flaky",
                    "ttft_ms": 1,
                    "itl_ms": 0.1,
                    "faults": [{"kind": "server_error", "every": 2}],
                }
            ),
            ModelProfile.model_validate(
                {
                    "name": "quirky",
                    "ttft_ms": 1,
                    "itl_ms": 0.1,
                    "output_tokens": 3,
                    "quirks": ["no_role_chunk", "reasoning_field"],
                    "reasoning_tokens": 1,
                }
            ),
        ],
    )
    async with SimulatorServer(config) as server:
        yield server


async def call(
    sim: SimulatorServer,
    body: dict[str, Any] | None = None,
    fault: str | None = None,
    quirk: str | None = None,
    path: str = "/v1/chat/completions",
) -> tuple[int, dict[str, str], bytes]:
    headers = {"X-Request-Id": "probe"}
    if fault:
        headers["X-Sim-Fault"] = fault
    if quirk:
        headers["X-Sim-Quirk"] = quirk
    async with (
        aiohttp.ClientSession() as session,
        session.post(sim.base_url + path, json=body or STREAM, headers=headers) as response,
    ):
        raw = bytearray()
        try:
            async for piece in response.content.iter_any():
                raw.extend(piece)
        except aiohttp.ClientPayloadError:
            pass  # a mid-stream disconnect: keep what arrived
        return response.status, {k.lower(): v for k, v in response.headers.items()}, bytes(raw)


def blocks(raw: bytes) -> list[bytes]:
    return [b for b in raw.replace(b"\r\n", b"\n").split(b"\n\n") if b]


def data_json(raw: bytes) -> list[Any]:
    events = []
    for block in blocks(raw):
        lines = [line[6:] for line in block.split(b"\n") if line.startswith(b"data: ")]
        if lines and lines != [b"[DONE]"]:
            events.append(json.loads(b"\n".join(lines)))
    return events


async def test_rate_limit_has_retry_after(sim: SimulatorServer) -> None:
    status, headers, raw = await call(sim, fault="rate_limit;retry_after=3")
    assert status == 429
    assert headers["retry-after"] == "3"
    assert json.loads(raw)["error"]["code"] == "rate_limit_exceeded"


@pytest.mark.parametrize(("fault", "status"), [("server_error", 500), ("unavailable", 503)])
async def test_server_errors(sim: SimulatorServer, fault: str, status: int) -> None:
    got, _, raw = await call(sim, fault=fault)
    assert got == status
    assert json.loads(raw)["error"]["type"] == "server_error"


async def test_anthropic_overloaded_body(sim: SimulatorServer) -> None:
    body = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    status, _, raw = await call(sim, body, fault="unavailable", path="/v1/messages")
    assert status == 503
    assert json.loads(raw)["error"]["type"] == "overloaded_error"


async def test_slow_first_byte_delays_the_whole_schedule(sim: SimulatorServer) -> None:
    status, _, raw = await call(sim, fault="slow_first_byte;delay_ms=60")
    assert status == 200
    record = sim.find_request("probe")
    assert record is not None
    assert record["faults"] == ["slow_first_byte"]
    assert record["events"][0]["t_ns"] - record["request_read_ns"] >= 60_000_000
    assert raw.endswith(b"data: [DONE]\n\n")


async def test_disconnect_after_events(sim: SimulatorServer) -> None:
    status, _, raw = await call(sim, fault="disconnect;after_events=3")
    assert status == 200
    assert len(blocks(raw)) == 3
    record = sim.find_request("probe")
    assert record is not None
    assert record["completed"] is False
    assert len(record["events"]) == 3


async def test_malformed_chunk(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, fault="malformed_chunk;at_event=2")
    parsed = []
    for block in blocks(raw):
        try:
            parsed.append(json.loads(block[6:]) if block != b"data: [DONE]" else "done")
        except ValueError:
            parsed.append("bad")
    assert parsed.count("bad") == 1
    assert parsed[2] == "bad"
    record = sim.find_request("probe")
    assert record is not None
    assert record["events"][2]["kind"] == "malformed"


async def test_forced_context_length(sim: SimulatorServer) -> None:
    status, _, raw = await call(sim, fault="context_length")
    assert status == 400
    assert json.loads(raw)["error"]["code"] == "context_length_exceeded"


async def test_model_config_fault_every_second_request(sim: SimulatorServer) -> None:
    body = {**STREAM, "model": "flaky"}
    statuses = [(await call(sim, body))[0] for _ in range(4)]
    assert statuses == [200, 500, 200, 500]


async def test_bad_directive_header_is_400(sim: SimulatorServer) -> None:
    status, _, raw = await call(sim, fault="no_such_fault")
    assert status == 400
    assert "X-Sim-Fault" in json.loads(raw)["error"]["message"]


async def test_sse_comments_and_keep_alive_lines(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, quirk="sse_comments;every_events=2")
    assert raw.startswith(b": keep-alive\n\n")
    assert b"\n\n\n" in raw  # a blank keep-alive line
    assert len(data_json(raw)) == 11  # role + 2 reasoning + 6 content + finish + usage


async def test_multiline_data(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, quirk="multiline_data")
    assert b"data: {\ndata: " in raw
    chunks = data_json(raw)
    assert chunks[-1]["usage"]["completion_tokens"] == 8


async def test_error_in_stream(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, quirk="error_in_stream;after_events=4")
    chunks = data_json(raw)
    assert len(chunks) == 5
    assert chunks[-1]["error"]["type"] == "server_error"
    assert b"[DONE]" not in raw


async def test_anthropic_error_event(sim: SimulatorServer) -> None:
    body = {
        "model": "m",
        "max_tokens": 50,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }
    _, _, raw = await call(sim, body, quirk="error_in_stream;after_events=2", path="/v1/messages")
    assert blocks(raw)[-1].startswith(b"event: error\ndata: ")
    assert b"message_stop" not in raw


async def test_multi_token_chunks(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, quirk="multi_token_chunks;tokens=4")
    contents = [c["choices"][0]["delta"].get("content") for c in data_json(raw) if c["choices"]]
    words = [len(text.split()) for text in contents if text]
    assert words == [4, 2]


async def test_no_usage(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, quirk="no_usage")
    chunks = data_json(raw)
    assert all(chunk["choices"] for chunk in chunks)
    assert all("usage" not in chunk for chunk in chunks)


async def test_reject_stream_options_only_when_sent(sim: SimulatorServer) -> None:
    status, _, raw = await call(sim, quirk="reject_stream_options")
    assert status == 400
    assert "stream_options" in json.loads(raw)["error"]["message"]
    plain = {key: value for key, value in STREAM.items() if key != "stream_options"}
    status, _, _ = await call(sim, plain, quirk="reject_stream_options")
    assert status == 200


async def test_model_quirks_no_role_chunk_and_reasoning_field(sim: SimulatorServer) -> None:
    _, _, raw = await call(sim, {**STREAM, "model": "quirky"})
    deltas = [c["choices"][0]["delta"] for c in data_json(raw) if c["choices"]]
    assert "role" not in deltas[0]
    assert "reasoning" in deltas[0]
    assert all("reasoning_content" not in delta for delta in deltas)


async def test_gemini_no_usage_and_error(sim: SimulatorServer) -> None:
    path = "/v1beta/models/m:streamGenerateContent?alt=sse"
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    _, _, raw = await call(sim, body, quirk="no_usage", path=path)
    assert all("usageMetadata" not in chunk for chunk in data_json(raw))
    _, _, raw = await call(sim, body, quirk="error_in_stream;after_events=1", path=path)
    assert data_json(raw)[-1]["error"]["status"] == "UNAVAILABLE"
