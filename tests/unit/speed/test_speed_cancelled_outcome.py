"""Requests the run cuts short when it stops are `cancelled`: an outcome of their own, never
an error, out of the error rate, the SLO attainment and every distribution (issue 17, bug 7)."""

from __future__ import annotations

import pytest

from benchstudio.benchruns.domain import outcome_of
from benchstudio.benchruns.domain.results_import import totals_of
from benchstudio.speed.metrics import (
    CANCELLED,
    CONTENT_KIND,
    RequestError,
    RequestMetrics,
    StreamTrace,
    TokenCounting,
    UsageCounts,
)
from benchstudio.speed.output import summary_row
from benchstudio.speed.results import SloTargets, finalize, summary_block

MS = 1_000_000


def _trace(
    request_id: str, ttft_ms: float, tokens: int, error: RequestError | None = None
) -> StreamTrace:
    trace = StreamTrace(request_id, sent_ns=0)
    for i in range(tokens):
        trace.add_chunk(int((ttft_ms + i * 10) * MS), CONTENT_KIND, "x")
    trace.usage = UsageCounts(10, tokens)
    # A cut-short request's last gap runs to the stop: far longer than any real one.
    trace.end_ns = int((ttft_ms + tokens * 10 + (60_000 if error else 0)) * MS)
    trace.error = error
    trace.compact()
    return trace


def _records() -> list[RequestMetrics]:
    stopped = RequestError(CANCELLED, "the run was stopped before this request ended")
    traces = [_trace(f"r{i}", 100, 5) for i in range(8)]
    traces += [_trace("c1", 100, 3, stopped), _trace("c2", 100, 2, stopped)]
    traces += [_trace("e1", 100, 0, RequestError("server", "boom", 500))]
    return finalize(traces, TokenCounting(), model="m")


def test_cancelled_requests_are_their_own_outcome_in_the_summary() -> None:
    records = _records()
    assert [r.outcome for r in records[-3:]] == ["cancelled", "cancelled", "error"]
    block = summary_block(records, wall_s=1.0, run_id="x", slo=SloTargets(ttft_ms=500))
    assert block["cancelled"] == 2
    assert block["requests"] == 9  # 8 ok + 1 error; the cancelled ones are not measured
    assert block["errors"] == 1
    assert block["errors_by_category"] == {"server": 1}
    assert block["error_rate"] == pytest.approx(1 / 9)
    assert block["slo"]["attainment"] == pytest.approx(8 / 9, abs=1e-4)
    # No gap of a cancelled request reaches the ITL distribution.
    assert block["itl_ms"]["count"] == 8 * 4
    assert block["itl_ms"]["max"] == pytest.approx(10.0)


def test_exports_and_stored_totals_say_cancelled() -> None:
    dicts = [r.to_dict() for r in _records()]
    assert [outcome_of(d) for d in dicts[-3:]] == ["cancelled", "cancelled", "error"]
    totals = totals_of(dicts)
    assert (totals["requests"], totals["errors"], totals["cancelled"]) == (9, 1, 2)
    block = {
        "name": "s",
        "target": "t",
        "model": "m",
        "mode": "profile",
        "context_tokens": 0,
        "diagnostics": {"trustworthy": True},
        "summary": summary_block(_records(), wall_s=1.0, run_id="x"),
    }
    row = summary_row(block)
    assert (row["errors"], row["cancelled"]) == (1, 2)
