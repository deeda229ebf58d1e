"""Embeddings over OpenAI's wire format: request body, batching, order by index, bad answers."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.providers.embeddings import embed_batched, parse_embeddings
from benchstudio.providers.errors import ProviderConnectionError


class FakeTransport:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    async def request_json(
        self, method: str, url: str, request_id: str, *, payload: Any, timeout_s: Any
    ) -> Any:
        assert (method, url) == ("POST", "http://x/v1/embeddings")
        self.bodies.append(payload)
        texts = payload["input"]
        # Answered in reverse order: the client must put them back by index.
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 0.0]}
            for i, t in reversed(list(enumerate(texts)))
        ]
        usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
        return {"object": "list", "data": data, "model": payload["model"], "usage": usage}


async def test_texts_are_batched_and_vectors_come_back_in_input_order() -> None:
    transport = FakeTransport()
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    result = await embed_batched(transport, "http://x/v1/embeddings", "emb", texts, batch_size=2)
    assert [vector[0] for vector in result.vectors] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert [body["input"] for body in transport.bodies] == [["a", "bb"], ["ccc", "dddd"], ["eeeee"]]
    assert transport.bodies[0] == {"model": "emb", "input": ["a", "bb"], "encoding_format": "float"}
    assert result.requests == 3 and result.usage.input_tokens == 5


@pytest.mark.parametrize(
    "answer",
    [
        {"data": [{"index": 0, "embedding": [1.0]}]},  # one vector for two inputs
        {"data": [{"index": 5, "embedding": [1.0]}, {"index": 0, "embedding": [1.0]}]},
        {"data": [{"index": 0, "embedding": "nope"}, {"index": 1, "embedding": [1.0]}]},
        ["not", "an", "object"],
    ],
)
def test_malformed_answers_are_connection_errors(answer: Any) -> None:
    with pytest.raises(ProviderConnectionError):
        parse_embeddings(answer, 2, "r1")
