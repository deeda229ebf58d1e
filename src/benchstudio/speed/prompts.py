"""Context-tier prompts: the user's prompt preceded by corpus filler sized with a tokenizer.

The salt sits at the very start of the prompt, where provider prefix caches look, so run 2+
of a tier is not flattered by a cache hit. `cache_probe` keeps one salt for every run of a tier,
repeating the prefix on purpose to measure the cache's benefit.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from benchstudio.speed.corpus import CorpusKind, corpus_text
from benchstudio.speed.tokenizer import DEFAULT_ENCODING, TokenCounter

DEFAULT_PROMPT = (
    "Write a short story, about 150 words, about a lighthouse keeper who finds an unexpected "
    "visitor on the rocks one stormy night."
)
_CONTEXT_HEADER = "Reference material follows.\n\n"
_CONTEXT_FOOTER = "\n\nEnd of reference material. Now the task:\n"
_SIZING_ROUNDS = 4
# Sized prompts' token counts remembered for estimates (a preview re-sent as a form is edited
# re-counts nothing): keys are small, so many fit.
SIZED_COUNT_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class BuiltPrompt:
    """One prompt ready to send, with its measured size.

    `text` starts with `[salt] `; `messages_for(other_salt)` swaps the salt cheaply, so load
    runs can give every request its own prefix without re-tokenising the filler.
    """

    text: str
    # None for tier 0 until counted (see `tokens`): spares loading a tokenizer before the run.
    prompt_tokens: int | None
    target_tokens: int
    salt: str
    corpus_kind: str
    tokenizer: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [{"role": "user", "content": self.text}]

    def tokens(self, counter: TokenCounter) -> int:
        return self.prompt_tokens if self.prompt_tokens is not None else counter.count(self.text)

    def messages_for(self, salt: str) -> list[dict[str, Any]]:
        tail = self.text[len(self.salt) + 2 :]
        return [{"role": "user", "content": f"[{salt}]{tail}"}]


def run_salt(run_id: str, tier: int, run_index: int, *, cache_probe: bool) -> str:
    """A short salt: per run by default, per tier (same for every run) with `cache_probe`."""
    key = f"{run_id}:{tier}" if cache_probe else f"{run_id}:{tier}:{run_index}"
    return hashlib.sha256(key.encode()).hexdigest()[:12]


@lru_cache(maxsize=8)
def _corpus_tokens(kind: CorpusKind, encoding: str) -> tuple[int, ...]:
    return tuple(TokenCounter(encoding).encode(corpus_text(kind)))


def warm_corpus(kind: CorpusKind = "prose", encoding: str = DEFAULT_ENCODING) -> None:
    """Tokenize the filler text of `kind` now (cached, about 0.2 s): a server does it for the
    default corpus at start-up, rather than in its first preview with a context tier."""
    _corpus_tokens(kind, encoding)


def _filler(tokens: tuple[int, ...], counter: TokenCounter, offset: int, length: int) -> str:
    if length <= 0:
        return ""
    picked: list[int] = []
    position = offset % len(tokens)
    while len(picked) < length:
        take = min(length - len(picked), len(tokens) - position)
        picked.extend(tokens[position : position + take])
        position = 0
    return counter.decode(picked)


def _compose(salt: str, filler: str, prompt: str) -> str:
    if not filler:
        return f"[{salt}] {prompt}"
    return f"[{salt}] {_CONTEXT_HEADER}{filler}{_CONTEXT_FOOTER}{prompt}"


def build_prompt(
    prompt: str,
    *,
    target_tokens: int,
    salt: str,
    counter: TokenCounter,
    corpus_kind: CorpusKind = "prose",
) -> BuiltPrompt:
    """A user message of about `target_tokens` tokens (exactly the prompt when 0).

    The filler starts at a corpus offset derived from the salt, so different salts also give
    different text; sizing converges in a few re-counts (token merges at joins shift it).
    """
    base_text = _compose(salt, "", prompt)
    text = base_text
    if target_tokens > 0:
        tokens = _corpus_tokens(corpus_kind, counter.name)
        offset = int(salt, 16) % len(tokens) if salt else 0
        overhead = counter.count(_compose(salt, "x", prompt)) - 1
        length = max(0, target_tokens - overhead)
        for _ in range(_SIZING_ROUNDS):
            text = _compose(salt, _filler(tokens, counter, offset, length), prompt)
            difference = target_tokens - counter.count(text)
            if difference == 0 or length + difference < 0:
                break
            length += difference
    return BuiltPrompt(
        text=text,
        prompt_tokens=counter.count(text) if target_tokens > 0 else None,
        target_tokens=target_tokens,
        salt=salt,
        corpus_kind=corpus_kind,
        tokenizer=counter.name,
    )


class _SizedCounts:
    """An LRU of `build_prompt(...)` token counts, keyed by (tokenizer, tier size, salt, corpus,
    the prompt's digest); safe across the threads estimates run in."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._counts: OrderedDict[tuple[str, int, str, str, str], int] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int, str, str, str]) -> int | None:
        with self._lock:
            count = self._counts.get(key)
            if count is not None:
                self._counts.move_to_end(key)
            return count

    def put(self, key: tuple[str, int, str, str, str], count: int) -> None:
        with self._lock:
            self._counts[key] = count
            self._counts.move_to_end(key)
            while len(self._counts) > self._size:
                self._counts.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


SIZED_COUNTS = _SizedCounts(SIZED_COUNT_CACHE_SIZE)


def sized_prompt_tokens(
    prompt: str,
    *,
    target_tokens: int,
    salt: str,
    counter: TokenCounter,
    corpus_kind: CorpusKind = "prose",
) -> int:
    """The token count of `build_prompt(...)` with these arguments, built once per key."""
    digest = hashlib.sha256(prompt.encode()).hexdigest()
    key = (counter.name, target_tokens, salt, corpus_kind, digest)
    count = SIZED_COUNTS.get(key)
    if count is None:
        built = build_prompt(
            prompt, target_tokens=target_tokens, salt=salt, counter=counter, corpus_kind=corpus_kind
        )
        count = built.tokens(counter)
        SIZED_COUNTS.put(key, count)
    return count


def tier_skip_reason(
    target_tokens: int, max_tokens: int | None, context_window: int | None
) -> str | None:
    """Why a tier cannot run on a model with `context_window` tokens (None: it fits)."""
    if context_window is None:
        return None
    needed = target_tokens + (max_tokens or 0)
    if needed > context_window:
        return (
            f"{target_tokens} prompt tokens + {max_tokens or 0} output tokens exceed the "
            f"model's {context_window}-token context window"
        )
    return None
