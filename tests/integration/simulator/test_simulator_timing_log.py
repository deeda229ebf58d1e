"""The timing log over HTTP and in process: ids, event order and counts, paging, dump."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.1, output_tokens=7, tokens_per_chunk=3),
        log_capacity=3,
    )
    async with SimulatorServer(config) as server:
        yield server


async def post(
    sim: SimulatorServer, path: str, body: dict[str, Any], request_id: str | None
) -> str:
    headers = {"X-Request-Id": request_id} if request_id else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(sim.base_url + path, json=body, headers=headers) as response,
    ):
        await response.read()
        return response.headers["X-Request-Id"]


async def get_json(sim: SimulatorServer, path: str) -> Any:
    async with aiohttp.ClientSession() as session, session.get(sim.base_url + path) as response:
        return await response.json()


def openai_body(stream: bool = True) -> dict[str, Any]:
    return {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": stream,
        **({"stream_options": {"include_usage": True}} if stream else {}),
    }


async def test_request_id_echoed_or_generated(sim: SimulatorServer) -> None:
    assert await post(sim, "/v1/chat/completions", openai_body(), "given-id-1") == "given-id-1"
    generated = await post(sim, "/v1/chat/completions", openai_body(), None)
    assert generated.startswith("sim-")
    assert sim.find_request(generated) is not None


async def test_openai_stream_events_order_and_tokens(sim: SimulatorServer) -> None:
    await post(sim, "/v1/chat/completions", openai_body(), "r1")
    record = sim.find_request("r1")
    assert record is not None
    kinds = [event["kind"] for event in record["events"]]
    assert kinds == ["role", "content", "content", "content", "finish", "usage", "done"]
    assert [event["tokens"] for event in record["events"]] == [0, 3, 3, 1, 0, 0, 0]
    times = [event["t_ns"] for event in record["events"]]
    assert times == sorted(times)
    assert record["request_read_ns"] <= times[0]
    assert record["output_tokens"] == 7
    assert record["completed"] is True
    assert record["format"] == "openai"
    assert record["status"] == 200


async def test_anthropic_stream_events_order(sim: SimulatorServer) -> None:
    body = {
        "model": "m",
        "max_tokens": 50,
        "stream": True,
        "messages": [{"role": "user", "content": "hi"}],
    }
    await post(sim, "/v1/messages", body, "a1")
    record = sim.find_request("a1")
    assert record is not None
    kinds = [event["kind"] for event in record["events"]]
    assert kinds == [
        "role",
        "meta",
        "meta",
        "content",
        "content",
        "content",
        "meta",
        "finish",
        "done",
    ]


async def test_non_stream_logs_one_body_event(sim: SimulatorServer) -> None:
    await post(sim, "/v1/chat/completions", openai_body(stream=False), "n1")
    record = sim.find_request("n1")
    assert record is not None
    assert [(e["kind"], e["tokens"]) for e in record["events"]] == [("body", 7)]


async def test_paging_ring_buffer_and_lookup(sim: SimulatorServer) -> None:
    for index in range(5):
        await post(sim, "/v1/chat/completions", openai_body(stream=False), f"p{index}")
    page = await get_json(sim, "/_sim/requests?offset=1&limit=1")
    assert page["total"] == 3
    assert page["evicted"] == 2
    assert [item["request_id"] for item in page["items"]] == ["p3"]
    found = await get_json(sim, "/_sim/requests?request_id=p4")
    assert found["items"][0]["request_id"] == "p4"
    gone = await get_json(sim, "/_sim/requests?request_id=p0")
    assert gone["items"] == []
    async with aiohttp.ClientSession() as session, session.delete(sim.base_url + "/_sim/requests"):
        pass
    assert sim.request_log() == []


async def test_errors_are_logged_with_status(sim: SimulatorServer) -> None:
    body = openai_body()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sim.base_url + "/v1/chat/completions",
            json=body,
            headers={"X-Request-Id": "e1", "X-Sim-Fault": "server_error"},
        ) as response,
    ):
        await response.read()
    record = sim.find_request("e1")
    assert record is not None
    assert record["status"] == 500
    assert record["faults"] == ["server_error"]
    assert [event["kind"] for event in record["events"]] == ["error"]


async def test_dump_jsonl(sim: SimulatorServer, tmp_path: Path) -> None:
    await post(sim, "/v1/chat/completions", openai_body(), "d1")
    target = tmp_path / "log.jsonl"
    assert sim.log.dump_jsonl(target) == 1
    lines = target.read_text().splitlines()
    assert json.loads(lines[0])["request_id"] == "d1"
