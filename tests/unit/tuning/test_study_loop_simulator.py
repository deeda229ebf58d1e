"""The study loop with the in-process evaluator against the simulator's tunable demo model:
a 2-D grid over temperature and top_p finds the surface's best region."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from study_loop_fakes import FakeEvaluator, make_plan

from benchstudio.cli.demo_simulator import demo_config
from benchstudio.core.net import EgressPolicy
from benchstudio.providers.pricing import ModelPrice
from benchstudio.providers.retry import RetryPolicy
from benchstudio.simulator import SimulatorServer, load_config
from benchstudio.toolcall.live.connect import guarded_adapters
from benchstudio.toolcall.live.records import EvalTarget
from benchstudio.toolcall.profiles import get_profile
from benchstudio.toolcall.schemas import Suite
from benchstudio.tuning.domain.objective import ObjectiveSpec
from benchstudio.tuning.domain.space import ChoiceDimension, RangeDimension, SearchSpace
from benchstudio.tuning.domain.strategies import StrategySpec
from benchstudio.tuning.domain.study_state import StoppingRules
from benchstudio.tuning.service import check_space, provider_rules
from benchstudio.tuning.service.local_trials import (
    LocalTrialEvaluator,
    MemorySink,
    repeat_target,
    target_base_params,
)
from benchstudio.tuning.service.study_loop import run_study
from benchstudio.tuning.service.study_types import (
    Baseline,
    StudyBudget,
    StudyPlan,
    TrialRequest,
)

MODEL = "benchstudio-sim-tunable"
CITIES = (
    "Paris", "Oslo", "Rome", "Berlin", "Madrid", "Lisbon", "Vienna", "Prague", "Dublin",
    "Warsaw", "Athens", "Helsinki", "Stockholm", "Copenhagen", "Brussels", "Amsterdam",
    "Zurich", "Budapest", "Bucharest", "Sofia", "Riga", "Vilnius", "Tallinn", "Ljubljana",
    "Zagreb", "Belgrade", "Bratislava", "Reykjavik", "Valletta", "Nicosia",
)  # fmt: skip
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_news",
            "description": "News headlines about a topic.",
            "parameters": {"type": "object", "properties": {"topic": {"type": "string"}}},
        },
    },
]
SUITE = Suite.model_validate(
    {
        "name": "weather in many cities",
        "tools": TOOLS,
        "cases": [
            {
                "id": f"weather-{city.lower()}",
                "prompt": f"What's the weather like in {city} today?",
                "expected_calls": [
                    {"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}
                ],
            }
            for city in CITIES
        ],
    }
)
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.05)


@pytest.fixture
async def simulator() -> AsyncIterator[SimulatorServer]:
    demo = load_config(str(demo_config()))
    # The demo's accuracy surface, without its pacing (a tool call is a few tokens anyway).
    fast = {"ttft_ms": 1.0, "itl_ms": 0.0, "prefill_ms_per_1k_tokens": 0.0}
    config = demo.model_copy(update={"models": [m.model_copy(update=fast) for m in demo.models]})
    async with SimulatorServer(config) as server:
        yield server


def _target(sim: SimulatorServer, **extra: Any) -> EvalTarget:
    return EvalTarget(label=MODEL, model=MODEL, base_url=f"http://127.0.0.1:{sim.port}/v1", **extra)


def _plan(target: EvalTarget, space: SearchSpace, **changes: Any) -> StudyPlan:
    rules = provider_rules(target.provider_name, MODEL)
    defaults: dict[str, Any] = {
        "space": check_space(space, target.provider_name, MODEL),
        "rules": rules,
        "base_params": target_base_params(target),
        "strategy": StrategySpec(kind="grid"),
        "objective": ObjectiveSpec(),
        "stopping": StoppingRules(prune=False),
        "budget": StudyBudget(max_trials=50),
        "concurrency": 2,
        "cases": len(SUITE.cases),
        "repeats": 1,
        "baselines": [Baseline("baseline_default", "provider default", {})],
        "seed": 11,
    }
    return StudyPlan(**{**defaults, **changes})


async def test_a_grid_over_the_tunable_model_finds_its_best_region(
    simulator: SimulatorServer,
) -> None:
    target = _target(simulator)
    space = SearchSpace(
        (
            RangeDimension("temperature", 0.3, 1.5, step=0.6),
            RangeDimension("top_p", 0.2, 0.8, step=0.3),
        )
    )
    price = ModelPrice(input=Decimal("1"), output=Decimal("2"))
    sink = MemorySink()
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        evaluator = LocalTrialEvaluator(
            SUITE,
            target,
            get_profile("lenient"),
            adapter_for,
            price=price,
            case_concurrency=2,
            retry_policy=FAST_RETRY,
        )
        outcome = await run_study(_plan(target, space), evaluator, sink)
    assert outcome.stop_reason == "space_exhausted"
    assert len(outcome.trials) == 1 + 9 and sink.trials and len(sink.trials) == 10
    assert all(t.state == "complete" for t in outcome.trials)
    scores = {str(t.point): t.score.score for t in outcome.trials if t.score}
    best = sink.best
    assert best is not None and best.score is not None
    # The surface peaks at temperature 0.3, top_p 0.8 (0.88 with the penalties at their
    # defaults; 0.74 at temperature 0.9), and falls to 0 at the far corner (1.5, 0.2).
    assert best.point["top_p"] == 0.8 and best.point["temperature"] in (0.3, 0.9)
    assert best.score.score >= 0.75
    for temperature in (0.3, 0.9, 1.5):  # along every column, top_p 0.8 beats 0.2
        low, high = ({"temperature": temperature, "top_p": p} for p in (0.2, 0.8))
        assert scores[str(high)] > scores[str(low)] + 0.2
    assert scores[str({"temperature": 1.5, "top_p": 0.2})] <= 0.2
    default = outcome.trials[0]
    assert default.kind == "baseline_default" and default.effective == {}
    assert default.score is not None and default.score.score < best.score.score - 0.15
    # One call per case, priced by the tokens the simulator reports.
    assert outcome.calls_used == 10 * len(SUITE.cases)
    assert all(t.calls == len(SUITE.cases) for t in outcome.trials)
    assert 0 < outcome.cost_usd == pytest.approx(sum(t.cost_usd for t in outcome.trials))
    assert best.score.latency_p50_ms is not None and best.score.latency_p50_ms > 0


async def _run_local(
    sim: SimulatorServer, space: SearchSpace, **changes: Any
) -> tuple[StudyPlan, Any]:
    target = _target(sim)
    plan = _plan(target, space, concurrency=1, baselines=[], **changes)
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        evaluator = LocalTrialEvaluator(
            SUITE, target, get_profile("lenient"), adapter_for, case_concurrency=1
        )
        return plan, await run_study(plan, evaluator, MemorySink())


async def test_local_trials_are_pruned_once_they_cannot_beat_the_best(
    simulator: SimulatorServer,
) -> None:
    # Best first (top_p 0.8, about 0.87), then two clearly worse points.
    space = SearchSpace((ChoiceDimension("top_p", (0.8, 0.2, 0.5)),))
    _, outcome = await _run_local(simulator, space, stopping=StoppingRules(prune=True), repeats=2)
    first, *rest = outcome.trials
    assert first.state == "complete" and first.score is not None
    assert len(first.repeats) == 2 and first.score.cases == 2 * len(SUITE.cases)
    pruned = [t for t in rest if t.state == "pruned"]
    assert pruned and all(t.partial is not None and t.partial < first.score.score for t in pruned)
    assert all(t.calls < 2 * len(SUITE.cases) for t in pruned)
    assert outcome.stop_reason == "space_exhausted"


async def test_local_trials_stop_at_the_calls_bound(simulator: SimulatorServer) -> None:
    space = SearchSpace((RangeDimension("top_p", 0.2, 0.8, step=0.3),))
    max_calls = len(SUITE.cases) + 10
    _, outcome = await _run_local(
        simulator, space, budget=StudyBudget(max_trials=10, max_calls=max_calls)
    )
    assert outcome.stop_reason == "max_calls"
    assert outcome.calls_used == max_calls
    first, stopped = outcome.trials
    assert first.state == "complete" and first.calls == len(SUITE.cases)
    assert stopped.state == "pruned" and stopped.calls == 10
    assert stopped.score is not None and stopped.score.cases == 10


async def test_local_trials_stay_within_the_cost_bound_with_cases_in_flight(
    simulator: SimulatorServer,
) -> None:
    """Four cases in flight per trial: each case is admitted only when the spend, the cases in
    flight and its own expected cost fit the trial's share, so no trial runs past the bound
    (before, the cases already in flight when the tally crossed it all added to it)."""
    target = _target(simulator)
    price = ModelPrice(input=Decimal("1000"), output=Decimal("1000"))
    space = SearchSpace((RangeDimension("top_p", 0.2, 0.8, step=0.3),))

    async def study(budget: StudyBudget) -> Any:
        plan = _plan(target, space, concurrency=1, baselines=[], budget=budget)
        async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
            evaluator = LocalTrialEvaluator(
                SUITE, target, get_profile("lenient"), adapter_for, price=price, case_concurrency=4
            )
            return await run_study(plan, evaluator, MemorySink())

    one = (await study(StudyBudget(max_trials=1))).cost_usd
    cap = one * 1.4
    outcome = await study(StudyBudget(max_trials=10, max_cost_usd=cap))
    assert outcome.stop_reason == "max_cost"
    assert outcome.cost_usd <= cap
    assert cap - one / 3 < outcome.cost_usd  # the rest went to cases that fitted
    # The stopped trial held all that was left: no empty trial is started after it.
    first, stopped = outcome.trials
    assert first.state == "complete" and stopped.state == "pruned"
    assert 0 < stopped.calls < len(SUITE.cases)


def test_a_repeat_target_lays_the_point_and_seed_over_the_target() -> None:
    target = EvalTarget(
        label="m",
        model="m",
        base_url="http://127.0.0.1:1/v1",
        api_key="secret",
        temperature=0.7,
        max_tokens=64,
        params={"top_k": 5, "frequency_penalty": 0.1},
    )
    assert target_base_params(target) == {
        "top_k": 5,
        "frequency_penalty": 0.1,
        "temperature": 0.7,
        "max_tokens": 64,
    }
    made = repeat_target(target, {"temperature": 0.2, "top_p": 0.9}, seed=42, repeat=1)
    assert made.label == "repeat 2" and made.api_key == "secret"
    assert made.temperature == 0.2 and made.max_tokens == 64
    assert made.params == {"top_k": 5, "frequency_penalty": 0.1, "top_p": 0.9, "seed": 42}


async def test_the_memory_sink_calls_plain_and_async_hooks() -> None:
    seen: list[str] = []

    async def started(request: object) -> None:
        await asyncio.sleep(0)
        seen.append("started")

    sink = MemorySink(on_started=started, on_progress=lambda p: seen.append("progress"))
    outcome = await run_study(make_plan(budget=StudyBudget(max_trials=2)), FakeEvaluator(), sink)
    assert sink.trials == outcome.trials and not sink.running
    assert seen.count("started") == 2 and seen.count("progress") >= 2
    assert sink.best is not None and sink.last_progress is not None


async def test_trials_an_endpoint_refuses_fail_fast_with_its_error() -> None:
    target = EvalTarget(label=MODEL, model=MODEL, base_url="http://127.0.0.1:9/v1")
    space = SearchSpace((RangeDimension("top_p", 0.2, 0.8, step=0.6),))
    plan = _plan(target, space, concurrency=1)
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        evaluator = LocalTrialEvaluator(
            SUITE, target, get_profile("lenient"), adapter_for, retry_policy=FAST_RETRY
        )
        outcome = await run_study(plan, evaluator, MemorySink())
    assert outcome.stop_reason == "space_exhausted"
    assert [t.state for t in outcome.trials] == ["failed"] * 3
    for trial in outcome.trials:
        assert trial.score is None and trial.error
        assert 3 <= sum(len(r) for r in trial.repeats) < len(SUITE.cases)


async def test_a_cancel_abandons_the_cases_in_flight_and_keeps_finished_trials(
    simulator: SimulatorServer,
) -> None:
    target = _target(simulator)
    space = SearchSpace((RangeDimension("top_p", 0.2, 0.8, step=0.3),))
    cancel = asyncio.Event()

    def cancel_at_second(request: TrialRequest) -> None:
        if request.number == 1:
            cancel.set()

    sink = MemorySink(on_started=cancel_at_second)
    async with guarded_adapters(EgressPolicy.from_allow_list("dev")) as adapter_for:
        evaluator = LocalTrialEvaluator(
            SUITE, target, get_profile("lenient"), adapter_for, cancel=cancel
        )
        plan = _plan(target, space, concurrency=1, baselines=[])
        outcome = await run_study(plan, evaluator, sink, cancel=cancel)
    assert outcome.stop_reason == "cancelled"
    first, second = outcome.trials
    assert first.state == "complete" and first.calls == len(SUITE.cases)
    assert second.state == "pruned" and second.score is None  # run again on resume
    assert sink.trials == outcome.trials and not sink.running
