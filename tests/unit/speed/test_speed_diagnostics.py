"""Diagnostics: sequential and parallel merges, run-level lanes, verdicts and their messages."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from benchstudio.core.stats import percentile
from benchstudio.speed.diagnostics import (
    CPU_SHARE_LIMIT,
    LOOP_LAG_P99_LIMIT_MS,
    Diagnostics,
    lane_of,
    measured_wall_s,
    run_diagnostics,
)


def window(
    wall_s: float, completed: int, rate: float | None = None, cpu_s: float = 0.1
) -> Diagnostics:
    return Diagnostics(
        wall_s=wall_s,
        cpu_s=cpu_s,
        loop_lag_ms=[0.5] * completed,
        requested_rate=rate,
        completed=completed,
    )


def test_three_tiers_in_turn_are_one_worker_at_one_rate() -> None:
    # Three tiers of one target: 5 requests each over 0.30, 0.31 and 0.29 s.
    tiers = [window(0.30, 5), window(0.31, 5), window(0.29, 5)]
    merged = run_diagnostics(("", d) for d in tiers)
    assert merged.workers == 1
    assert math.isclose(merged.wall_s, 0.90)
    assert math.isclose(merged.cpu_s, 0.30)
    assert merged.completed == 15
    assert math.isclose(merged.achieved_rate or 0, 15 / 0.90)
    assert len(merged.loop_lag_ms) == 15
    # The old parallel merge gave three workers and three times the rate.
    parallel = tiers[0].merge(tiers[1]).merge(tiers[2])
    assert parallel.workers == 3
    assert math.isclose(parallel.achieved_rate or 0, 15 / 0.31)


def test_sequential_rates_are_time_weighted() -> None:
    sweep = [window(2.0, 20, rate=10.0), window(1.0, 40, rate=40.0)]
    merged = sweep[0].merge_sequential(sweep[1])
    # 20 + 40 requests were asked for over 3 s: 20 req/s, the same basis as the achieved rate.
    assert math.isclose(merged.requested_rate or 0, (10 * 2 + 40 * 1) / 3)
    assert math.isclose(merged.achieved_rate or 0, 60 / 3)
    assert window(1, 1, rate=5).merge_sequential(window(1, 1)).requested_rate is None


def test_lanes_in_parallel_take_the_longest_lane() -> None:
    # Two providers side by side; the first measured two tiers in turn.
    steps = [("a", window(1.0, 10)), ("b", window(1.5, 5)), ("a", window(1.0, 10))]
    merged = run_diagnostics(steps)
    assert math.isclose(merged.wall_s, 2.0)
    assert merged.completed == 25
    assert merged.workers == 1  # one process
    assert measured_wall_s((lane, d.wall_s) for lane, d in steps) == 2.0


def test_worker_processes_still_add_up() -> None:
    merged = window(1.0, 10, rate=5.0).merge(window(1.2, 10, rate=5.0))
    assert merged.workers == 2
    assert merged.requested_rate == 10.0
    assert merged.wall_s == 1.2


def test_nothing_measured_is_neither_trustworthy_nor_not() -> None:
    assert Diagnostics().to_dict()["trustworthy"] is None
    assert run_diagnostics([("", Diagnostics())]).to_dict()["trustworthy"] is None
    assert window(1.0, 3).to_dict()["trustworthy"] is True


def test_lane_of_follows_how_the_runner_schedules_steps() -> None:
    targets = [
        {"name": "a", "base_url": "http://h1/v1", "protocol": "openai"},
        {"name": "b", "base_url": "http://h1/v1/", "protocol": "openai"},
        {"name": "c", "base_url": "http://h2/v1", "protocol": "openai"},
    ]
    profile = {"targets": targets}
    assert lane_of(profile, "a") == lane_of(profile, "b") != lane_of(profile, "c")
    parallel = {"targets": targets, "parallel_models": True}
    assert lane_of(parallel, "a") != lane_of(parallel, "b")
    for key, value in (("concurrency", 4), ("request_rate", 2.0), ("sweep_rate", [1.0])):
        load = {"targets": targets, key: value}
        assert lane_of(load, "a") == lane_of(load, "c")


lags = st.lists(st.floats(min_value=0.0, max_value=20.0), min_size=1, max_size=60)


@given(lags, st.floats(min_value=0.0, max_value=2.0))
def test_reasons_never_print_a_value_equal_to_its_limit(lag_ms: list[float], share: float) -> None:
    diagnostics = Diagnostics(wall_s=1.0, cpu_s=share, loop_lag_ms=lag_ms, completed=1)
    reasons = diagnostics.untrustworthy_reasons()
    p99 = percentile(lag_ms, 99)
    assert p99 is not None
    shown_lag, shown_share = f"{p99:.1f}", f"{share:.0%}"
    # A reason appears exactly when the printed value exceeds the printed limit.
    assert any("event-loop" in r for r in reasons) == (float(shown_lag) > LOOP_LAG_P99_LIMIT_MS)
    assert any("CPU" in r for r in reasons) == (
        float(shown_share.rstrip("%")) > CPU_SHARE_LIMIT * 100
    )
    for reason in reasons:
        value, limit = re.findall(r"[\d.]+", reason.split("share")[-1].split("p99")[-1])
        assert float(value) > float(limit), reason
    assert diagnostics.to_dict()["trustworthy"] is (not reasons)


def test_five_point_oh_is_not_above_five_point_oh() -> None:
    # uvloop's clock ticks in whole milliseconds: a p99 interpolated to 5.04 ms prints 5.0.
    lag = [0.0] * 97 + [5.0, 5.0, 7.0]
    assert 5.0 < (percentile(lag, 99) or 0) < 5.05
    assert Diagnostics(wall_s=1, loop_lag_ms=lag, completed=1).untrustworthy_reasons() == []
