"""A whole benchmark run: profile mode, load steps, sweeps and SLO search over targets.

Prompts are built before any request is sent (`preparation`), so tokenizer work never blocks
the event loop while another target's streams are being timed. Profile mode is in
`profile_mode`, load steps, sweeps and SLO search in `load_mode`; records are computed outside
the measured windows by `deferred_records`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.speed.bench_result import BenchResult, environment_info
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.connections import WindowConnections
from benchstudio.speed.deferred_records import DeferredRecords, FinishedTrace, RunObserver
from benchstudio.speed.diagnostics import Diagnostics
from benchstudio.speed.engine import RunControl
from benchstudio.speed.load_mode import run_load_modes
from benchstudio.speed.preparation import PreparedTarget, prepare_target
from benchstudio.speed.profile_mode import run_profile
from benchstudio.speed.prompts import BuiltPrompt
from benchstudio.speed.spend import Charge, SpendMeter
from benchstudio.speed.steps import StepResult, step_name
from benchstudio.speed.targets import build_adapter, http_session


class BenchRunner:
    """Runs a `BenchConfig`; `control.stop()` (e.g. on Ctrl-C) ends it with partial results.

    The CLI and the platform's measuring child use it as is: the child passes an `observer`
    (records and steps as soon as they are final), `skip_step` (steps an earlier attempt
    finished) and per-target `overrides` (temperature and max_tokens after the parameter
    registry), and `done_runs` (a resumed profile step's run indices already stored: only the
    missing ones are sent). Inside a measured window only timestamps are taken, plus the cost
    cap's cheap charge; records (token counts, costs) are computed when nothing is timed.
    """

    def __init__(
        self,
        config: BenchConfig,
        *,
        egress_mode: str = "dev",
        observer: RunObserver | None = None,
        skip_step: Callable[[str], bool] | None = None,
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
        done_runs: Mapping[str, Collection[int]] | None = None,
    ) -> None:
        self.config = config
        self.run_id = config.run_id or new_id()
        self.control = RunControl(request_limit=config.max_requests)
        self.egress_mode = egress_mode
        self.observer = observer
        self.skip_step = skip_step or (lambda _name: False)
        self.overrides = {name: dict(values) for name, values in (overrides or {}).items()}
        self.done_runs = {name: frozenset(runs) for name, runs in (done_runs or {}).items()}
        self.spend = SpendMeter(self.control, config.max_cost)
        self.steps: list[StepResult] = []
        self.slo_probes: list[dict[str, Any]] = []
        self.connections = WindowConnections(config.cold)
        self.deferred = DeferredRecords(self.control, observer, cold=config.cold)
        # Load-mode warm-ups by (target, tier), stored with the tier's next step.
        self.warmups: dict[tuple[str, int], list[FinishedTrace]] = {}

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
        """Everything the target needs before any window (`preparation.prepare_target`)."""
        return prepare_target(self.config, self.run_id, target, adapter, self._max_tokens(target))

    def charger(self, prepared: PreparedTarget, cap_tokens: int) -> Charge | None:
        """The cost cap's cheap charge for one request of this target (None without a cap);
        `cap_tokens` is the prompt's token count or an upper bound of it."""
        target = prepared.config
        return self.spend.charger(prepared.cost, target.model, cap_tokens, prepared.max_tokens)

    def new_step(
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

    def skipped_step(self, target: TargetConfig, tier: int, reason: str) -> StepResult:
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
            await run_profile(self, prepared)
        else:
            await run_load_modes(self, prepared)
