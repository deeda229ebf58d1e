"""Embeddings over OpenAI's wire format (`POST {base}/embeddings`), batched.

Request: `{"model", "input": [texts], "encoding_format": "float"}`; answer: `{"object": "list",
"data": [{"object": "embedding", "index": i, "embedding": [...]}], "model", "usage"}`. Items
are put back in input order by `index`, as servers may answer them in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any, Protocol, runtime_checkable

from benchstudio.providers.base import Usage, new_request_id
from benchstudio.providers.errors import ProviderConnectionError
from benchstudio.providers.streaming import wire_dict, wire_list

# OpenAI accepts up to 2,048 inputs per request.
MAX_EMBEDDING_BATCH = 2048


@dataclass(slots=True)
class EmbeddingResult:
    vectors: list[list[float]]
    usage: Usage = field(default_factory=Usage)
    latency_ns: int = 0
    requests: int = 0


@runtime_checkable
class EmbeddingAdapter(Protocol):
    """An adapter that can embed texts (the OpenAI-compatible one)."""

    async def embed(
        self, model: str, texts: Sequence[str], *, timeout_s: float | None = None
    ) -> EmbeddingResult: ...


def embedding_body(model: str, texts: Sequence[str]) -> dict[str, Any]:
    return {"model": model, "input": list(texts), "encoding_format": "float"}


def parse_embeddings(data: Any, count: int, request_id: str) -> list[list[float]]:
    """The vectors of one answer, in input order; a malformed answer is a connection error."""
    items = wire_list(data.get("data")) if isinstance(data, dict) else []
    vectors: list[list[float] | None] = [None] * count
    for position, raw in enumerate(items):
        item = wire_dict(raw)
        index = item.get("index", position)
        vector = item.get("embedding")
        if not isinstance(index, int) or not 0 <= index < count or not isinstance(vector, list):
            raise ProviderConnectionError("malformed embeddings answer", request_id=request_id)
        vectors[index] = [float(value) for value in vector]
    if any(vector is None for vector in vectors):
        raise ProviderConnectionError(
            f"embeddings answer has {len(items)} vectors for {count} inputs", request_id=request_id
        )
    return [vector for vector in vectors if vector is not None]


def add_usage(total: Usage, data: Any) -> None:
    usage = wire_dict(data.get("usage")) if isinstance(data, dict) else {}
    tokens = usage.get("prompt_tokens")
    if isinstance(tokens, int):
        total.input_tokens = (total.input_tokens or 0) + tokens


async def embed_batched(
    transport: Any,
    url: str,
    model: str,
    texts: Sequence[str],
    *,
    batch_size: int = MAX_EMBEDDING_BATCH,
    timeout_s: float | None = None,
) -> EmbeddingResult:
    """Embed `texts` in as few requests as the batch size allows."""
    result = EmbeddingResult(vectors=[])
    started = perf_counter_ns()
    for start in range(0, len(texts), batch_size):
        chunk = texts[start : start + batch_size]
        request_id = new_request_id()
        data = await transport.request_json(
            "POST", url, request_id, payload=embedding_body(model, chunk), timeout_s=timeout_s
        )
        result.vectors += parse_embeddings(data, len(chunk), request_id)
        add_usage(result.usage, data)
        result.requests += 1
    result.latency_ns = perf_counter_ns() - started
    return result
