"""Worker shares of a load point, the merge of worker steps, and connection counts ahead of a
window: values checked against sums and formulas computed here."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from benchstudio.speed.config import BenchConfig, TargetConfig, split_evenly, split_in_proportion
from benchstudio.speed.connections import (
    RATE_CONNECTIONS_CAP,
    WindowConnections,
    rate_connections,
)
from benchstudio.speed.diagnostics import Diagnostics
from benchstudio.speed.engine import LoadShape
from benchstudio.speed.launch import merge_steps, worker_config
from benchstudio.speed.metrics import RequestError, RequestMetrics, StreamTrace
from benchstudio.speed.steps import StepResult


def _config(**fields: Any) -> BenchConfig:
    return BenchConfig(targets=[TargetConfig(base_url="http://h/v1", model="m")], **fields)


def test_split_evenly_and_in_proportion_add_up() -> None:
    for total in range(1, 40):
        for parts in range(1, 9):
            even = split_evenly(total, parts)
            assert sum(even) == total and max(even) - min(even) <= 1
    assert split_in_proportion(100, [3, 2]) == [60, 40]
    assert split_in_proportion(10, [3, 2, 2]) == [4, 3, 3]  # 4.29, 2.86, 2.86
    assert split_in_proportion(2, [3, 2]) == [1, 1]
    for total in range(2, 30):
        for weights in ([1, 1], [5, 1], [9, 1, 1], [2, 2, 1]):
            if total < len(weights):
                continue
            parts = split_in_proportion(total, weights)
            assert sum(parts) == total and min(parts) >= 1


@pytest.mark.parametrize(
    ("concurrency", "workers", "requests"), [(5, 2, 100), (7, 3, 20), (64, 4, 9)]
)
def test_concurrency_shares_add_up_to_the_configured_point(
    concurrency: int, workers: int, requests: int
) -> None:
    config = _config(concurrency=concurrency, num_requests=requests, workers=workers)
    shares = [
        worker_config(config, i, workers).load_share(concurrency=concurrency, rate=None)
        for i in range(workers)
    ]
    active = [s for s in shares if s is not None]
    assert sum(s.concurrency or 0 for s in active) == concurrency
    assert sum(s.num_requests or 0 for s in active) == requests
    assert all(s.rate is None and (s.num_requests or 0) >= 1 for s in active)
    assert len(active) == min(workers, concurrency, requests)


def test_five_streams_over_two_workers_are_three_and_two() -> None:
    config = _config(concurrency=5, num_requests=100, workers=2)
    first, second = (worker_config(config, i, 2) for i in range(2))
    a = first.load_share(concurrency=5, rate=None)
    b = second.load_share(concurrency=5, rate=None)
    assert a is not None and b is not None
    assert (a.concurrency, a.num_requests, b.concurrency, b.num_requests) == (3, 60, 2, 40)
    # The configured point is unchanged in each worker's config: steps are named after it.
    assert first.concurrency == second.concurrency == 5
    assert (first.warmup, second.warmup) == (config.warmup, 0)
    assert "worker_index" not in first.public_dict()


def test_a_point_smaller_than_the_worker_count_leaves_workers_idle() -> None:
    config = _config(sweep_concurrency=[1, 3], workers=2, num_requests=9)
    shares = [worker_config(config, i, 2).load_share(concurrency=1, rate=None) for i in range(2)]
    assert shares[1] is None
    assert shares[0] is not None and (shares[0].concurrency, shares[0].num_requests) == (1, 9)


def test_rate_shares_divide_rate_requests_and_cap() -> None:
    config = _config(
        request_rate=30.0, num_requests=61, max_in_flight=7, workers=3, arrival="constant"
    )
    shares = [worker_config(config, i, 3).load_share(concurrency=None, rate=30.0) for i in range(3)]
    assert all(s is not None for s in shares)
    assert sum(s.rate or 0 for s in shares if s) == pytest.approx(30.0)
    assert sum(s.num_requests or 0 for s in shares if s) == 61
    assert sum(s.max_in_flight or 0 for s in shares if s) == 7
    # Constant arrivals: workers are phased 1/30 s apart, so merged arrivals stay evenly spaced.
    assert [s.start_offset_s for s in shares if s] == pytest.approx([0.0, 1 / 30, 2 / 30])
    poisson = _config(request_rate=30.0, workers=3)
    assert worker_config(poisson, 2, 3).load_share(concurrency=None, rate=30.0).start_offset_s == 0  # type: ignore[union-attr]


def test_one_process_sends_the_whole_point() -> None:
    config = _config(concurrency=5, num_requests=50, max_in_flight=3)
    share = config.load_share(concurrency=5, rate=None)
    assert share is not None and (share.concurrency, share.num_requests) == (5, 50)
    share = config.load_share(concurrency=None, rate=2.5)
    assert share is not None and (share.rate, share.max_in_flight) == (2.5, 3)


def test_slo_search_with_workers_is_refused() -> None:
    with pytest.raises(ValidationError, match="one process"):
        _config(slo={"ttft_ms": 100}, slo_search=True, request_rate=10, workers=2)
    with pytest.raises(ValidationError, match="worker_index"):
        _config(concurrency=2, workers=2, worker_index=2)


def _record(request_id: str) -> RequestMetrics:
    return RequestMetrics(
        request_id, 1.0, 1.0, [], None, 2.0, 0.5, 1, 1, 0, None, False, None, None, 1, "stop", None
    )


def _step(
    name: str, records: int, wall_s: float, rate: float | None, workers: int = 1
) -> StepResult:
    diagnostics = Diagnostics(
        wall_s=wall_s, cpu_s=wall_s / 4, requested_rate=rate, completed=records, workers=workers
    )
    return StepResult(
        name,
        "m",
        "m",
        "rate",
        0,
        [_record(f"{name}-{wall_s}-{i}") for i in range(records)],
        wall_s,
        diagnostics,
        request_rate=20.0,
    )


def test_merge_keeps_the_configured_point_and_merges_windows_in_parallel() -> None:
    worker_a = [_step("m@0:rate=20.0", 6, 2.0, 10.0)]
    worker_b = [_step("m@0:rate=20.0", 4, 2.5, 10.0)]
    (merged,) = merge_steps([worker_a, worker_b])
    assert merged.name == "m@0:rate=20.0" and merged.request_rate == 20.0
    assert len(merged.records) == 10
    assert merged.wall_s == 2.5
    assert merged.diagnostics.workers == 2
    assert merged.diagnostics.requested_rate == pytest.approx(20.0)
    assert merged.diagnostics.completed == 10
    # An idle worker's step (no share) adds nothing.
    idle = StepResult("m@0:rate=20.0", "m", "m", "rate", 0, [], 0.0, Diagnostics(workers=0))
    (alone,) = merge_steps([[_step("m@0:rate=20.0", 3, 1.0, 20.0)], [idle]])
    assert (alone.diagnostics.workers, len(alone.records), alone.wall_s) == (1, 3, 1.0)


def test_rate_connections_follow_littles_law_with_poisson_headroom() -> None:
    for rate, latency in ((10.0, 1.0), (50.0, 0.2), (3.0, 0.5), (200.0, 0.8)):
        in_flight = rate * latency
        expected = min(math.ceil(in_flight + 3 * math.sqrt(in_flight)), RATE_CONNECTIONS_CAP)
        got = rate_connections(rate, latency, max_in_flight=None, num_requests=None)
        assert got == expected
    assert rate_connections(10.0, 1.0, max_in_flight=None, num_requests=None) == 20  # 10 + 9.49
    assert rate_connections(10.0, 1.0, max_in_flight=4, num_requests=None) == 4
    assert rate_connections(10.0, 1.0, max_in_flight=None, num_requests=6) == 6
    assert rate_connections(0.01, 0.0, max_in_flight=None, num_requests=None) == 1
    assert (
        rate_connections(1e6, 10.0, max_in_flight=None, num_requests=None) == RATE_CONNECTIONS_CAP
    )


def test_rate_steps_size_the_pool_from_the_targets_warm_up_latency() -> None:
    connections = WindowConnections(cold=False)
    shape = LoadShape(rate=40.0, num_requests=500)
    # No warm-up seen: 1 s assumed, L = 40.
    assert connections.connections_for("t", shape) == math.ceil(40 + 3 * math.sqrt(40))
    warm = StreamTrace("w", sent_ns=1_000_000_000, end_ns=1_250_000_000)  # E2E 0.25 s
    connections.observe_warmup("t", warm)
    assert connections.connections_for("t", shape) == math.ceil(10 + 3 * math.sqrt(10))  # 20
    assert connections.connections_for("other", shape) == 59
    failed = StreamTrace("x", sent_ns=0, end_ns=9_000_000_000, error=RequestError("server", "x"))
    connections.observe_warmup("t", failed)  # a failed warm-up says nothing about latency
    assert connections.connections_for("t", shape) == 20
    assert connections.connections_for("t", LoadShape(concurrency=7, num_requests=1)) == 7


@pytest.mark.parametrize("cold", [False, True])
def test_a_cold_runs_ttft_includes_the_connect_and_a_default_runs_does_not(cold: bool) -> None:
    from benchstudio.providers.connections import ConnectTimes
    from benchstudio.speed.connections import attach_connect_times

    times = ConnectTimes()
    times.record("paid", 3_000_000)
    times.record("reused", 0)
    paid = StreamTrace("paid", 10_000_000, first_byte_ns=14_000_000, end_ns=20_000_000)
    reused = StreamTrace("reused", 10_000_000, end_ns=20_000_000)
    paid.add_chunk(15_000_000, 0, "a")
    attach_connect_times([paid, reused], times, cold=cold)
    assert (paid.connect_ns, reused.connect_ns) == (3_000_000, 0)
    # The origin (body on the socket) moves back by the connect only when the run is cold.
    assert paid.sent_ns == (7_000_000 if cold else 10_000_000)
    assert reused.sent_ns == 10_000_000
    assert len(times) == 0  # read once, then forgotten
