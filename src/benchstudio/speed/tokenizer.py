"""Tokenizers from vendored tiktoken rank files: nothing is downloaded at run time.

`tiktoken.get_encoding` fetches its rank files from the internet on first use, which fails
offline; we build `tiktoken.Encoding` directly from the gzip-compressed copies shipped in
`tokenizer_data/` (byte-identical to OpenAI's files, checked against tiktoken's own hashes).
Non-OpenAI models are counted with o200k_base as an approximation; the tokenizer name used is
recorded with every request.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

_ENDOFTEXT = "<|endoftext|>"
_ENDOFPROMPT = "<|endofprompt|>"

# Patterns and special tokens as defined by tiktoken_ext/openai_public.py (MIT).
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


@dataclass(frozen=True, slots=True)
class EncodingSpec:
    name: str
    pattern: str
    special_tokens: dict[str, int]
    sha256: str


ENCODINGS: dict[str, EncodingSpec] = {
    "cl100k_base": EncodingSpec(
        "cl100k_base",
        _CL100K_PATTERN,
        {
            _ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            _ENDOFPROMPT: 100276,
        },
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": EncodingSpec(
        "o200k_base",
        _O200K_PATTERN,
        {_ENDOFTEXT: 199999, _ENDOFPROMPT: 200018},
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}
DEFAULT_ENCODING = "o200k_base"
# Model name prefixes that use the older encoding; everything else gets o200k_base.
_CL100K_PREFIXES = ("gpt-4-", "gpt-4", "gpt-3.5", "text-embedding-3", "text-embedding-ada")
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o")


class TokenizerDataError(RuntimeError):
    """The vendored rank file is missing or corrupt."""


def _load_ranks(spec: EncodingSpec) -> dict[bytes, int]:
    data_dir = resources.files("benchstudio.speed") / "tokenizer_data"
    raw = gzip.decompress((data_dir / f"{spec.name}.tiktoken.gz").read_bytes())
    if hashlib.sha256(raw).hexdigest() != spec.sha256:
        raise TokenizerDataError(f"vendored {spec.name} rank file does not match its hash")
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        token, rank = line.split(b" ")
        ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=4)
def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """The tiktoken encoding `name`, built from vendored ranks (cached; ~0.3 s first time)."""
    import tiktoken  # lazy: keeps CLI start fast

    spec = ENCODINGS.get(name)
    if spec is None:
        raise ValueError(f"unknown encoding {name!r}; known: {', '.join(ENCODINGS)}")
    return tiktoken.Encoding(
        name=spec.name,
        pat_str=spec.pattern,
        mergeable_ranks=_load_ranks(spec),
        special_tokens=spec.special_tokens,
    )


def load_encodings() -> None:
    """Build every vendored encoding now (about 0.6 s of CPU, the GIL held throughout).

    A server does it at start-up, before it serves: loaded by its first preview instead, it
    stalled every other request for as long (a thread does not help, the GIL is held). The
    fork server does it in its preload (`tokenizer_preload`), for every child it forks.
    """
    for name in ENCODINGS:
        get_encoding(name)


def encodings_built() -> int:
    """How many encodings this process has built so far (none is built by asking)."""
    return get_encoding.cache_info().currsize


def encoding_for_model(model: str) -> str:
    """The encoding name to count `model`'s tokens with (o200k_base approximates others)."""
    lowered = model.lower().rsplit("/", 1)[-1]
    if lowered.startswith(_O200K_PREFIXES):
        return "o200k_base"
    if lowered.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    return DEFAULT_ENCODING


class TokenCounter:
    """Counts tokens of plain text (special-token strings are counted as ordinary text)."""

    def __init__(self, encoding_name: str = DEFAULT_ENCODING) -> None:
        if encoding_name not in ENCODINGS:
            raise ValueError(f"unknown encoding {encoding_name!r}; known: {', '.join(ENCODINGS)}")
        self.name = encoding_name

    @property
    def _encoding(self) -> tiktoken.Encoding:
        # Loaded on first use (~0.3 s): a zero-context run reaches its first request sooner.
        return get_encoding(self.name)

    def count(self, text: str) -> int:
        return len(self._encoding.encode_ordinary(text))

    def encode(self, text: str) -> list[int]:
        return self._encoding.encode_ordinary(text)

    def decode(self, tokens: list[int]) -> str:
        return self._encoding.decode(tokens)
