"""The one measuring core (`BenchRunner`) as the platform's child composes it: an observer,
a skip predicate and per-target overrides; records made only when nothing is timed; cost caps
priced per target; load workers that fail are not swallowed."""

from __future__ import annotations

from typing import Any

import pytest

from benchstudio.providers.base import ChatRequest
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.simulator.truth_join import join_chunks, token_writes
from benchstudio.speed import tokenizer
from benchstudio.speed.config import BenchConfig, Prices, TargetConfig
from benchstudio.speed.engine import LoadShape, RunControl, run_load
from benchstudio.speed.metrics import RequestMetrics, StreamTrace
from benchstudio.speed.runner import BenchRunner
from benchstudio.speed.steps import StepResult
from benchstudio.speed.targets import build_adapter, http_session

NO_USAGE = ModelProfile(ttft_ms=3, itl_ms=1, output_tokens=8, quirks=["no_usage"])


class Recorder:
    """An observer that also notes whether anything was being timed when it was called."""

    def __init__(self) -> None:
        self.runner: BenchRunner | None = None
        self.events: list[tuple[str, str]] = []
        self.timed_while_called: list[int] = []

    def on_record(self, record: RequestMetrics) -> None:
        assert self.runner is not None
        self.timed_while_called.append(self.runner.deferred.timing)
        self.events.append(("record", record.request_id))

    def on_step(self, step: StepResult) -> None:
        self.events.append(("step", step.name))


def _target(sim: SimulatorServer, name: str = "m", **extra: Any) -> TargetConfig:
    return TargetConfig(name=name, base_url=f"{sim.base_url}/v1", model="m", **extra)


async def test_load_records_are_made_once_after_the_window_and_each_step_follows_its_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted_while_timed: list[int] = []
    original_count = tokenizer.TokenCounter.count
    recorder = Recorder()

    def count(self: tokenizer.TokenCounter, text: str) -> int:
        if recorder.runner is not None:
            counted_while_timed.append(recorder.runner.deferred.timing)
        return original_count(self, text)

    monkeypatch.setattr(tokenizer.TokenCounter, "count", count)
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        config = BenchConfig(
            targets=[_target(sim)],
            sweep_concurrency=[4, 8],
            num_requests=24,
            warmup=2,
            max_tokens=32,
        )
        runner = BenchRunner(config, observer=recorder)
        recorder.runner = runner
        result = await runner.run()
        log = {r["request_id"]: r for r in sim.request_log()}
    records = result.records
    # Every request sent (warm-ups included) became exactly one record, reported once.
    assert len(log) == 2 + 24 + 24
    assert sorted(r.request_id for r in records) == sorted(log)
    reported = [rid for kind, rid in recorder.events if kind == "record"]
    assert sorted(reported) == sorted(log)
    assert sum(1 for r in records if r.extra["warmup"]) == 2
    # No record and no tokenizer count while a stream or a load window was being timed.
    assert recorder.timed_while_called and set(recorder.timed_while_called) == {0}
    assert counted_while_timed and set(counted_while_timed) == {0}
    # Each step is reported after all of its records.
    for step in result.steps:
        position = recorder.events.index(("step", step.name))
        ids = {r.request_id for r in step.records}
        assert {rid for kind, rid in recorder.events[:position] if kind == "record"} >= ids
    for record in records:
        served = log[record.request_id]
        # One read is one chunk: each chunk is made of the server's writes, on the same clock.
        joined = join_chunks(
            served["request_read_ns"], token_writes(served), record.ttft_ms, record.itl_ms
        )
        assert joined is not None and record.chunk_count == len(joined.groups)
        assert record.tokens_estimated and record.output_tokens is not None
        assert record.output_tokens >= record.chunk_count


async def test_finished_steps_are_skipped_and_per_target_overrides_apply() -> None:
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        config = BenchConfig(
            targets=[_target(sim)], sweep_concurrency=[1, 2], num_requests=5, warmup=1
        )
        recorder = Recorder()
        runner = BenchRunner(
            config,
            observer=recorder,
            skip_step={"m@0:c=1"}.__contains__,
            overrides={"m": {"max_tokens": 3, "temperature": 0.5}},
        )
        recorder.runner = runner
        result = await runner.run()
        log = {r["request_id"]: r for r in sim.request_log()}
    sent = len(log)
    assert [(s.name, s.mode) for s in result.steps] == [
        ("m@0:c=1", "done"),
        ("m@0:c=2", "concurrency"),
    ]
    assert [name for kind, name in recorder.events if kind == "step"] == ["m@0:c=2"]
    assert sent == 1 + 5  # the warm-up and the one step left
    # max_tokens 3 (the override), not the config's 256: every answer is cut at 3 tokens.
    for record in result.records:
        events = log[record.request_id]["events"]
        assert sum(e["tokens"] for e in events if e["kind"] == "content") == 3
        assert record.finish_reason == "length" and 1 <= record.chunk_count <= 3


