"""Raw HTTP checks of each wire format: framing, fields, auth and error bodies, routing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer, ToolRule

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    lookup = ToolRule.model_validate(
        {
            "match": {"prompt": "look up"},
            "tool_calls": [{"name": "lookup", "arguments": {"q": "x"}}],
        }
    )
    broken = ToolRule.model_validate(
        {
            "match": {"prompt": "broken"},
            "tool_calls": [{"name": "lookup", "arguments_raw": '{"q": '}],
        }
    )
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=5),
        models=[
            ModelProfile(
                name="gem",
                ttft_ms=1,
                itl_ms=0.1,
                output_tokens=4,
                reasoning_tokens=2,
                tool_script=[lookup, broken],
            ),
            ModelProfile(name="locked", ttft_ms=1, itl_ms=0.1, require_key="right-key"),
            ModelProfile(name="tiny", ttft_ms=1, itl_ms=0.1, context_window=10),
        ],
    )
    async with SimulatorServer(config) as server:
        yield server


async def post(
    url: str, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url, data=body if isinstance(body, bytes) else json.dumps(body), headers=headers or {}
        ) as response,
    ):
        return (
            response.status,
            {k.lower(): v for k, v in response.headers.items()},
            await response.read(),
        )


def sse_data(raw: bytes) -> list[Any]:
    """The JSON of every `data:` event (multi-line data joined, comments skipped)."""
    events: list[Any] = []
    for block in raw.replace(b"\r\n", b"\n").split(b"\n\n"):
        lines = [line[5:].lstrip() for line in block.split(b"\n") if line.startswith(b"data:")]
        if lines and lines != [b"[DONE]"]:
            events.append(json.loads(b"\n".join(lines)))
    return events


async def test_gemini_sse_stream_with_thoughts_and_usage(sim: SimulatorServer) -> None:
    body = {
        "contents": [{"role": "user", "parts": [{"text": "hi there"}]}],
        "generationConfig": {"thinkingConfig": {"includeThoughts": True}},
    }
    url = f"{sim.base_url}/v1beta/models/gem:streamGenerateContent?alt=sse"
    status, headers, raw = await post(url, body)
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert raw.endswith(b"\r\n\r\n")  # Google frames SSE events with CRLF
    chunks = sse_data(raw)
    parts = [c["candidates"][0]["content"]["parts"][0] for c in chunks]
    assert [p.get("thought", False) for p in parts] == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    final = chunks[-1]
    assert final["candidates"][0]["finishReason"] == "STOP"
    assert final["usageMetadata"] == {
        "promptTokenCount": 2,
        "candidatesTokenCount": 4,
        "totalTokenCount": 8,
        "thoughtsTokenCount": 2,
    }


async def test_gemini_hides_thoughts_unless_asked(sim: SimulatorServer) -> None:
    body = {"contents": [{"parts": [{"text": "hi there"}]}]}
    status, _, raw = await post(f"{sim.base_url}/v1beta/models/gem:generateContent", body)
    assert status == 200
    response = json.loads(raw)
    assert [p.get("thought", False) for p in response["candidates"][0]["content"]["parts"]] == [
        False
    ]
    assert response["usageMetadata"]["thoughtsTokenCount"] == 2


async def test_gemini_function_call_and_malformed_call(sim: SimulatorServer) -> None:
    url = f"{sim.base_url}/v1beta/models/gem:generateContent"
    body = {
        "contents": [{"parts": [{"text": "please look up x"}]}],
        "tools": [{"functionDeclarations": [{"name": "lookup", "parameters": {"type": "object"}}]}],
    }
    _, _, raw = await post(url, body)
    parts = json.loads(raw)["candidates"][0]["content"]["parts"]
    assert parts[-1] == {"functionCall": {"name": "lookup", "args": {"q": "x"}}}
    body["contents"] = [{"parts": [{"text": "broken"}]}]
    _, _, raw = await post(url, body)
    assert json.loads(raw)["candidates"][0]["finishReason"] == "MALFORMED_FUNCTION_CALL"


async def test_gemini_stream_without_alt_is_a_json_array(sim: SimulatorServer) -> None:
    url = f"{sim.base_url}/v1beta/models/gem:streamGenerateContent"
    status, _, raw = await post(url, {"contents": [{"parts": [{"text": "hi"}]}]})
    assert status == 200
    array = json.loads(raw)
    assert array[-1]["candidates"][0]["finishReason"] == "STOP"


async def test_gemini_key_checks(sim: SimulatorServer) -> None:
    url = f"{sim.base_url}/v1beta/models/locked:generateContent"
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    status, _, raw = await post(url, body)
    assert status == 403
    assert json.loads(raw)["error"]["status"] == "PERMISSION_DENIED"
    status, _, raw = await post(url + "?key=wrong", body)
    assert status == 400
    assert json.loads(raw)["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    assert b"wrong" not in raw
    status, _, _ = await post(url, body, {"x-goog-api-key": "right-key"})
    assert status == 200


async def test_openai_key_checks(sim: SimulatorServer) -> None:
    url = f"{sim.base_url}/v1/chat/completions"
    body = {**CHAT, "model": "locked"}
    status, _, raw = await post(url, body)
    assert status == 401
    status, _, raw = await post(url, body, {"Authorization": "Bearer nope-secret"})
    assert status == 401
    assert json.loads(raw)["error"]["code"] == "invalid_api_key"
    assert b"nope-secret" not in raw
    status, _, _ = await post(url, body, {"Authorization": "Bearer right-key"})
    assert status == 200


@pytest.mark.parametrize(
    ("path", "body", "status", "marker"),
    [
        (
            "/v1/chat/completions",
            {**CHAT, "model": "tiny", "messages": [{"role": "user", "content": "x" * 100}]},
            400,
            "context_length_exceeded",
        ),
        (
            "/v1/messages",
            {
                "model": "tiny",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "x" * 100}],
            },
            400,
            "prompt is too long: 25 tokens > 10 maximum",
        ),
        (
            "/v1beta/models/tiny:generateContent",
            {"contents": [{"parts": [{"text": "x" * 100}]}]},
            400,
            "The input token count (25) exceeds",
        ),
    ],
)
async def test_context_window_errors_per_format(
    sim: SimulatorServer, path: str, body: dict[str, Any], status: int, marker: str
) -> None:
    got_status, _, raw = await post(sim.base_url + path, body)
    assert got_status == status
    assert marker in raw.decode()


async def test_openai_counts_max_tokens_against_the_window(sim: SimulatorServer) -> None:
    body = {**CHAT, "model": "tiny", "max_tokens": 9}
    status, _, raw = await post(f"{sim.base_url}/v1/chat/completions", body)
    assert status == 400
    assert "(2 in the messages, 9 in the completion)" in raw.decode()


async def test_bad_bodies_get_format_error_shapes(sim: SimulatorServer) -> None:
    status, _, raw = await post(f"{sim.base_url}/v1/chat/completions", b"{not json")
    assert status == 400
    assert json.loads(raw)["error"]["type"] == "invalid_request_error"
    status, _, raw = await post(f"{sim.base_url}/v1/messages", {"model": "m", "messages": []})
    assert status == 400
    assert json.loads(raw)["type"] == "error"
    body = {**CHAT, "stream_options": {"include_usage": True}}
    status, _, raw = await post(f"{sim.base_url}/v1/chat/completions", body)
    assert status == 400
    assert json.loads(raw)["error"]["param"] == "stream_options"


async def test_unknown_route_is_404(sim: SimulatorServer) -> None:
    status, _, _ = await post(f"{sim.base_url}/v1/audio/speech", {"input": "x"})
    assert status == 404


async def test_model_lists_per_format(sim: SimulatorServer) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.base_url}/v1/models") as response:
            openai_list = await response.json()
        async with session.get(
            f"{sim.base_url}/v1/models", headers={"anthropic-version": "2023-06-01"}
        ) as response:
            anthropic_list = await response.json()
        async with session.get(f"{sim.base_url}/v1beta/models") as response:
            gemini_list = await response.json()
    assert openai_list["object"] == "list"
    assert openai_list["data"][0]["id"] == "benchstudio-sim"
    assert anthropic_list["data"][0]["type"] == "model"
    assert gemini_list["models"][3]["name"] == "models/tiny"
    assert gemini_list["models"][3]["inputTokenLimit"] == 10


async def test_keep_alive_and_chunked_request_body(sim: SimulatorServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    body = json.dumps(CHAT).encode()
    head = (
        b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Expect: 100-continue\r\n\r\n"
    )
    chunked = b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body)
    for _ in range(2):  # two requests on the same connection
        writer.write(head + chunked)
        assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
        response_head = await reader.readuntil(b"\r\n\r\n")
        assert response_head.startswith(b"HTTP/1.1 200 OK")
        length = int(response_head.split(b"content-length: ")[1].split(b"\r\n")[0])
        completion = json.loads(await reader.readexactly(length))
        assert completion["object"] == "chat.completion"
    writer.close()
    await writer.wait_closed()
