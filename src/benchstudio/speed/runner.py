"""A whole benchmark run: profile mode, load steps, sweeps and SLO search over targets.

Prompts are built (and tokenised) before any request is sent, so tokenizer work never blocks
the event loop while another target's streams are being timed. Providers run in parallel,
models of one provider one after another (unless `parallel_models`); load steps run one at a
time so that each has the client to itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.providers.connections import ConnectTimes, connect_times
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.connections import WindowConnections, attach_connect_times
from benchstudio.speed.diagnostics import (
    Diagnostics,
    DiagnosticWindow,
    lane_of,
    run_diagnostics,
)
from benchstudio.speed.engine import LoadShape, RunControl, record_stream, run_load
from benchstudio.speed.metrics import RequestMetrics, StreamTrace, TokenCounting
from benchstudio.speed.prompts import BuiltPrompt, build_prompt, run_salt, tier_skip_reason
from benchstudio.speed.results import CostFunction, SloTargets, finalize, summary_block
from benchstudio.speed.slo_search import ceiling_rate, search_target
from benchstudio.speed.spend import Charge, SpendMeter, exact_spend
from benchstudio.speed.targets import build_adapter, cost_function, http_session
from benchstudio.speed.tokenizer import TokenCounter, encoding_for_model


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
    # The cost cap's bounded spend (charged inside the window); None without `max_cost`.
    tracked_spend_usd: float | None = None

    @property
    def records(self) -> list[RequestMetrics]:
        return [r for step in self.steps for r in step.records]

    def diagnostics(self) -> Diagnostics:
        """Run-level: each lane's steps one after another, lanes side by side (`lane_of`)."""
        config = self.config.public_dict()
        return run_diagnostics(
            (lane_of(config, step.target), step.diagnostics)
            for step in self.steps
            if step.skipped_reason is None
        )

    def slo(self) -> SloTargets | None:
        return SloTargets(**self.config.slo) if self.config.slo else None

    def to_json(self) -> dict[str, Any]:
        slo = self.slo()
        diagnostics = self.diagnostics()
        # Rates over the measured windows, never the setup (prompts, tokenizer, connections).
        measured_s = diagnostics.wall_s
        data: dict[str, Any] = {
            "schema": "benchstudio.bench/1",
            "run_id": self.run_id,
            "status": self.status,
            "stop_reason": self.stop_reason,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "config": self.config.public_dict(),
            "environment": self.environment,
            "diagnostics": diagnostics.to_dict(),
            "summary": summary_block(self.records, wall_s=measured_s, run_id=self.run_id, slo=slo),
            "spend": exact_spend(self.records, self.tracked_spend_usd),
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
    max_tokens: int | None = None
    prompts: dict[int, list[BuiltPrompt]] = field(default_factory=dict)
    # Token count of each prompt (same order as `prompts`), counted in `prepare()`.
    prompt_tokens: dict[int, list[int]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)
    connect_times: ConnectTimes | None = None


class RunObserver(Protocol):
    """Gets each request's record, then its step, once final (computed after the window)."""

    def on_record(self, record: RequestMetrics) -> None: ...

    def on_step(self, step: StepResult) -> None: ...


# (trace, prompt tokens, record labels): what a record is computed from after the window.
_Finished = tuple[StreamTrace, int, dict[str, Any]]


@dataclass(slots=True)
class _Unfinished:
    """A step whose traces still wait to become records; reported once closed."""

    step: StepResult
    prepared: PreparedTarget
    traces: list[_Finished] = field(default_factory=list)
    closed: bool = False


def step_name(
    target: str, tier: int, *, concurrency: int | None = None, rate: float | None = None
) -> str:
    """The one name of a step: `target@tier` (profile), `target@tier:c=4` or `:rate=2.5`."""
    if concurrency is not None:
        return f"{target}@{tier}:c={concurrency}"
    if rate is not None:
        return f"{target}@{tier}:rate={rate}"
    return f"{target}@{tier}"


ProgressCallback = Callable[[RunControl], None]


class BenchRunner:
    """Runs a `BenchConfig`; `control.stop()` (e.g. on Ctrl-C) ends it with partial results.

    The CLI and the platform's measuring child use it as is: the child passes an `observer`
    (records and steps as soon as they are final), `skip_step` (steps an earlier attempt
    finished) and per-target `overrides` (temperature and max_tokens after the parameter
    registry). Inside a measured window only timestamps are taken, plus the cost cap's cheap
    charge; records (token counts, costs) are computed when nothing is being timed.
    """

    def __init__(
        self,
        config: BenchConfig,
        *,
        egress_mode: str = "dev",
        observer: RunObserver | None = None,
        skip_step: Callable[[str], bool] | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.config = config
        self.run_id = config.run_id or new_id()
        self.control = RunControl()
        self.egress_mode = egress_mode
        self.observer = observer
        self.skip_step = skip_step or (lambda _name: False)
        self.overrides = {name: dict(values) for name, values in (overrides or {}).items()}
        self.spend = SpendMeter(self.control, config.max_cost)
        self.steps: list[StepResult] = []
        self.slo_probes: list[dict[str, Any]] = []
        self.connections = WindowConnections(config.cold)
        self._unfinished: list[_Unfinished] = []
        self._timing = 0  # streams (profile) or load windows being timed right now
        self._warmups: dict[tuple[str, int], list[_Finished]] = {}

    def request(self, target: TargetConfig, prompt: BuiltPrompt, salt: str) -> ChatRequest:
        request = ChatRequest(
            model=target.model,
            messages=prompt.messages_for(salt),
            max_tokens=self.config.max_tokens,
            temperature=self.config.temperature,
            extra=dict(target.params),
            timeout_s=self.config.timeout_s,
        )
        override = self.overrides.get(target.name)
        if override is not None:
            request.temperature = override.get("temperature")
            request.max_tokens = override.get("max_tokens")
        return request

    def _max_tokens(self, target: TargetConfig) -> int | None:
        override = self.overrides.get(target.name)
        return self.config.max_tokens if override is None else override.get("max_tokens")

    def prepare(self, target: TargetConfig, adapter: ProviderAdapter) -> PreparedTarget:
        """Build and count every prompt this target will need: the tokenizer is loaded here,
        before any window, never while a stream is timed."""
        counter = TokenCounter(encoding_for_model(target.model))
        prepared = PreparedTarget(
            target, adapter, counter, cost_function(target), self._max_tokens(target)
        )
        prepared.connect_times = connect_times(adapter)
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
            prompts = [
                build_prompt(
                    config.prompt,
                    target_tokens=tier,
                    salt=salt,
                    counter=counter,
                    corpus_kind=config.corpus,
                )
                for salt in salts
            ]
            prepared.prompts[tier] = prompts
            prepared.prompt_tokens[tier] = [prompt.tokens(counter) for prompt in prompts]
        return prepared

    def _charge(self, prepared: PreparedTarget, prompt_tokens: int) -> Charge | None:
        target = prepared.config
        return self.spend.charger(prepared.cost, target.model, prompt_tokens, prepared.max_tokens)

    async def _timed(self, call: Coroutine[Any, Any, StreamTrace]) -> StreamTrace:
        """Await one sequential request so that `control.cancel_in_flight()` can cut it short;
        while it runs, nothing is finalised."""
        task = asyncio.current_task()
        if task is not None:
            self.control._in_flight.add(task)
        self._timing += 1
        try:
            return await call
        finally:
            self._timing -= 1
            if task is not None:
                self.control._in_flight.discard(task)

    def _open(self, step: StepResult, prepared: PreparedTarget) -> _Unfinished:
        item = _Unfinished(step, prepared)
        self._unfinished.append(item)
        return item

    def _settle(self) -> None:
        """Finish what waits, unless a stream is being timed (then it waits a little more)."""
        if self._timing == 0:
            self._finish_all()

    def _finish_all(self) -> None:
        """Records of finished traces (tokenizer counts, exact costs), then closed steps."""
        observer = self.observer
        for item in self._unfinished:
            prepared = item.prepared
            target = prepared.config
            attach_connect_times(
                (trace for trace, _, _ in item.traces),
                prepared.connect_times,
                cold=self.config.cold,
            )
            for trace, prompt_tokens, labels in item.traces:
                counting = TokenCounting(
                    prepared.counter.count, prepared.counter.name, prompt_tokens
                )
                for record in finalize(
                    [trace], counting, model=target.model, cost=prepared.cost, extra=labels
                ):
                    item.step.records.append(record)
                    if observer is not None:
                        observer.on_record(record)
            item.traces.clear()
            if item.closed and observer is not None:
                observer.on_step(item.step)
        self._unfinished = [item for item in self._unfinished if not item.closed]

    def _new_step(
        self, prepared: PreparedTarget, tier: int, name: str, mode: str, **extra: Any
    ) -> StepResult:
        target = prepared.config
        return StepResult(
            name=name,
            target=target.name,
            model=target.model,
            mode=mode,
            context_tokens=tier,
            records=[],
            wall_s=0.0,
            diagnostics=Diagnostics(),
            **extra,
        )

    async def _stream_tier(self, prepared: PreparedTarget, tier: int, item: _Unfinished) -> None:
        """A tier's profile requests one after another; each finished trace joins `item`."""
        target, config = prepared.config, self.config
        await self.connections.before_profile_window(prepared.adapter)
        window = DiagnosticWindow()
        window.start()
        completed = 0
        for index, prompt in enumerate(prepared.prompts[tier]):
            if self.control.stopped:
                break
            prompt_tokens = prepared.prompt_tokens[tier][index]
            if index == config.warmup and index:
                window.restart()  # the step's window is its measured requests, not warm-ups
            trace = await self._timed(
                record_stream(
                    prepared.adapter,
                    self.request(target, prompt, prompt.salt),
                    stopping=lambda: self.control.stopped,
                )
            )
            self.control.finished(trace)
            charge = self._charge(prepared, prompt_tokens)
            if charge is not None:
                charge(trace)
            labels = {
                "target": target.name,
                "model": target.model,
                "context_tokens": tier,
                "run_index": index - config.warmup,
                "warmup": index < config.warmup,
            }
            item.traces.append((trace, prompt_tokens, labels))
            completed += int(index >= config.warmup)
            # Between two requests, with no other stream timed, the record goes out at once.
            self._settle()
        diagnostics = await window.stop(completed)
        item.step.wall_s, item.step.diagnostics = diagnostics.wall_s, diagnostics

    async def _profile_tier(self, prepared: PreparedTarget, tier: int) -> StepResult:
        name = step_name(prepared.config.name, tier)
        if self.skip_step(name):
            return self._new_step(prepared, tier, name, "done")
        step = self._new_step(
            prepared, tier, name, "profile", prompt_tokens=prepared.prompt_tokens[tier][0]
        )
        item = self._open(step, prepared)
        await self._stream_tier(prepared, tier, item)
        item.closed = True
        self._settle()
        return step

    def _skipped_step(self, target: TargetConfig, tier: int, reason: str) -> StepResult:
        step = StepResult(
            name=step_name(target.name, tier),
            target=target.name,
            model=target.model,
            mode=self.config.mode,
            context_tokens=tier,
            records=[],
            wall_s=0.0,
            diagnostics=Diagnostics(),
            skipped_reason=reason,
        )
        if self.observer is not None and not self.skip_step(step.name):
            self.observer.on_step(step)
        return step

    async def _profile_target(self, prepared: PreparedTarget) -> list[StepResult]:
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
        try:
            nested = await asyncio.gather(*(self._profile_group(g) for g in groups.values()))
        finally:
            self._finish_all()  # what parallel targets' overlapping windows held back
        for steps in nested:
            self.steps.extend(steps)

    async def run_load_step(
        self,
        prepared: PreparedTarget,
        tier: int,
        *,
        concurrency: int | None = None,
        rate: float | None = None,
    ) -> StepResult:
        """One load step: `concurrency` streams in flight or `rate` arrivals per second.

        Its records are computed when its window has closed (the load-mode warm-ups sent
        before it are stored with it, marked `warmup`)."""
        config, target = self.config, prepared.config
        name = step_name(target.name, tier, concurrency=concurrency, rate=rate)
        if self.skip_step(name):
            return self._new_step(prepared, tier, name, "done")
        prompt, prompt_tokens = prepared.prompts[tier][0], prepared.prompt_tokens[tier][0]
        # This process's share of the configured load point (all of it unless a worker).
        share = config.load_share(concurrency=concurrency, rate=rate)
        shape = None
        if share is not None:
            shape = LoadShape(
                concurrency=share.concurrency,
                rate=share.rate,
                arrival=config.arrival,
                burstiness=config.burstiness,
                num_requests=share.num_requests,
                duration_s=share.duration_s,
                max_in_flight=share.max_in_flight,
                start_offset_s=share.start_offset_s,
            )
        salt_base = prompt.salt[:6]
        cache_probe = config.cache_probe

        def make_request(index: int) -> ChatRequest:
            salt = prompt.salt if cache_probe else f"{salt_base}{index:06x}"
            return self.request(target, prompt, salt)

        mode = "concurrency" if concurrency is not None else "rate"
        step = self._new_step(
            prepared,
            tier,
            name,
            mode,
            concurrency=concurrency,
            request_rate=rate,
            prompt_tokens=prompt_tokens,
        )
        item = self._open(step, prepared)
        for trace, tokens, labels in self._warmups.pop((target.name, tier), []):
            item.traces.append((trace, tokens, {**labels, "step": name}))
        await self.connections.before_load_window(prepared.adapter, target.name, shape)
        traces: list[StreamTrace] = []
        self._timing += 1
        try:
            if shape is None:  # a worker with no share of this step: merges as nothing
                diagnostics = Diagnostics(workers=0)
            else:
                traces, diagnostics = await run_load(
                    prepared.adapter,
                    make_request,
                    shape,
                    control=self.control,
                    run_id=f"{self.run_id}:{name}",
                    on_trace=self._charge(prepared, prompt_tokens),
                )
        finally:
            self._timing -= 1
        labels = {
            "target": target.name,
            "model": target.model,
            "context_tokens": tier,
            "step": name,
            "warmup": False,
        }
        item.traces.extend((trace, prompt_tokens, labels) for trace in traces)
        step.wall_s, step.diagnostics = diagnostics.wall_s, diagnostics
        item.closed = True
        self._settle()
        return step

    async def _warm_up(self, prepared: PreparedTarget, tier: int) -> None:
        """Load-mode warm-ups: sent and paid for, so kept (with the tier's next step)."""
        target = prepared.config
        prompt, prompt_tokens = prepared.prompts[tier][0], prepared.prompt_tokens[tier][0]
        charge = self._charge(prepared, prompt_tokens)
        kept = self._warmups.setdefault((target.name, tier), [])
        for index in range(self.config.warmup):
            if self.control.stopped:
                return
            salt = f"{prompt.salt[:6]}w{index:05x}"
            trace = await self._timed(
                record_stream(
                    prepared.adapter,
                    self.request(target, prompt, salt),
                    stopping=lambda: self.control.stopped,
                )
            )
            if charge is not None:
                charge(trace)
            self.connections.observe_warmup(target.name, trace)
            labels = {
                "target": target.name,
                "model": target.model,
                "context_tokens": tier,
                "warmup": True,
            }
            kept.append((trace, prompt_tokens, labels))

    async def _search_slo(self, prepared: PreparedTarget, tier: int) -> None:
        """SLO search over this target and tier: the runner supplies the probe's step."""
        config = self.config

        async def run_step(rate: float) -> tuple[list[RequestMetrics], float]:
            step = await self.run_load_step(prepared, tier, rate=rate)
            self.steps.append(step)
            return step.records, step.wall_s

        entry = await search_target(
            run_step,
            slo=SloTargets(**config.slo),
            required=config.slo_attainment,
            ceiling=ceiling_rate(config.request_rate, config.sweep_rate),
            target=prepared.config.name,
            tier=tier,
            stopped=lambda: self.control.stopped,
        )
        self.slo_probes.append(entry)

    async def run_load_modes(self, prepared: list[PreparedTarget]) -> None:
        config = self.config
        for item in prepared:
            for tier in config.context_tokens:
                if tier in item.skipped:
                    self.steps.append(self._skipped_step(item.config, tier, item.skipped[tier]))
                    continue
                points = self._load_points()
                names = [
                    step_name(item.config.name, tier, concurrency=c, rate=r) for c, r in points
                ]
                if not config.slo_search and all(self.skip_step(name) for name in names):
                    continue  # an earlier attempt finished this tier: no warm-up either
                await self._warm_up(item, tier)
                if config.slo_search:
                    await self._search_slo(item, tier)
                    continue
                for concurrency, rate in points:
                    # A stop during the warm-up still gives the warm-ups (paid for) their step.
                    if self.control.stopped and not self._warmups.get((item.config.name, tier)):
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
            tracked_spend_usd=self.spend.tracked_usd if self.spend.limit is not None else None,
        )

    async def _run_with(self, adapters: dict[str, ProviderAdapter]) -> None:
        prepared = [self.prepare(t, adapters[t.name]) for t in self.config.targets]
        if self.config.mode == "profile":
            await self.run_profile(prepared)
        else:
            await self.run_load_modes(prepared)
