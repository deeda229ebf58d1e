"""Pure benchmark-history logic: stored rows reproduce results-file records exactly,
per-request events are throttled, runs are paired for comparison."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchstudio.benchruns.domain import (
    EventThrottle,
    TargetIdentity,
    metrics_from_record,
    pack_itl,
    pair_targets,
    record_from_row,
    row_from_record,
    search_text,
    step_name_of,
    unpack_itl,
)
from benchstudio.speed.metrics import RequestError, RequestMetrics


class _Row:
    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def _record(**extra: object) -> dict[str, object]:
    metrics = RequestMetrics(
        request_id="req_1",
        ttft_ms=12.3456789,
        ttfct_ms=15.0001,
        itl_ms=[1.0004, 2.5, 0.0],
        tpot_ms=1.23456,
        e2e_ms=40.98765,
        first_byte_ms=3.2,
        input_tokens=10,
        output_tokens=4,
        reasoning_tokens=0,
        cached_input_tokens=None,
        tokens_estimated=False,
        output_tokens_per_s=810.1234567,
        e2e_tokens_per_s=97.6,
        chunk_count=4,
        finish_reason="stop",
        error=None,
        tokenizer="o200k_base",
        cost_usd=1.2345e-05,
        extra={"target": "t", "model": "m", "context_tokens": 0, **extra},
    )
    return metrics.to_dict()


@pytest.mark.parametrize(
    "labels", [{"run_index": 2, "warmup": False}, {"step": "t@0:c=4", "warmup": False}]
)
def test_a_stored_row_gives_back_the_exact_record(labels: dict[str, object]) -> None:
    record = _record(**labels)
    assert record_from_row(_Row(row_from_record(record))) == record


def test_errors_survive_and_long_messages_are_capped() -> None:
    record = _record(run_index=0, warmup=True)
    record["error"] = {"category": "rate_limit", "message": "x" * 900, "status": 429}
    back = record_from_row(_Row(row_from_record(record)))
    assert back["error"]["category"] == "rate_limit" and back["error"]["status"] == 429
    assert len(back["error"]["message"]) == 500 and back["warmup"] is True
    metrics = metrics_from_record(back)
    assert isinstance(metrics.error, RequestError) and not metrics.ok


@given(st.lists(st.integers(min_value=0, max_value=10**9), max_size=300))
def test_itl_packing_is_lossless_at_microsecond_precision(micros: list[int]) -> None:
    gaps = [us / 1000 for us in micros]
    assert unpack_itl(pack_itl(gaps)) == gaps
    assert len(pack_itl(gaps)) == 4 * len(gaps)


def test_profile_records_are_grouped_by_target_and_tier() -> None:
    assert step_name_of({"target": "a", "context_tokens": 1000}) == "a@1000"
    assert step_name_of({"target": "a", "step": "a@0:rate=5.0"}) == "a@0:rate=5.0"


def test_the_throttle_lets_through_at_most_the_rate() -> None:
    throttle = EventThrottle(8)  # binary-exact times: 1/8 s apart at most
    sent = [t / 64 for t in range(0, 192) if throttle.allow(t / 64)]
    assert len(sent) == 24
    assert all(b - a >= 0.125 for a, b in itertools.pairwise(sent))


def test_targets_pair_by_provider_and_model_then_by_name() -> None:
    base = [TargetIdentity("gpt (a)", "p1", "gpt"), TargetIdentity("local", None, "llama")]
    other = [TargetIdentity("gpt renamed", "p1", "gpt"), TargetIdentity("local", None, "qwen")]
    assert pair_targets(base, other) == [("gpt (a)", "gpt renamed"), ("local", "local")]
    single = pair_targets([base[0]], [TargetIdentity("x", "p9", "other")])
    assert single == [("gpt (a)", "x")]


def test_search_text_is_lower_case_and_deduplicated() -> None:
    assert search_text(["GPT-4o", "gpt-4o", None, " OpenAI "]) == "gpt-4o openai"
