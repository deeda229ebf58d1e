"""Deterministic OpenAI-compatible `/v1/embeddings`: the request and response OpenAI defines.

A text's vector is a hashed bag of features: each lower-cased word (weight 1) and each
character trigram of a word (weight 1/2) adds +w or -w to one of `dimensions` slots chosen by
a hash of the feature; the sum is normalised to unit length. The same text always gets the
same vector (in any process), and texts sharing words or word pieces get a higher cosine
similarity ("weather in Paris" vs "Paris weather": high; vs "stock prices": near 0). Token-id
inputs hash their ids as words. Values are float32, as OpenAI's are, so the `float` and
`base64` encodings decode to the same numbers.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import struct
from typing import Any

from benchstudio.simulator.chat_request import RequestError
from benchstudio.simulator.textgen import approx_tokens

DEFAULT_DIMENSIONS = 256
MAX_DIMENSIONS = 3072
MAX_INPUTS = 2048
_WORD = re.compile(r"\w+")


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in _WORD.findall(text.lower()):
        features.append((word, 1.0))
        padded = f"^{word}$"
        features += [(f"#{padded[i : i + 3]}", 0.5) for i in range(len(padded) - 2)]
    return features


def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "big")
    return value % dimensions, (1.0 if value >> 63 else -1.0)


def embed(text: str, dimensions: int = DEFAULT_DIMENSIONS) -> list[float]:
    """The unit-length float32 vector of `text` (all zeros for a text without words)."""
    vector = [0.0] * dimensions
    for feature, weight in _features(text):
        index, sign = _slot(feature, dimensions)
        vector[index] += sign * weight
    norm = math.sqrt(sum(v * v for v in vector))
    if norm:
        vector = [v / norm for v in vector]
    packed = struct.pack(f"<{dimensions}f", *vector)
    return list(struct.unpack(f"<{dimensions}f", packed))


def _texts(value: Any) -> list[tuple[str, int]]:
    """Each input as (text to embed, its prompt tokens); OpenAI's four input shapes."""
    invalid = RequestError("'$.input' is invalid. Please check the API reference.", "input")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or len(value) > MAX_INPUTS:
        raise invalid
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        value = [value]  # one text given as token ids
    texts = []
    for item in value:
        if isinstance(item, str) and item:
            texts.append((item, approx_tokens(item)))
        elif isinstance(item, list) and item and all(type(t) is int for t in item):
            texts.append((" ".join(f"t{token}" for token in item), len(item)))
        else:
            raise invalid
    return texts


def _dimensions(body: dict[str, Any]) -> int:
    value = body.get("dimensions")
    if value is None:
        return DEFAULT_DIMENSIONS
    if type(value) is not int or not 1 <= value <= MAX_DIMENSIONS:
        raise RequestError(
            f"Invalid 'dimensions': expected an integer between 1 and {MAX_DIMENSIONS}.",
            "dimensions",
        )
    return value


def embeddings_body(body: Any) -> dict[str, Any]:
    """The response to a POST /v1/embeddings body (raises RequestError as OpenAI's 400)."""
    if not isinstance(body, dict):
        raise RequestError("The request body must be a JSON object.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise RequestError("Missing required parameter: 'model'.", "model")
    if "input" not in body:
        raise RequestError("Missing required parameter: 'input'.", "input")
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise RequestError(
            f"Invalid value: {encoding!r}. Supported values are: 'float' and 'base64'.",
            "encoding_format",
        )
    dimensions = _dimensions(body)
    data = []
    tokens = 0
    for index, (text, count) in enumerate(_texts(body["input"])):
        vector = embed(text, dimensions)
        embedding: list[float] | str = vector
        if encoding == "base64":
            embedding = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens += count
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
