"""Semantic argument matching: similarity sources and the async pre-pass feeding the scorer.

The scorer stays pure: it reads similarities through a lookup `(expected text, actual text) ->
similarity | None`. `SemanticPrepass.score` runs the scorer with a recording lookup, asks the
source for the pairs it did not know yet (one batch), and scores again, until the scorer asks
for nothing new (nested expectations may reveal more pairs once earlier ones are known).
Similarities are cached per pre-pass (one per run), so every text pair is computed once.

Sources: an embeddings model (cosine similarity of the two vectors, texts embedded once each)
or a chat model answering "equivalent" (1.0) or "not" (0.0) with `EQUIVALENCE_PROMPT`. Each
source adds up the tokens its calls used (`spent`, from the providers' usage), so a run can
charge them.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from benchstudio.providers.base import ChatRequest, ProviderAdapter, Usage
from benchstudio.providers.embeddings import EmbeddingAdapter
from benchstudio.providers.errors import ProviderError
from benchstudio.toolcall.profiles import Profile, with_semantic

T = TypeVar("T")
Pair = tuple[str, str]
SemanticSourceKind = Literal["embeddings", "judge"]
MAX_PREPASS_ROUNDS = 8
JUDGE_CONCURRENCY = 4

EQUIVALENCE_PROMPT = """You compare two values given as arguments of a tool call.
Answer with exactly one word: "equivalent" if the actual value means the same as the expected
value for the purpose of the call (wording, word order, case and synonyms may differ), or "not"
if it does not.

Expected value:
{expected}

Actual value:
{actual}"""

_ANSWER = re.compile(r"[a-z]+")


class SimilaritySource(Protocol):
    kind: SemanticSourceKind
    model: str
    spent: TokenTally

    async def similarities(self, pairs: Sequence[Pair]) -> list[float | None]: ...


@dataclass(slots=True)
class TokenTally:
    """Tokens a source's calls used, as the providers reported them (missing counts as 0)."""

    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0

    def add(self, usage: Usage | None, calls: int = 1) -> None:
        self.calls += calls
        if usage is not None:
            self.input_tokens += usage.input_tokens or 0
            self.output_tokens += usage.output_tokens or 0


def cosine(left: Sequence[float], right: Sequence[float]) -> float | None:
    """Cosine similarity; None when either vector is zero (nothing to compare)."""
    dot = math.fsum(a * b for a, b in zip(left, right, strict=True))
    norms = math.sqrt(math.fsum(a * a for a in left)) * math.sqrt(math.fsum(b * b for b in right))
    return dot / norms if norms else None


@dataclass(eq=False)
class EmbeddingSimilarity:
    """Cosine similarity of embeddings; each text is embedded once (one batch per call)."""

    adapter: EmbeddingAdapter
    model: str
    timeout_s: float | None = None
    kind: SemanticSourceKind = "embeddings"
    requests: int = 0
    spent: TokenTally = field(default_factory=TokenTally)
    _vectors: dict[str, asyncio.Future[list[float] | None]] = field(default_factory=dict)

    async def similarities(self, pairs: Sequence[Pair]) -> list[float | None]:
        texts = list(dict.fromkeys(text for pair in pairs for text in pair))
        new = [text for text in texts if text not in self._vectors]
        loop = asyncio.get_running_loop()
        futures = {text: loop.create_future() for text in new}
        self._vectors.update(futures)
        pending = {text: self._vectors[text] for text in texts}
        if new:
            await self._embed(new, futures)
        vectors = {text: await future for text, future in pending.items()}
        return [_cosine_or_none(vectors[left], vectors[right]) for left, right in pairs]

    async def _embed(
        self, texts: list[str], futures: dict[str, asyncio.Future[list[float] | None]]
    ) -> None:
        try:
            result = await self.adapter.embed(self.model, texts, timeout_s=self.timeout_s)
        except ProviderError:
            self._forget(futures)
            return
        except BaseException:  # cancelled: nobody may wait on these forever
            self._forget(futures)
            raise
        self.requests += result.requests
        self.spent.add(result.usage, result.requests)
        for text, vector in zip(texts, result.vectors, strict=True):
            futures[text].set_result(vector)

    def _forget(self, futures: dict[str, asyncio.Future[list[float] | None]]) -> None:
        """Unknown for whoever waits now; a later case may try these texts again."""
        for text, future in futures.items():
            if not future.done():
                future.set_result(None)
            self._vectors.pop(text, None)


