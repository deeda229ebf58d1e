"""Map-reduce chunks fit the window; cited case ids are checked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.judge.domain.report_chunks import (
    CaseSummary,
    check_citations,
    chunk_summaries,
    chunk_text,
)


def words(text: str) -> int:
    return len(text.split())


def summary(case_id: str, size: int) -> CaseSummary:
    return CaseSummary(case_id, " ".join(["w"] * size))


def test_greedy_chunks_keep_order_and_fit() -> None:
    items = [summary("c1", 4), summary("c2", 4), summary("c3", 4), summary("c4", 9)]
    plan = chunk_summaries(items, window_tokens=12, count_tokens=words, overhead_tokens=2)
    # budget 10, separators count 0 words: 4 + 4 fits, + 4 does not; 9 alone.
    assert [[s.case_id for s in chunk] for chunk in plan.chunks] == [["c1", "c2"], ["c3"], ["c4"]]
    assert plan.oversized == []
    assert plan.used_case_ids == ["c1", "c2", "c3", "c4"]


def test_a_summary_too_big_for_any_chunk_is_left_out_by_id() -> None:
    plan = chunk_summaries([summary("big", 50), summary("ok", 3)], 10, words)
    assert plan.oversized == ["big"]
    assert plan.used_case_ids == ["ok"]


def test_separators_are_counted() -> None:
    plan = chunk_summaries(
        [summary("a", 3), summary("b", 3)], 7, words, separator=" | "
    )  # 3 + 1 + 3 = 7 fits exactly
    assert len(plan.chunks) == 1
    assert words(chunk_text(plan.chunks[0], " | ")) == 7


def test_no_room_for_the_prompt_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        chunk_summaries([], 100, words, overhead_tokens=100)


def test_a_thousand_cases_chunk_within_the_window() -> None:
    items = [summary(f"c{i}", 5 + i % 40) for i in range(1000)]
    plan = chunk_summaries(items, 4096, words, overhead_tokens=512)
    assert plan.used_case_ids == [f"c{i}" for i in range(1000)]
    assert all(words(chunk_text(chunk)) <= 4096 - 512 for chunk in plan.chunks)
    assert len(plan.chunks) > 1


@given(st.lists(st.integers(min_value=1, max_value=30), max_size=60), st.integers(10, 80))
def test_chunks_never_exceed_the_budget(sizes: list[int], window: int) -> None:
    items = [summary(str(i), size) for i, size in enumerate(sizes)]
    plan = chunk_summaries(items, window, words)
    assert all(words(chunk_text(chunk)) <= window for chunk in plan.chunks)
    assert sorted(plan.used_case_ids + plan.oversized, key=int) == [
        str(i) for i in range(len(sizes))
    ]


def test_citations_keep_known_ids_and_count_unknown_ones() -> None:
    check = check_citations(["c1", "c9", "c2", "c1", "c9", "bogus"], known={"c1", "c2", "c3"})
    assert check.kept == ["c1", "c2"]
    assert check.dropped == ["c9", "bogus"]
    assert check.dropped_count == 2


def test_the_project_tokenizer_plugs_in() -> None:
    from benchstudio.speed.tokenizer import TokenCounter

    counter = TokenCounter()
    items = [
        CaseSummary(f"c{i}", f"Case c{i}: called get_weather(city=Paris) {i}") for i in range(40)
    ]
    plan = chunk_summaries(items, 120, counter.count, overhead_tokens=20)
    assert plan.used_case_ids == [f"c{i}" for i in range(40)]
    assert len(plan.chunks) > 1
    # Summed part counts bound the joined text's count for this tokenizer on these texts.
    assert all(counter.count(chunk_text(chunk)) <= 100 for chunk in plan.chunks)
