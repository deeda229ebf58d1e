"""The estimate counts what a run sends: skipped tiers, worker shares, own output caps."""

from __future__ import annotations

import pytest

from benchstudio.speed.config import BenchConfig
from benchstudio.speed.output import estimate_run, planned_requests
from benchstudio.speed.prompts import build_prompt
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model

PRICES = {"input": 2.0, "output": 8.0}


def _config(**fields: object) -> BenchConfig:
    targets = [
        {"name": "a", "base_url": "http://x/v1", "model": "m", "prices": PRICES},
        {"name": "b", "base_url": "http://y/v1", "model": "m", "prices": PRICES},
    ]
    return BenchConfig.model_validate({"targets": targets, **fields})


@pytest.mark.parametrize(("requests", "workers"), [(3, 4), (10, 3), (7, 7), (100, 2)])
def test_worker_shares_are_what_the_workers_send(requests: int, workers: int) -> None:
    config = _config(concurrency=2, num_requests=requests, workers=workers, warmup=2)
    shares = [
        config.model_copy(update={"worker_index": i}).load_share(concurrency=2, rate=None)
        for i in range(workers)
    ]
    sent = sum(share.num_requests or 0 for share in shares if share is not None)
    assert sent == requests  # the workers' shares add up to the configured count
    assert planned_requests(config) == (requests + 2, True)


def test_duration_bounds_are_not_exact() -> None:
    assert planned_requests(_config(request_rate=5.0, duration_s=10)) == (50 + 1, False)
    assert planned_requests(_config(request_rate=5.0, duration_s=10, num_requests=20))[1] is False


def test_tokens_and_cost_follow_each_targets_cap_and_fitting_tiers() -> None:
    config = _config(runs=3, warmup=1, context_tokens=[0, 500], max_tokens=100)
    config.targets[1].context_window = 550  # 500 + 100 > 550: the 500 tier is skipped for b
    a, b = estimate_run(config, {"a": 40})
    counter = TokenCounter(encoding_for_model("m"))
    sizes = [
        build_prompt(config.prompt, target_tokens=t, salt="0" * 12, counter=counter).tokens(counter)
        for t in (0, 500)
    ]
    assert (a.requests, b.requests) == (8, 4)
    assert b.skipped_tiers == (500,) and a.skipped_tiers == ()
    assert a.input_tokens == 4 * sum(sizes) and b.input_tokens == 4 * sizes[0]
    assert (a.output_tokens, b.output_tokens) == (8 * 40, 4 * 100)
    assert a.cost_usd == pytest.approx((a.input_tokens * 2.0 + 8 * 40 * 8.0) / 1e6)
    assert b.cost_usd == pytest.approx((b.input_tokens * 2.0 + 4 * 100 * 8.0) / 1e6)
