"""Deterministic text and token counts.

Output text is drawn from a fixed word list with a seeded RNG: one word is one token.
Prompt tokens use a deterministic approximation: ceil(characters / 4), the usual rule of thumb
for English with BPE tokenizers, summed over every text field of the request.
"""

from __future__ import annotations

import hashlib
import random

CHARS_PER_TOKEN = 4

_WORD_TEXT = (
    "the model reads a prompt and writes an answer one token at a time while the client "
    "measures how long each piece takes to arrive over the network latency throughput and cost "
    "matter to engineers who choose between providers so every number must be reproducible "
    "simulated words keep tests deterministic stable fast cheap useful plain simple clear "
    "river mountain window garden lantern harbor meadow pebble thunder violet copper silver "
    "quiet bright gentle rapid steady careful honest curious patient brave modest eager "
    "report result signal request stream event token chunk buffer socket header schedule"
)
_WORDS = tuple(_WORD_TEXT.split())


def approx_tokens(text: str) -> int:
    """Deterministic token-count approximation: ceil(len(text) / 4)."""
    return -(-len(text) // CHARS_PER_TOKEN)


def request_rng(seed: int, *parts: str) -> random.Random:
    """An RNG seeded from the model seed and the request's content (stable across runs)."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(str(seed).encode())
    for part in parts:
        digest.update(b"\x00")
        digest.update(part.encode("utf-8", "surrogatepass"))
    return random.Random(int.from_bytes(digest.digest(), "big"))


def generate_words(rng: random.Random, count: int) -> list[str]:
    """`count` tokens of text; every token after the first carries its leading space."""
    if count <= 0:
        return []
    words = rng.choices(_WORDS, k=count)
    return [words[0], *(" " + word for word in words[1:])]


def split_text_tokens(text: str) -> list[str]:
    """Split fixed text into word tokens (spaces kept in front), so it streams like generated
    text; joining the pieces gives back `text` exactly."""
    pieces: list[str] = []
    start = 0
    index = 0
    length = len(text)
    while index < length:
        while index < length and text[index].isspace():
            index += 1
        while index < length and not text[index].isspace():
            index += 1
        pieces.append(text[start:index])
        start = index
    return pieces
