"""Metric definitions end to end against the simulator, joined with its timing log."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
from benchstudio.simulator.streaming import EARLY_SLACK_S
from benchstudio.simulator.truth_join import join_chunks, token_writes
from benchstudio.speed.bench_result import BenchResult
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.runner import BenchRunner

NS_PER_MS = 1e6
# The simulator writes an event at most this early (its EARLY_SLACK_S), never earlier.
SLACK_MS = EARLY_SLACK_S * 1000


async def run_bench(
    sim: SimulatorServer, headers: dict[str, str] | None = None, **overrides: Any
) -> BenchResult:
    target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m", headers=headers or {})
    settings: dict[str, Any] = {"runs": 2, "warmup": 0, "max_tokens": 64}
    settings.update(overrides)
    return await BenchRunner(BenchConfig(targets=[target], **settings)).run()


def server_events(sim: SimulatorServer, request_id: str) -> list[dict[str, Any]]:
    record = sim.find_request(request_id)
    assert record is not None, "every request carries its X-Request-Id to the server"
    return list(record["events"])


async def test_role_chunk_first_does_not_set_ttft() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=40, itl_ms=2, output_tokens=6))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim)
        for record in result.records:
            events = server_events(sim, record.request_id)
            log = sim.find_request(record.request_id)
            assert log is not None
            assert events[0]["kind"] == "role"
            first_content = next(e for e in events if e["kind"] == "content")
            server_ttft_ms = (first_content["t_ns"] - log["request_read_ns"]) / NS_PER_MS
            role_ms = (events[0]["t_ns"] - log["request_read_ns"]) / NS_PER_MS
            assert record.ttft_ms is not None
            assert record.ttft_ms >= server_ttft_ms  # the client cannot see it earlier
            # The simulator never writes early: content is due at 40 ms, the role chunk at 0.
            assert server_ttft_ms >= 40 - SLACK_MS
            assert role_ms <= server_ttft_ms
            assert record.output_tokens == 6
            assert not record.tokens_estimated
            served = sim.find_request(record.request_id)
            assert served is not None
            joined = join_chunks(
                served["request_read_ns"], token_writes(served), record.ttft_ms, record.itl_ms
            )
            assert joined is not None and record.chunk_count == len(joined.groups)
            # E2E ends at the last content chunk, before the usage chunk and [DONE].
            last_content = [e for e in events if e["kind"] == "content"][-1]
            assert record.e2e_ms is not None
            assert record.e2e_ms == pytest.approx(record.ttft_ms + sum(record.itl_ms))
            assert record.e2e_ms >= (last_content["t_ns"] - log["request_read_ns"]) / NS_PER_MS
            assert [e["kind"] for e in events[-2:]] == ["usage", "done"]
            assert len(record.itl_ms) == record.chunk_count - 1
            assert last_content["t_ns"] <= events[-1]["t_ns"]


async def test_reasoning_first_gives_ttft_before_ttfct() -> None:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=20, itl_ms=3, output_tokens=4, reasoning_tokens=10)
    )
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim)
        for record in result.records:
            assert record.ttft_ms is not None
            assert record.ttfct_ms is not None
            # Ten one-token reasoning writes come first: content starts in the chunk that
            # carried the eleventh write (the eleventh chunk unless reads merged writes).
            served = sim.find_request(record.request_id)
            assert served is not None
            joined = join_chunks(
                served["request_read_ns"], token_writes(served), record.ttft_ms, record.itl_ms
            )
            assert joined is not None
            content = min(e["t_ns"] for e in served["events"] if e["kind"] == "content")
            first = next(j for j, group in enumerate(joined.groups) if content in group)
            assert record.ttfct_ms == pytest.approx(record.ttft_ms + sum(record.itl_ms[:first]))
            # Never early: reasoning is due at 20 ms, content after ten more 3 ms gaps (50 ms).
            assert record.ttft_ms >= 20 - SLACK_MS
            assert record.ttfct_ms >= 50 - SLACK_MS
            assert record.reasoning_tokens == 10


async def test_multi_token_chunks_keep_tpot_per_token() -> None:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=10, itl_ms=4, output_tokens=16, tokens_per_chunk=4)
    )
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim)
        for record in result.records:
            assert record.output_tokens == 16
            # Four events of 4 tokens: four chunks, fewer if one write or one read took two.
            served = sim.find_request(record.request_id)
            assert served is not None
            content = [e for e in served["events"] if e["kind"] == "content"]
            assert [e["tokens"] for e in content] == [4, 4, 4, 4]
            joined = join_chunks(
                served["request_read_ns"], token_writes(served), record.ttft_ms, record.itl_ms
            )
            assert joined is not None and record.chunk_count == len(joined.groups)
            assert len(record.itl_ms) == record.chunk_count - 1
            assert record.tpot_ms is not None
            # TPOT spreads the chunk gaps over tokens: the gaps over 15 tokens after the first.
            assert record.tpot_ms == pytest.approx(sum(record.itl_ms) / 15)


async def test_usage_absent_is_estimated_with_the_tokenizer() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=12))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim, headers={"X-Sim-Quirk": "no_usage"})
        for record in result.records:
            assert record.tokens_estimated
            assert record.tokenizer == "o200k_base"
            assert record.output_tokens is not None
            assert record.output_tokens >= 12
            assert record.input_tokens is not None


async def test_usage_rejected_server_still_measures() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=5))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim, headers={"X-Sim-Quirk": "reject_stream_options"})
        assert all(r.ok for r in result.records), [r.error for r in result.records]
        assert all(r.tokens_estimated for r in result.records)
        assert all(r.ttft_ms is not None for r in result.records)


async def test_errors_mid_stream_are_kept_and_classified() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=20))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim, headers={"X-Sim-Fault": "disconnect;after_events=4"})
        data = result.to_json()
        assert data["summary"]["errors"] == 2
        assert data["summary"]["error_rate"] == 1.0
        for record in data["requests"]:
            assert record["error"]["category"] == "connection"
            assert record["ttft_ms"] is not None  # partial timings are kept
        assert data["summary"]["ttft_ms"]["count"] == 0  # failed requests not in latencies


async def test_rate_limited_requests_are_counted() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=1, output_tokens=3))
    async with SimulatorServer(config) as sim:
        result = await run_bench(
            sim,
            headers={"X-Sim-Fault": "rate_limit;retry_after=2"},
            concurrency=2,
            num_requests=6,
        )
        summary = result.to_json()["summary"]
        assert summary["requests"] == 6
        assert summary["errors_by_category"] == {"rate_limit": 6}
        assert result.status == "completed"


async def test_every_request_has_a_unique_request_id_known_to_the_server() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0, output_tokens=2))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim, concurrency=4, num_requests=20)
        ids = [r.request_id for r in result.records]
        assert len(set(ids)) == 20
        assert all(sim.find_request(i) is not None for i in ids)


async def test_request_rate_mode_records_dispatch_lag() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0, output_tokens=2))
    async with SimulatorServer(config) as sim:
        result = await run_bench(sim, request_rate=200.0, num_requests=30, arrival="constant")
        diagnostics = result.to_json()["diagnostics"]
        assert diagnostics["dispatch_lag_ms"]["samples"] == 30
        assert diagnostics["requested_rate"] == 200.0
        assert diagnostics["achieved_rate"] > 0


async def test_context_tiers_and_skips() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0, output_tokens=2))
    async with SimulatorServer(config) as sim:
        target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m", context_window=3000)
        bench = BenchConfig(
            targets=[target], runs=1, warmup=1, context_tokens=[0, 2000, 4000], max_tokens=16
        )
        data = (await BenchRunner(bench).run()).to_json()
        steps = {s["context_tokens"]: s for s in data["steps"]}
        assert steps[4000]["skipped_reason"] is not None
        assert abs(steps[2000]["prompt_tokens"] - 2000) <= 4
        prompts_seen = [sim.find_request(r["request_id"]) for r in data["requests"]]
        assert all(p is not None for p in prompts_seen)
        warmups = [r for r in data["requests"] if r["warmup"]]
        assert len(warmups) == 2
        assert data["summary"]["requests"] == 2  # warm-ups are not measured


async def test_max_cost_stops_the_run() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=1, itl_ms=0, output_tokens=10))
    async with SimulatorServer(config) as sim:
        target = TargetConfig(
            base_url=f"{sim.base_url}/v1", model="m", prices={"input": 1000.0, "output": 1000.0}
        )
        bench = BenchConfig(
            targets=[target], concurrency=1, num_requests=50, max_cost=0.1, warmup=0
        )
        result = await BenchRunner(bench).run()
        assert result.status == "stopped"
        assert len(result.records) < 50
        assert result.records[0].cost_usd is not None


async def test_sweep_and_slo_search_produce_steps() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=2, itl_ms=1, output_tokens=4))
    async with SimulatorServer(config) as sim:
        sweep = await run_bench(sim, sweep_concurrency=[1, 4], num_requests=8)
        assert [s["concurrency"] for s in sweep.to_json()["steps"]] == [1, 4]
        search = await run_bench(
            sim, slo={"ttft_ms": 1000.0}, slo_search=True, request_rate=50.0, num_requests=10
        )
        data = search.to_json()
        assert data["slo_search"][0]["best_rate"] == 50.0
        assert data["steps"][0]["summary"]["slo"]["attainment"] == 1.0


async def _cancel_soon(runner: BenchRunner, sim: SimulatorServer) -> None:
    # Cancel once a stream is well under way (tokens flowing), whatever the start-up cost.
    while not any(
        sum(1 for e in record["events"] if e["kind"] == "content") >= 2
        for record in sim.request_log()
    ):
        await asyncio.sleep(0.02)
    runner.control.stop("cancelled")
    runner.control.cancel_in_flight()


async def test_cancel_keeps_partial_results_marked_cancelled() -> None:
    config = SimulatorConfig(default=ModelProfile(ttft_ms=5, itl_ms=100, output_tokens=50))
    async with SimulatorServer(config) as sim:
        for mode in ({"runs": 3, "warmup": 0}, {"concurrency": 2, "num_requests": 10, "warmup": 0}):
            target = TargetConfig(base_url=f"{sim.base_url}/v1", model="m")
            sim.clear_log()
            runner = BenchRunner(BenchConfig(targets=[target], **mode))
            canceller = asyncio.get_running_loop().create_task(_cancel_soon(runner, sim))
            result = await asyncio.wait_for(runner.run(), timeout=5)
            await canceller
            assert result.status == "cancelled", mode
            assert result.records, mode
            assert all(r.error is not None for r in result.records)
            assert {r.error.category for r in result.records if r.error} == {"cancelled"}
            assert all(r.ttft_ms is not None for r in result.records), [
                (r.ttft_ms, r.error, r.e2e_ms) for r in result.records
            ]
