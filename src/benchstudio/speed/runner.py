"""A whole benchmark run: profile mode, load steps, sweeps and SLO search over targets.

Prompts are built (and tokenised) before any request is sent, so tokenizer work never blocks
the event loop while another target's streams are being timed. Providers run in parallel,
models of one provider one after another (unless `parallel_models`); load steps run one at a
time so that each has the client to itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.diagnostics import Diagnostics, DiagnosticWindow
from benchstudio.speed.engine import LoadShape, RunControl, record_stream, run_load
from benchstudio.speed.metrics import RequestMetrics, StreamTrace, TokenCounting
from benchstudio.speed.prompts import BuiltPrompt, build_prompt, run_salt, tier_skip_reason
from benchstudio.speed.results import CostFunction, SloTargets, finalize, summary_block
from benchstudio.speed.targets import build_adapter, cost_function, http_session
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model

# Gets each finished profile request: its trace, its prompt and its record labels.
TraceHandler = Callable[[StreamTrace, BuiltPrompt, dict[str, Any]], None]


@dataclass(slots=True)
class StepResult:
    """One measured block: a target at one tier, at one concurrency or rate."""

    name: str
    target: str
    model: str
    mode: str
    context_tokens: int | None
    records: list[RequestMetrics]
    wall_s: float
    diagnostics: Diagnostics
    concurrency: int | None = None
    request_rate: float | None = None
    skipped_reason: str | None = None
    prompt_tokens: int | None = None

    def to_dict(self, run_id: str, slo: SloTargets | None) -> dict[str, Any]:
        return {
            "name": self.name,
            "target": self.target,
            "model": self.model,
            "mode": self.mode,
            "context_tokens": self.context_tokens,
            "prompt_tokens": self.prompt_tokens,
            "concurrency": self.concurrency,
            "request_rate": self.request_rate,
            "skipped_reason": self.skipped_reason,
            "diagnostics": self.diagnostics.to_dict(),
            "summary": summary_block(
                self.records, wall_s=self.wall_s, run_id=f"{run_id}:{self.name}", slo=slo
            ),
            "requests": [r.to_dict() for r in self.records],
        }


@dataclass(slots=True)
class BenchResult:
    """Everything a run produced; `to_json()` is the documented output schema."""

    run_id: str
    config: BenchConfig
    steps: list[StepResult]
    status: str
    stop_reason: str | None
    started_at: str
    finished_at: str
    wall_s: float
    environment: dict[str, Any]
    slo_search: list[dict[str, Any]] = field(default_factory=list)

    @property
    def records(self) -> list[RequestMetrics]:
        return [r for step in self.steps for r in step.records]

    def diagnostics(self) -> Diagnostics:
        merged: Diagnostics | None = None
        for step in self.steps:
            if step.skipped_reason is None:
                merged = step.diagnostics if merged is None else merged.merge(step.diagnostics)
        return merged or Diagnostics()

    def slo(self) -> SloTargets | None:
        return SloTargets(**self.config.slo) if self.config.slo else None

    def to_json(self) -> dict[str, Any]:
        slo = self.slo()
        data: dict[str, Any] = {
            "schema": "benchstudio.bench/1",
            "run_id": self.run_id,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "config": self.config.public_dict(),
            "environment": self.environment,
            "diagnostics": self.diagnostics().to_dict(),
            "summary": summary_block(self.records, wall_s=self.wall_s, run_id=self.run_id, slo=slo),
            "requests": [r.to_dict() for r in self.records],
        }
        if len(self.steps) > 1 or self.slo_search:
            data["steps"] = [step.to_dict(self.run_id, slo) for step in self.steps]
        if self.slo_search:
            data["slo_search"] = self.slo_search
        return data


def environment_info() -> dict[str, Any]:
    import os
    import platform

    from benchstudio import __version__

    return {
        "benchstudio": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
        "clock": "time.perf_counter_ns (monotonic)",
        "percentiles": "linear interpolation (numpy 'linear', Hyndman-Fan type 7)",
    }


@dataclass(slots=True)
class PreparedTarget:
    """A target with its adapter, tokenizer and prompts built ahead of the measurements."""

    config: TargetConfig
    adapter: ProviderAdapter
    counter: TokenCounter
    cost: CostFunction | None
    prompts: dict[int, list[BuiltPrompt]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)


ProgressCallback = Callable[[RunControl], None]


class BenchRunner:
    """Runs a `BenchConfig`; `control.stop()` (e.g. on Ctrl-C) ends it with partial results."""

    def __init__(self, config: BenchConfig, *, egress_mode: str = "dev") -> None:
        self.config = config
        self.run_id = config.run_id or new_id()
        self.control = RunControl()
        self.egress_mode = egress_mode
        self.steps: list[StepResult] = []
        self.slo_probes: list[dict[str, Any]] = []
        self._spent_usd = 0.0
        self._pending: dict[
            tuple[int, int],
            tuple[PreparedTarget, list[tuple[StreamTrace, BuiltPrompt, dict[str, Any]]]],
        ] = {}

    def request(self, target: TargetConfig, prompt: BuiltPrompt, salt: str) -> ChatRequest:
        return ChatRequest(
            model=target.model,
            messages=prompt.messages_for(salt),
            max_tokens=self.config.max_tokens,
            temperature=self.config.temperature,
            extra=dict(target.params),
            timeout_s=self.config.timeout_s,
        )

    def prepare(self, target: TargetConfig, adapter: ProviderAdapter) -> PreparedTarget:
        """Build every prompt this target will need (tokenizer work happens here, not later)."""
        counter = TokenCounter(encoding_for_model(target.model))
        prepared = PreparedTarget(target, adapter, counter, cost_function(target))
        config = self.config
        runs = config.warmup + config.runs if config.mode == "profile" else 1
        for tier in config.context_tokens:
            reason = tier_skip_reason(tier, config.max_tokens, target.context_window)
            if reason is not None:
                prepared.skipped[tier] = reason
                continue
            salts = [
                run_salt(self.run_id, tier, index, cache_probe=config.cache_probe)
                for index in range(runs)
            ]
            prepared.prompts[tier] = [
                build_prompt(
                    config.prompt,
                    target_tokens=tier,
                    salt=salt,
                    counter=counter,
                    corpus_kind=config.corpus,
                )
                for salt in salts
            ]
        return prepared

    def _track_cost(self, prepared: PreparedTarget) -> Callable[[StreamTrace], None]:
        limit = self.config.max_cost
        cost = prepared.cost

        def on_complete(trace: StreamTrace) -> None:
            usage = trace.usage
            if limit is None or cost is None or usage is None:
                return
            value = cost(
                prepared.config.model,
                usage.input_tokens,
                usage.output_tokens if usage.output_tokens is not None else len(trace.chunk_ns),
                usage.reasoning_tokens,
                usage.cached_input_tokens,
            )
            self._spent_usd += value or 0.0
            if self._spent_usd >= limit:
                self.control.stop(f"max_cost {limit} USD reached")

        return on_complete

    def _finalize(
        self,
        prepared: PreparedTarget,
        traces: list[StreamTrace],
        prompt: BuiltPrompt,
        labels: dict[str, Any],
    ) -> list[RequestMetrics]:
        counting = TokenCounting(
            count_tokens=prepared.counter.count,
            tokenizer_name=prepared.counter.name,
            prompt_tokens=prompt.tokens(prepared.counter),
        )
        return finalize(
            traces, counting, model=prepared.config.model, cost=prepared.cost, extra=labels
        )

    async def _stream_tier(
        self, prepared: PreparedTarget, tier: int, on_trace: TraceHandler
    ) -> Diagnostics:
        """A tier's profile requests one after another; each trace goes to `on_trace`."""
        target, config = prepared.config, self.config
        window = DiagnosticWindow()
        window.start()
        completed = 0
        for index, prompt in enumerate(prepared.prompts[tier]):
            if self.control.stopped:
                break
            trace = await self._cancellable(
                record_stream(
                    prepared.adapter,
                    self.request(target, prompt, prompt.salt),
                    stopping=lambda: self.control.stopped,
                )
            )
            self.control.finished(trace)
            labels = {
                "target": target.name,
                "model": target.model,
                "context_tokens": tier,
                "run_index": index - config.warmup,
                "warmup": index < config.warmup,
            }
            on_trace(trace, prompt, labels)
            completed += 1
        return await window.stop(completed)

    async def _profile_tier(self, prepared: PreparedTarget, tier: int) -> StepResult:
        target = prepared.config
        pending: list[tuple[StreamTrace, BuiltPrompt, dict[str, Any]]] = []
        diagnostics = await self._stream_tier(
            prepared, tier, lambda trace, prompt, labels: pending.append((trace, prompt, labels))
        )
        # Metrics (and any tokenizer work) wait until every target has finished streaming.
        self._pending[id(prepared), tier] = (prepared, pending)
        return StepResult(
            name=f"{target.name}@{tier}",
            target=target.name,
            model=target.model,
            mode="profile",
            context_tokens=tier,
            records=[],
            wall_s=diagnostics.wall_s,
            diagnostics=diagnostics,
        )

    async def _cancellable(self, call: Coroutine[Any, Any, StreamTrace]) -> StreamTrace:
        """Await one profile request so that `control.cancel_in_flight()` can cut it short."""
        task = asyncio.current_task()
        if task is not None:
            self.control._in_flight.add(task)
        try:
            return await call
        finally:
            if task is not None:
                self.control._in_flight.discard(task)

    def _skipped_step(self, target: TargetConfig, tier: int, reason: str) -> StepResult:
        return StepResult(
            name=f"{target.name}@{tier}",
            target=target.name,
            model=target.model,
            mode=self.config.mode,
            context_tokens=tier,
            records=[],
            wall_s=0.0,
            diagnostics=Diagnostics(),
            skipped_reason=reason,
        )

    async def _profile_target(self, prepared: PreparedTarget) -> list[StepResult]:
        self.control.on_complete = self._track_cost(prepared)
        steps = []
        for tier in self.config.context_tokens:
            if tier in prepared.skipped:
                steps.append(self._skipped_step(prepared.config, tier, prepared.skipped[tier]))
            elif not self.control.stopped:
                steps.append(await self._profile_tier(prepared, tier))
        return steps

    async def _profile_group(self, group: list[PreparedTarget]) -> list[StepResult]:
        if self.config.parallel_models:
            nested = await asyncio.gather(*(self._profile_target(p) for p in group))
            return [step for steps in nested for step in steps]
        steps: list[StepResult] = []
        for prepared in group:
            steps.extend(await self._profile_target(prepared))
        return steps

    async def run_profile(self, prepared: list[PreparedTarget]) -> None:
        groups: dict[str, list[PreparedTarget]] = {}
        for item in prepared:
            groups.setdefault(item.config.provider_key, []).append(item)
        nested = await asyncio.gather(*(self._profile_group(g) for g in groups.values()))
        for steps in nested:
            for step in steps:
                self._finalize_profile_step(step)
                self.steps.append(step)

    def _finalize_profile_step(self, step: StepResult) -> None:
        for (_, tier), (prepared, pending) in list(self._pending.items()):
            if prepared.config.name == step.target and tier == step.context_tokens:
                for trace, prompt, labels in pending:
                    step.records.extend(self._finalize(prepared, [trace], prompt, labels))
                step.prompt_tokens = prepared.prompts[tier][0].tokens(prepared.counter)

    async def run_load_step(
        self,
        prepared: PreparedTarget,
        tier: int,
        *,
        concurrency: int | None = None,
        rate: float | None = None,
    ) -> StepResult:
        """One load step: `concurrency` streams in flight or `rate` arrivals per second."""
        config, target = self.config, prepared.config
        prompt = prepared.prompts[tier][0]
        count, duration = config.request_bound()
        shape = LoadShape(
            concurrency=concurrency,
            rate=rate,
            arrival=config.arrival,
            burstiness=config.burstiness,
            num_requests=count,
            duration_s=duration,
            max_in_flight=config.max_in_flight,
        )
        label = f"c={concurrency}" if concurrency is not None else f"rate={rate}"
        name = f"{target.name}@{tier}:{label}"
        salt_base = prompt.salt[:6]
        cache_probe = config.cache_probe

        def make_request(index: int) -> ChatRequest:
            salt = prompt.salt if cache_probe else f"{salt_base}{index:06x}"
            return self.request(target, prompt, salt)

        self.control.on_complete = self._track_cost(prepared)
        traces, diagnostics = await run_load(
            prepared.adapter,
            make_request,
            shape,
            control=self.control,
            run_id=f"{self.run_id}:{name}",
        )
        labels = {
            "target": target.name,
            "model": target.model,
            "context_tokens": tier,
            "step": name,
            "warmup": False,
        }
        return StepResult(
            name=name,
            target=target.name,
            model=target.model,
            mode="concurrency" if concurrency is not None else "rate",
            context_tokens=tier,
            records=self._finalize(prepared, traces, prompt, labels),
            wall_s=diagnostics.wall_s,
            diagnostics=diagnostics,
            concurrency=concurrency,
            request_rate=rate,
            prompt_tokens=prompt.tokens(prepared.counter),
        )

    async def _warm_up(self, prepared: PreparedTarget, tier: int) -> None:
        prompt = prepared.prompts[tier][0]
        for index in range(self.config.warmup):
            if self.control.stopped:
                return
            salt = f"{prompt.salt[:6]}w{index:05x}"
            await self._cancellable(
                record_stream(
                    prepared.adapter,
                    self.request(prepared.config, prompt, salt),
                    stopping=lambda: self.control.stopped,
                )
            )

    async def run_load_modes(self, prepared: list[PreparedTarget]) -> None:
        from benchstudio.speed.slo_search import search_rate

        config = self.config
        for item in prepared:
            for tier in config.context_tokens:
                if tier in item.skipped:
                    self.steps.append(self._skipped_step(item.config, tier, item.skipped[tier]))
                    continue
                await self._warm_up(item, tier)
                if config.slo_search:
                    await search_rate(self, item, tier)
                    continue
                for concurrency, rate in self._load_points():
                    if self.control.stopped:
                        return
                    step = await self.run_load_step(item, tier, concurrency=concurrency, rate=rate)
                    self.steps.append(step)

    def _load_points(self) -> list[tuple[int | None, float | None]]:
        config = self.config
        if config.sweep_concurrency:
            return [(c, None) for c in config.sweep_concurrency]
        if config.sweep_rate:
            return [(None, r) for r in config.sweep_rate]
        if config.request_rate is not None:
            return [(None, config.request_rate)]
        return [(config.concurrency or 1, None)]

    async def run(self, adapters: dict[str, ProviderAdapter] | None = None) -> BenchResult:
        """Run everything; adapters can be injected (tests), else built on a fresh session."""
        started, wall0 = utcnow(), time.perf_counter()
        status = "completed"
        try:
            if adapters is not None:
                await self._run_with(adapters)
            else:
                async with http_session(self.egress_mode) as session:
                    built = {t.name: build_adapter(t, session) for t in self.config.targets}
                    await self._run_with(built)
        except asyncio.CancelledError:
            status = "cancelled"
        if self.control.stopped and status == "completed":
            reason = self.control.stop_reason or ""
            status = "cancelled" if reason == "cancelled" else "stopped"
        return BenchResult(
            run_id=self.run_id,
            config=self.config,
            steps=self.steps,
            status=status,
            stop_reason=self.control.stop_reason,
            started_at=started.isoformat(),
            finished_at=utcnow().isoformat(),
            wall_s=time.perf_counter() - wall0,
            environment=environment_info(),
            slo_search=self.slo_probes,
        )

    async def _run_with(self, adapters: dict[str, ProviderAdapter]) -> None:
        prepared = [self.prepare(t, adapters[t.name]) for t in self.config.targets]
        if self.config.mode == "profile":
            await self.run_profile(prepared)
        else:
            await self.run_load_modes(prepared)
