"""How strong a configured secret is: its decoded length and a conservative entropy estimate.

The estimate is the text's length times the smaller of two per-symbol Shannon entropies: of the
characters, and of the steps between neighbouring characters. Repeats (`'a'*32`, `abab…`) score
low on the first, runs (`abcdef…`, `012345…`) on the second; random tokens score high on both.
It is an upper bound on what a guesser faces only for random-looking text, which is the point:
it refuses the guessable, not every weak secret.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence

MIN_SECRET_BYTES = 32
MIN_ENTROPY_BITS = 128

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def decoded_bytes(text: str) -> bytes:
    """`text` as the bytes it encodes: hex, then base64 (either alphabet), else UTF-8."""
    if _HEX.fullmatch(text):
        return bytes.fromhex(text)
    if _BASE64.fullmatch(text):
        padded = text + "=" * (-len(text) % 4)
        try:
            return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        except (binascii.Error, ValueError):
            pass
    return text.encode()


def _shannon_bits(symbols: Sequence[object]) -> float:
    if not symbols:
        return 0.0
    counts = Counter(symbols).values()
    total = len(symbols)
    return -sum(c / total * math.log2(c / total) for c in counts)


def estimated_entropy_bits(text: str) -> float:
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(text)]
    return len(text) * min(_shannon_bits(list(text)), _shannon_bits(steps))


def weakness(text: str) -> str | None:
    """Why `text` is too weak for a secret (None: strong enough)."""
    length = len(decoded_bytes(text))
    if length < MIN_SECRET_BYTES:
        return f"{length} bytes after decoding, at least {MIN_SECRET_BYTES} needed"
    bits = estimated_entropy_bits(text)
    if bits < MIN_ENTROPY_BITS:
        return f"about {int(bits)} bits of entropy, at least {MIN_ENTROPY_BITS} needed"
    return None
