"""Arrival schedules, SLO parsing, summaries and report rendering."""

from __future__ import annotations

import numpy as np
import pytest

from benchstudio.speed.metrics import CONTENT_KIND, StreamTrace, TokenCounting, UsageCounts
from benchstudio.speed.report import render_report
from benchstudio.speed.results import SloTargets, finalize, summary_block
from benchstudio.speed.schedule import arrival_offsets, offsets_for_duration

MS = 1_000_000


def test_constant_arrivals_are_evenly_spaced() -> None:
    assert arrival_offsets(4.0, 4, arrival="constant") == [0.0, 0.25, 0.5, 0.75]


def test_poisson_arrivals_have_the_requested_mean_rate_and_are_seeded() -> None:
    offsets = arrival_offsets(100.0, 5000, run_id="r")
    gaps = np.diff(offsets)
    assert np.mean(gaps) == pytest.approx(0.01, rel=0.05)
    assert np.std(gaps) == pytest.approx(0.01, rel=0.1)  # exponential: std == mean
    assert offsets == arrival_offsets(100.0, 5000, run_id="r")
    assert offsets != arrival_offsets(100.0, 5000, run_id="other")


def test_gamma_burstiness_changes_the_spread_not_the_mean() -> None:
    bursty = np.diff(arrival_offsets(50.0, 5000, arrival="gamma", burstiness=0.25, run_id="g"))
    smooth = np.diff(arrival_offsets(50.0, 5000, arrival="gamma", burstiness=4.0, run_id="g"))
    assert np.mean(bursty) == pytest.approx(0.02, rel=0.1)
    assert np.mean(smooth) == pytest.approx(0.02, rel=0.1)
    assert np.std(bursty) > 3 * np.std(smooth)


def test_duration_bound_schedule() -> None:
    offsets = offsets_for_duration(20.0, 10.0, run_id="d")
    assert all(x < 10.0 for x in offsets)
    assert 140 < len(offsets) < 260


def test_bad_schedules_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        arrival_offsets(0.0, 3)
    with pytest.raises(ValueError, match="burstiness"):
        arrival_offsets(1.0, 3, arrival="gamma", burstiness=0.0)


def test_slo_parse_and_check() -> None:
    slo = SloTargets.parse("ttft_ms=500, tpot_ms=50")
    assert slo.to_dict() == {"ttft_ms": 500.0, "tpot_ms": 50.0}
    with pytest.raises(ValueError, match="bad SLO"):
        SloTargets.parse("latency=3")


def _trace(request_id: str, ttft_ms: float, gap_ms: float, tokens: int) -> StreamTrace:
    trace = StreamTrace(request_id, sent_ns=0)
    for i in range(tokens):
        trace.add_chunk(int((ttft_ms + i * gap_ms) * MS), CONTENT_KIND, "x")
    trace.usage = UsageCounts(10, tokens)
    trace.end_ns = int((ttft_ms + tokens * gap_ms) * MS)
    trace.compact()
    return trace


def test_summary_block_goodput_and_throughput() -> None:
    traces = [_trace(f"r{i}", 100 + 100 * i, 10, 5) for i in range(10)]
    records = finalize(traces, TokenCounting(), model="m", cost=lambda *_: 0.001)
    block = summary_block(records, wall_s=2.0, run_id="x", slo=SloTargets(ttft_ms=450))
    assert block["requests"] == 10
    assert block["ttft_ms"]["p50"] == pytest.approx(550.0)
    assert block["tpot_ms"]["mean"] == pytest.approx(10.0)
    assert block["request_throughput"] == 5.0
    assert block["output_token_throughput"] == 25.0
    assert block["slo"]["met"] == 4
    assert block["slo"]["goodput_rps"] == 2.0
    assert block["cost_usd"] == pytest.approx(0.01)
    assert block["error_rate"] == 0.0
    assert block["itl_ms"]["count"] == 40


def test_report_renders_self_contained_html() -> None:
    traces = [_trace(f"r{i}", 100 + i, 10, 5) for i in range(5)]
    records = finalize(traces, TokenCounting(), model="m", extra={"target": "<b>t</b>"})
    data = {
        "run_id": "abc",
        "status": "completed",
        "config": {"targets": [{"name": "t", "model": "m"}], "context_tokens": [0]},
        "diagnostics": {"trustworthy": True, "event_loop_lag_ms": {"p99": 0.1}},
        "summary": summary_block(records, wall_s=1.0, run_id="abc"),
        "requests": [r.to_dict() for r in records],
    }
    page = render_report(data)
    assert page.startswith("<!doctype html>")
    assert "<svg" in page
    assert "<b>t</b>" not in page  # names are escaped
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