def _cosine_or_none(left: list[float] | None, right: list[float] | None) -> float | None:
    if left is None or right is None:
        return None
    return cosine(left, right)


def parse_equivalence(answer: str) -> float | None:
    """1.0 for "equivalent", 0.0 for "not" (or "not equivalent"), None for anything else."""
    words = _ANSWER.findall(answer.casefold())
    if not words:
        return None
    if words[0] == "equivalent":
        return 1.0
    if words[0] in ("not", "no"):
        return 0.0
    return None


@dataclass(eq=False)
class JudgeSimilarity:
    """A chat model answers "equivalent" or "not" for each pair (bounded concurrency)."""

    adapter: ProviderAdapter
    model: str
    timeout_s: float | None = None
    kind: SemanticSourceKind = "judge"
    requests: int = 0
    spent: TokenTally = field(default_factory=TokenTally)
    _limit: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(JUDGE_CONCURRENCY))

    async def similarities(self, pairs: Sequence[Pair]) -> list[float | None]:
        return list(await asyncio.gather(*(self._ask(pair) for pair in pairs)))

    async def _ask(self, pair: Pair) -> float | None:
        expected, actual = pair
        prompt = EQUIVALENCE_PROMPT.format(expected=expected, actual=actual)
        request = ChatRequest(
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=8,
            temperature=0.0,
            stream=False,
            stream_usage=False,
            timeout_s=self.timeout_s,
        )
        async with self._limit:
            self.requests += 1
            try:
                response = await self.adapter.complete(request)
            except ProviderError:
                return None
        self.spent.add(response.usage)
        return parse_equivalence(response.content)


@dataclass(eq=False)
class SemanticPrepass:
    """One per run: the source, the threshold, and every similarity computed so far.

    Pairs asked for by cases scored in the same event-loop turn go out as one batch (the
    offline scorer scores every case at once; concurrent live cases often coincide)."""

    source: SimilaritySource
    threshold: float
    known: dict[Pair, float | None] = field(default_factory=dict)
    batches: int = 0
    _inflight: dict[Pair, asyncio.Future[None]] = field(default_factory=dict)
    _queue: list[Pair] = field(default_factory=list)
    _next: asyncio.Future[None] | None = None
    _flushes: set[asyncio.Task[None]] = field(default_factory=set)

    async def score(self, profile: Profile, score: Callable[[Profile], T]) -> T:
        """`score(profile)` once every similarity it consults is known (or failed)."""
        for _ in range(MAX_PREPASS_ROUNDS):
            asked: list[Pair] = []
            verdict = score(with_semantic(profile, self._recorder(asked), self.threshold))
            missing = [pair for pair in dict.fromkeys(asked) if pair not in self.known]
            if not missing:
                return verdict
            await self._fill(missing)
        return verdict

    def _recorder(self, asked: list[Pair]) -> Callable[[str, str], float | None]:
        def lookup(expected: str, actual: str) -> float | None:
            asked.append((expected, actual))
            return self.known.get((expected, actual))

        return lookup

    async def _fill(self, pairs: list[Pair]) -> None:
        """Queue new pairs for the next batch; wait for theirs and for pairs already going."""
        for pair in pairs:
            if pair in self._inflight:
                continue
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
                flush = asyncio.create_task(self._flush())
                self._flushes.add(flush)
                flush.add_done_callback(self._flushes.discard)
            self._inflight[pair] = self._next
            self._queue.append(pair)
        for future in {self._inflight[pair] for pair in pairs if pair in self._inflight}:
            await asyncio.shield(future)

    async def _flush(self) -> None:
        batch, done = self._queue, self._next
        self._queue, self._next = [], None
        assert done is not None
        self.batches += 1
        try:
            values = await self.source.similarities(batch)
            self.known.update(zip(batch, values, strict=True))
        except asyncio.CancelledError:
            done.cancel()
            raise
        except Exception as error:  # the waiting cases raise it (a bug, not a provider error)
            done.set_exception(error)
        else:
            done.set_result(None)
        finally:
            for pair in batch:
                self.known.setdefault(pair, None)
                self._inflight.pop(pair, None)
