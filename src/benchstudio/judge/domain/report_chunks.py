"""Map-reduce plumbing for the cross-case report: chunks that fit a window, checked citations.

The report's map step sends one chunk of case summaries per request, so the chunks must fit
the judge's window after the prompt's own overhead. Tokens are counted by the caller's
`count_tokens` (the tokenizer of the judge's endpoint, e.g. `speed.tokenizer`), which keeps
this module pure; a chunk's size is the sum of its summaries and separators, so leave a few
tokens of slack in `overhead_tokens` for tokenizers that merge across the joins. A summary
that cannot fit even alone is left out, with its id, and the report says so.

The model cites case ids. Only ids of cases the report actually used are kept; unknown ids
(hallucinated, mistyped) are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

TokenCounter = Callable[[str], int]


@dataclass(frozen=True, slots=True)
class CaseSummary:
    case_id: str
    text: str


@dataclass(slots=True)
class ChunkPlan:
    chunks: list[list[CaseSummary]] = field(default_factory=list)
    oversized: list[str] = field(default_factory=list)  # ids of summaries too big for a chunk

    @property
    def used_case_ids(self) -> list[str]:
        return [summary.case_id for chunk in self.chunks for summary in chunk]


def chunk_summaries(
    summaries: Sequence[CaseSummary],
    window_tokens: int,
    count_tokens: TokenCounter,
    *,
    overhead_tokens: int = 0,
    separator: str = "\n\n",
) -> ChunkPlan:
    """Greedy, order-keeping chunks whose joined text fits `window_tokens - overhead_tokens`."""
    budget = window_tokens - overhead_tokens
    if budget <= 0:
        raise ValueError("the prompt overhead leaves no room in the window")
    separator_tokens = count_tokens(separator) if separator else 0
    plan = ChunkPlan()
    current: list[CaseSummary] = []
    used = 0
    for summary in summaries:
        tokens = count_tokens(summary.text)
        if tokens > budget:
            plan.oversized.append(summary.case_id)
            continue
        extra = tokens + (separator_tokens if current else 0)
        if current and used + extra > budget:
            plan.chunks.append(current)
            current, used, extra = [], 0, tokens
        current.append(summary)
        used += extra
    if current:
        plan.chunks.append(current)
    return plan


def chunk_text(chunk: Sequence[CaseSummary], separator: str = "\n\n") -> str:
    """The text a chunk is sent as (the same joining `chunk_summaries` counted)."""
    return separator.join(summary.text for summary in chunk)


@dataclass(frozen=True, slots=True)
class CitationCheck:
    kept: list[str]  # known ids, first mention order, once each
    dropped: list[str]  # unknown ids, once each

    @property
    def dropped_count(self) -> int:
        return len(self.dropped)


def check_citations(cited: Iterable[str], known: Collection[str]) -> CitationCheck:
    """Keep the cited ids the report used; drop and count the others (each id once)."""
    kept: dict[str, None] = {}
    dropped: dict[str, None] = {}
    for case_id in cited:
        (kept if case_id in known else dropped).setdefault(case_id, None)
    return CitationCheck(list(kept), list(dropped))
