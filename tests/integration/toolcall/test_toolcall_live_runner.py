"""The live runner against the simulator's scripted tool-calling models (sample suite)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from benchstudio.core.net import EgressPolicy
from benchstudio.providers.retry import RetryPolicy
from benchstudio.simulator import SimulatorServer
from benchstudio.toolcall.live.connect import guarded_adapters
from benchstudio.toolcall.live.records import EvalTarget, LiveCaseResult
from benchstudio.toolcall.live.runner import LiveEvalRunner
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.samples import sample_suite_text
from benchstudio.toolcall.schemas import TestCase
from benchstudio.toolcall.suite_file import parse_suite

SUITE = parse_suite(sample_suite_text())
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)


def target(sim: SimulatorServer, model: str, **extra: object) -> EvalTarget:
    return EvalTarget.model_validate(
        {"label": model, "model": model, "base_url": sim.base_url + "/v1", **extra}
    )


async def run_all(
    targets: Sequence[EvalTarget], profile: str = "lenient"
) -> dict[tuple[str, str], LiveCaseResult]:
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        runner = LiveEvalRunner(
            SUITE, targets, get_profile(profile), adapter_for, retry_policy=FAST_RETRY
        )
        results = [result async for result in runner.run()]
    assert len(results) == runner.total == len(targets) * len(SUITE.cases)
    return {(r.target, r.case_id): r for r in results}


async def test_good_model_passes_every_case_including_the_chain(
    scripted_simulator: SimulatorServer,
) -> None:
    results = await run_all([target(scripted_simulator, "good")])
    failing = {k: r.verdict.explanation for k, r in results.items() if not r.passed}
    assert failing == {}
    chain = results[("good", "chain-search-then-book")]
    assert chain.transcript is not None
    assert [len(r.tool_calls) for r in chain.transcript.rounds] == [1, 1, 0]
    assert chain.verdict.multi_turn is not None
    assert chain.verdict.multi_turn.sourcing == 1.0
    assert len(chain.exchanges) == 3
    # The second request carries the mock result of the first call back to the model.
    second = chain.exchanges[1].request["messages"]
    assert second[-1]["role"] == "tool"
    assert json.loads(second[-1]["content"])["flights"][0]["id"] == "SK4711"
    single = results[("good", "weather-single")]
    assert single.exchanges[0].request["tools"][0] == "get_weather"
    assert single.verdict.latency_ms is not None and single.verdict.completion_tokens


async def test_sloppy_model_fails_with_argument_errors(scripted_simulator: SimulatorServer) -> None:
    results = await run_all([target(scripted_simulator, "sloppy")])
    categories = {case: r.verdict.error_category for (_, case), r in results.items()}
    assert categories["weather-single"] == "wrong_argument"
    assert categories["weather-parallel"] == "wrong_call_count"
    assert categories["irrelevant-poem"] == "unwanted_call"
    assert categories["chain-search-then-book"] == "incomplete_chain"
    assert [c for (_, c), r in results.items() if r.passed] == []


async def test_text_answers_fail_as_no_call_and_text_calls_depend_on_profile(
    scripted_simulator: SimulatorServer,
) -> None:
    lenient = await run_all([target(scripted_simulator, "texty")], "lenient")
    strict = await run_all([target(scripted_simulator, "texty")], "strict")
    paris = ("texty", "weather-single")
    assert lenient[paris].passed and lenient[paris].verdict.format == "recovered"
    assert strict[paris].verdict.error_category == "bad_format"
    assert lenient[("texty", "currency-tolerance")].verdict.error_category == "no_call"
    assert lenient[("texty", "irrelevant-poem")].passed


async def test_malformed_json_is_bad_json(scripted_simulator: SimulatorServer) -> None:
    results = await run_all([target(scripted_simulator, "broken")])
    single = results[("broken", "weather-single")].verdict
    assert single.error_category == "bad_json" and single.format == "failed"


async def test_rate_limits_are_retried_and_permanent_ones_are_failures(
    scripted_simulator: SimulatorServer,
) -> None:
    results = await run_all(
        [target(scripted_simulator, "flaky"), target(scripted_simulator, "limited")]
    )
    flaky = [r for (label, _), r in results.items() if label == "flaky"]
    limited = [r for (label, _), r in results.items() if label == "limited"]
    assert all(r.passed for r in flaky)
    assert any(e.attempts > 1 for r in flaky for e in r.exchanges)
    assert len(limited) == len(SUITE.cases)
    assert all(r.verdict.error_category == "api_error" for r in limited)
    exchange = limited[0].exchanges[0]
    assert exchange.error_kind == "rate_limit" and exchange.attempts == 3


async def test_cancel_keeps_finished_cases(scripted_simulator: SimulatorServer) -> None:
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        runner = LiveEvalRunner(
            SUITE,
            [target(scripted_simulator, "good", concurrency=1)],
            get_profile("lenient"),
            adapter_for,
        )
        seen = []
        async for result in runner.run():
            seen.append(result)
            if len(seen) == 2:
                runner.cancel()
    assert runner.cancelled
    assert runner.results == seen
    assert 2 <= len(seen) < runner.total


def test_shared_endpoint_targets_share_the_smallest_limit() -> None:
    from benchstudio.toolcall.live.runner import plan_targets

    url = "http://127.0.0.1:9/v1"
    plans = plan_targets(
        [
            EvalTarget(label="a", model="a", base_url=url, concurrency=3),
            EvalTarget(label="b", model="b", base_url=url),
            EvalTarget(label="c", model="c", base_url="https://api.example.com/v1"),
        ]
    )
    assert [p.concurrency for p in plans] == [2, 2, 4]
    with pytest.raises(ValueError, match="unique"):
        plan_targets([plans[0].target, plans[0].target])


async def test_an_admission_hook_is_asked_before_each_case_and_can_end_the_run(
    scripted_simulator: SimulatorServer,
) -> None:
    asked: list[str] = []

    async def admit(target: EvalTarget, case: TestCase) -> bool:
        asked.append(case.id)
        return len(asked) <= 3  # three cases, then every worker ends

    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        runner = LiveEvalRunner(
            SUITE,
            [target(scripted_simulator, "good", concurrency=2)],
            get_profile("lenient"),
            adapter_for,
            retry_policy=FAST_RETRY,
            admit=admit,
        )
        results = [result async for result in runner.run()]
    assert sorted(r.case_id for r in results) == sorted(asked[:3])
    assert len(results) == 3 < runner.total
    assert len(asked) == 5  # each of the two workers was refused once
