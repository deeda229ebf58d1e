"""The context filler corpus: public-domain prose shipped with the package, plus generated
source code and JSON so context tiers can mimic what real prompts carry.

Everything is deterministic: the same kind and seed give the same text, so a run's prompts can be
rebuilt exactly from its configuration.
"""

from __future__ import annotations

import gzip
import json
import random
from functools import lru_cache
from importlib import resources
from typing import Literal

CorpusKind = Literal["prose", "code", "json", "mixed"]
CORPUS_KINDS: tuple[CorpusKind, ...] = ("prose", "code", "json", "mixed")
_GENERATED_CHARS = 200_000

_NOUNS = (
    "order",
    "invoice",
    "customer",
    "shipment",
    "account",
    "report",
    "sensor",
    "reading",
    "ticket",
    "session",
    "payment",
    "product",
    "review",
    "batch",
    "record",
    "route",
)
_VERBS = ("load", "parse", "validate", "merge", "compute", "render", "fetch", "store", "filter")
_CITIES = ("Lisbon", "Osaka", "Nairobi", "Lima", "Oslo", "Hanoi", "Quito", "Perth", "Tunis")


@lru_cache(maxsize=1)
def prose_text() -> str:
    """About 590 KB of public-domain English prose (see corpus_data/README.txt)."""
    data = resources.files("benchstudio.speed") / "corpus_data" / "prose_kjv.txt.gz"
    return gzip.decompress(data.read_bytes()).decode("utf-8")


def _code_function(rng: random.Random) -> str:
    noun, verb = rng.choice(_NOUNS), rng.choice(_VERBS)
    other = rng.choice(_NOUNS)
    limit = rng.randint(2, 500)
    return (
        f"def {verb}_{noun}s(items: list[dict[str, object]], limit: int = {limit}) -> list[str]:\n"
        f'    """{verb.capitalize()} each {noun} and return the ids of the ones kept."""\n'
        f"    kept: list[str] = []\n"
        f"    for index, item in enumerate(items):\n"
        f"        if index >= limit:\n"
        f"            break\n"
        f'        {other} = item.get("{other}")\n'
        f'        if {other} is None or not isinstance(item.get("id"), str):\n'
        f"            continue\n"
        f'        kept.append(str(item["id"]))\n'
        f"    return kept\n\n\n"
    )


@lru_cache(maxsize=1)
def code_text() -> str:
    """Generated Python source (typed functions with loops and docstrings)."""
    rng = random.Random(1729)
    parts: list[str] = []
    size = 0
    while size < _GENERATED_CHARS:
        part = _code_function(rng)
        parts.append(part)
        size += len(part)
    return "".join(parts)


def _json_record(rng: random.Random, index: int) -> dict[str, object]:
    return {
        "id": f"{rng.choice(_NOUNS)}-{index:06d}",
        "city": rng.choice(_CITIES),
        "amount": round(rng.uniform(1, 5000), 2),
        "quantity": rng.randint(1, 40),
        "tags": rng.sample(_NOUNS, 3),
        "active": rng.random() < 0.7,
        "notes": " ".join(rng.choices(_VERBS + _NOUNS, k=rng.randint(3, 9))),
    }


@lru_cache(maxsize=1)
def json_text() -> str:
    """Generated JSON lines of business-like records."""
    rng = random.Random(4242)
    lines: list[str] = []
    size = 0
    index = 0
    while size < _GENERATED_CHARS:
        line = json.dumps(_json_record(rng, index), separators=(", ", ": "))
        lines.append(line)
        size += len(line) + 1
        index += 1
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def mixed_text() -> str:
    """Prose, code and JSON interleaved in blocks, like a realistic long prompt."""
    prose, code, records = prose_text(), code_text(), json_text()
    blocks: list[str] = []
    block = 6_000
    for start in range(0, len(prose), block):
        blocks.append(prose[start : start + block])
        offset = (start // 3) % (len(code) - block)
        blocks.append("```python\n" + code[offset : offset + block // 3] + "\n```\n")
        offset = (start // 3) % (len(records) - block)
        blocks.append("```json\n" + records[offset : offset + block // 3] + "\n```\n")
    return "\n".join(blocks)


def corpus_text(kind: CorpusKind) -> str:
    """The filler text of `kind`."""
    if kind == "prose":
        return prose_text()
    if kind == "code":
        return code_text()
    if kind == "json":
        return json_text()
    if kind == "mixed":
        return mixed_text()
    raise ValueError(f"unknown corpus kind {kind!r}")