async def test_a_continued_profile_step_sends_only_the_run_indices_not_yet_stored() -> None:
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        config = BenchConfig(targets=[_target(sim)], runs=6, warmup=1, context_tokens=[0])
        recorder = Recorder()
        runner = BenchRunner(config, observer=recorder, done_runs={"m@0": [-1, 0, 1, 4]})
        recorder.runner = runner
        result = await runner.run()
        sent = len(sim.request_log())
    assert sent == 3  # run indices 2, 3 and 5; the warm-up was stored too
    assert sorted(r.extra["run_index"] for r in result.records) == [2, 3, 5]
    assert [name for kind, name in recorder.events if kind == "step"] == ["m@0"]


async def test_a_cost_cap_prices_each_request_at_its_own_targets_price() -> None:
    dear, cheap = Prices(input=2.0, output=1000.0), Prices(input=0.1, output=1.0)
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        config = BenchConfig(
            # The cheap target is registered last: it used to price every request.
            targets=[_target(sim, "dear", prices=dear), _target(sim, "cheap", prices=cheap)],
            runs=60,
            warmup=1,
            max_tokens=16,
            max_cost=0.08,
            parallel_models=True,
        )
        runner = BenchRunner(config)
        result = await runner.run()
        log = {r["request_id"]: r for r in sim.request_log()}
    prices = {"dear": dear, "cheap": cheap}
    # The truth: the server's own token counts at each request's target's price.
    true_spend = 0.0
    for record in result.records:
        served = log[record.request_id]
        price = prices[record.extra["target"]]
        true_spend += (
            served["prompt_tokens"] * price.input + served["output_tokens"] * price.output
        ) / 1e6
    assert len(log) == len(result.records) < 2 * 61
    tracked = result.tracked_spend_usd
    assert tracked is not None and tracked >= true_spend
    assert result.status == "stopped" and (result.stop_reason or "").startswith("cost cap")
    # Overshoot: at most the requests in flight when the cap was reached (one per target),
    # each charged at most its bound (the prompt's UTF-8 bytes, which bound its tokens, plus
    # max_tokens at the output price).
    prompt_bytes = len(f"[{'0' * 12}] {config.prompt}".encode())
    assert prompt_bytes >= max(r.input_tokens or 0 for r in result.records)
    bound = (prompt_bytes * dear.input + 16 * dear.output) / 1e6
    assert tracked - config.max_cost <= 2 * bound
    # The exact spend, computed after the window from the records, warm-ups shown apart.
    spend = result.to_json()["spend"]
    costs = [r.cost_usd or 0.0 for r in result.records]
    warm = [r.cost_usd or 0.0 for r in result.records if r.extra["warmup"]]
    assert spend["cost_usd"] == pytest.approx(sum(costs), abs=1e-7)
    assert spend["warmup_cost_usd"] == pytest.approx(sum(warm), abs=1e-7) and sum(warm) > 0
    assert spend["tracked_usd"] == pytest.approx(tracked, abs=1e-7)
    assert sum(costs) <= tracked


async def test_a_failing_load_worker_is_raised_not_swallowed() -> None:
    def make_request(index: int) -> ChatRequest:
        if index == 3:
            raise ValueError("bad request factory")
        return ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}])

    shape = LoadShape(concurrency=2, num_requests=6)
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim, http_session() as http:
        adapter = build_adapter(_target(sim), http)
        with pytest.raises(ValueError, match="bad request factory"):
            await run_load(adapter, make_request, shape)


async def test_rate_mode_sends_nothing_after_a_stop_and_returns_every_permit() -> None:
    control = RunControl()
    seen: list[StreamTrace] = []

    def on_trace(trace: StreamTrace) -> None:
        seen.append(trace)
        if len(seen) == 1:  # e.g. the cost cap: stop, and cut the other stream short
            control.stop("stopped by the test")
            control.cancel_in_flight()

    def make_request(index: int) -> ChatRequest:
        return ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}])

    shape = LoadShape(rate=2000.0, num_requests=40, max_in_flight=2)
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim, http_session() as http:
        adapter = build_adapter(_target(sim), http)
        traces, _ = await run_load(adapter, make_request, shape, control=control, on_trace=on_trace)
    # At most the two streams in flight when it stopped; none started afterwards.
    assert 1 <= len(traces) <= 2
    assert len(seen) == len(traces)


async def test_warm_ups_stopped_by_the_cost_cap_are_still_recorded_and_counted() -> None:
    async with SimulatorServer(SimulatorConfig(default=NO_USAGE)) as sim:
        config = BenchConfig(
            targets=[_target(sim, prices=Prices(input=1.0, output=1000.0))],
            concurrency=4,
            num_requests=20,
            warmup=3,
            max_tokens=16,
            max_cost=0.001,  # below one request's bound: the first warm-up reaches it
        )
        result = await BenchRunner(config).run()
        sent = len(sim.request_log())
    assert result.status == "stopped" and sent == 1
    assert [r.extra["warmup"] for r in result.records] == [True]
    spend = result.to_json()["spend"]
    assert spend["warmup_cost_usd"] == spend["cost_usd"] == result.records[0].cost_usd
    assert spend["cost_usd"] > 0 and spend["measured_cost_usd"] == 0
