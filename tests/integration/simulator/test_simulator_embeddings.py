"""The simulator's /v1/embeddings: OpenAI's request and response, deterministic vectors."""

from __future__ import annotations

import base64
import math
import struct
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import openai
import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.simulator.embeddings import DEFAULT_DIMENSIONS, embed


@pytest.fixture
async def sim() -> AsyncIterator[SimulatorServer]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=1, itl_ms=0.1),
        models=[ModelProfile(name="locked-embed", require_key="right-key")],
    )
    async with SimulatorServer(config) as server:
        yield server


async def post(sim: SimulatorServer, body: Any, **headers: str) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.base_url}/v1/embeddings", json=body, headers=headers) as response,
    ):
        return response.status, await response.json(content_type=None)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


async def test_one_string(sim: SimulatorServer) -> None:
    status, answer = await post(sim, {"model": "embed-small", "input": "weather in Paris"})
    assert status == 200
    assert answer["object"] == "list" and answer["model"] == "embed-small"
    (item,) = answer["data"]
    assert item["object"] == "embedding" and item["index"] == 0
    assert len(item["embedding"]) == DEFAULT_DIMENSIONS
    assert math.isclose(math.sqrt(sum(v * v for v in item["embedding"])), 1.0, rel_tol=1e-6)
    assert item["embedding"] == embed("weather in Paris")
    assert answer["usage"] == {"prompt_tokens": 4, "total_tokens": 4}  # ceil(16 / 4)


async def test_a_batch_is_indexed_deterministic_and_similarity_ordered(
    sim: SimulatorServer,
) -> None:
    texts = ["weather in Paris", "Paris weather today", "quarterly stock prices"]
    status, first = await post(sim, {"model": "e", "input": texts, "dimensions": 512})
    _, again = await post(sim, {"model": "e", "input": texts, "dimensions": 512})
    assert status == 200
    assert [item["index"] for item in first["data"]] == [0, 1, 2]
    vectors = [item["embedding"] for item in first["data"]]
    assert vectors == [item["embedding"] for item in again["data"]]
    assert all(len(v) == 512 for v in vectors)
    similar, unrelated = cosine(vectors[0], vectors[1]), cosine(vectors[0], vectors[2])
    assert similar > 0.5 > abs(unrelated)
    assert first["usage"]["total_tokens"] == 4 + 5 + 6


async def test_base64_decodes_to_the_float_vector(sim: SimulatorServer) -> None:
    body = {"model": "e", "input": "get_weather city", "dimensions": 16}
    _, floats = await post(sim, body)
    _, encoded = await post(sim, body | {"encoding_format": "base64"})
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    assert list(struct.unpack("<16f", raw)) == floats["data"][0]["embedding"]


async def test_token_id_inputs(sim: SimulatorServer) -> None:
    status, one = await post(sim, {"model": "e", "input": [1, 2, 3]})
    assert status == 200 and len(one["data"]) == 1 and one["usage"]["prompt_tokens"] == 3
    status, many = await post(sim, {"model": "e", "input": [[1, 2], [3]]})
    assert [item["index"] for item in many["data"]] == [0, 1]
    assert many["usage"]["prompt_tokens"] == 3


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "x"}, "model"),
        ({"model": "e"}, "input"),
        ({"model": "e", "input": ""}, "input"),
        ({"model": "e", "input": []}, "input"),
        ({"model": "e", "input": ["ok", 3.5]}, "input"),
        ({"model": "e", "input": "x", "encoding_format": "int8"}, "encoding_format"),
        ({"model": "e", "input": "x", "dimensions": 0}, "dimensions"),
        ({"model": "e", "input": "x", "dimensions": "8"}, "dimensions"),
    ],
)
async def test_bad_requests_get_openai_errors(
    sim: SimulatorServer, body: dict[str, Any], param: str
) -> None:
    status, answer = await post(sim, body)
    assert status == 400
    assert answer["error"]["type"] == "invalid_request_error"
    assert answer["error"]["param"] == param


async def test_a_locked_model_needs_its_key(sim: SimulatorServer) -> None:
    body = {"model": "locked-embed", "input": "x"}
    status, _ = await post(sim, body)
    assert status == 401
    status, _ = await post(sim, body, Authorization="Bearer right-key")
    assert status == 200


async def test_the_openai_sdk_reads_the_response(sim: SimulatorServer) -> None:
    client = openai.AsyncOpenAI(base_url=f"{sim.base_url}/v1", api_key="sk-test", max_retries=0)
    async with client:
        answer = await client.embeddings.create(
            model="embed-small", input=["weather in Paris", "Paris weather"], dimensions=32
        )
    assert [item.index for item in answer.data] == [0, 1]
    assert answer.data[0].embedding == pytest.approx(embed("weather in Paris", 32))
    assert answer.usage.prompt_tokens == 4 + 4
    log = sim.request_log()
    assert log[-1]["path"] == "/v1/embeddings" and log[-1]["model"] == "embed-small"
