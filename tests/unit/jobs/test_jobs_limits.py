"""The one limit check every job type goes through (its estimate against the owner's limits),
and the request cap of the speed runner's `RunControl`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchstudio.core.errors import AppError
from benchstudio.jobs.domain import (
    JobEstimate,
    UserLimits,
    check_request_limit,
    check_spend_cap,
    month_key,
)
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.engine import RunControl
from benchstudio.speed.launch import worker_config


def test_the_request_limit_refuses_an_estimate_over_it() -> None:
    limits = UserLimits(max_runs_per_benchmark=10)
    check_request_limit(JobEstimate(requests=10), limits)
    with pytest.raises(AppError) as refused:
        check_request_limit(JobEstimate(requests=11, noun="case runs"), limits)
    assert refused.value.code == "too_many_runs" and refused.value.status_code == 422
    assert "11 case runs" in refused.value.message
    check_request_limit(JobEstimate(requests=10**9), UserLimits(max_runs_per_benchmark=None))


def test_the_spend_cap_reserves_the_estimate_or_refuses() -> None:
    assert check_spend_cap(JobEstimate(cost_usd=0.5), 1.0, 0.5) == 0.5
    assert check_spend_cap(JobEstimate(cost_usd=None), None, 99.0) == 0.0
    with pytest.raises(AppError) as capped:
        check_spend_cap(JobEstimate(cost_usd=0.6), 1.0, 0.5)
    assert capped.value.code == "spend_cap_reached" and capped.value.status_code == 403
    with pytest.raises(AppError) as unpriced:
        check_spend_cap(JobEstimate(cost_usd=None, unpriced=("local-llm",)), 1.0, 0.9)
    assert unpriced.value.code == "price_needed" and "local-llm" in unpriced.value.message
    with pytest.raises(AppError) as spent:
        check_spend_cap(JobEstimate(cost_usd=0.0), 1.0, 1.0)
    assert spent.value.code == "spend_cap_reached"


def test_months_are_keyed_in_utc() -> None:
    assert month_key(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12"


def test_the_run_control_stops_at_its_request_limit() -> None:
    control = RunControl(request_limit=3)
    assert [control.claim_send() for _ in range(5)] == [True, True, True, False, False]
    assert control.sent == 3 and control.stopped
    assert control.stop_reason == "request limit: 3 requests sent"
    unbounded = RunControl()
    assert all(unbounded.claim_send() for _ in range(1000))


def test_worker_shares_of_a_request_limit_add_up_to_it() -> None:
    config = BenchConfig(
        targets=[TargetConfig(name="t", base_url="http://127.0.0.1:1/v1", model="m")],
        num_requests=10,
        concurrency=2,
        workers=3,
        max_requests=10,
    )
    shares = [worker_config(config, i, 3).max_requests for i in range(3)]
    assert shares == [4, 3, 3]
    assert config.within(5, 0.25).max_requests == 5
    assert config.within(None, 0.25).max_cost == 0.25
