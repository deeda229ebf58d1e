"""Load modes: concurrency or rate steps (and sweeps, SLO search) per target and tier.

Load steps run one at a time so that each has the client to itself; a step's records are
computed when its window has closed. Load-mode warm-ups are sent and paid for, so they are kept
and stored with the tier's next step, marked `warmup`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchstudio.providers.base import ChatRequest
from benchstudio.speed.diagnostics import Diagnostics
from benchstudio.speed.engine import LoadShape, record_stream, run_load
from benchstudio.speed.metrics import RequestMetrics, StreamTrace
from benchstudio.speed.preparation import PreparedTarget
from benchstudio.speed.results import SloTargets
from benchstudio.speed.slo_search import ceiling_rate, search_target
from benchstudio.speed.steps import StepResult, step_name

if TYPE_CHECKING:
    from benchstudio.speed.runner import BenchRunner


async def run_load_modes(runner: BenchRunner, prepared: list[PreparedTarget]) -> None:
    config = runner.config
    for item in prepared:
        for tier in config.context_tokens:
            if tier in item.skipped:
                runner.steps.append(runner.skipped_step(item.config, tier, item.skipped[tier]))
                continue
            points = load_points(runner)
            names = [step_name(item.config.name, tier, concurrency=c, rate=r) for c, r in points]
            if not config.slo_search and all(runner.skip_step(name) for name in names):
                continue  # an earlier attempt finished this tier: no warm-up either
            await _warm_up(runner, item, tier)
            if config.slo_search:
                await _search_slo(runner, item, tier)
                continue
            for concurrency, rate in points:
                # A stop during the warm-up still gives the warm-ups (paid for) their step.
                if runner.control.stopped and not runner.warmups.get((item.config.name, tier)):
                    return
                step = await run_load_step(runner, item, tier, concurrency=concurrency, rate=rate)
                runner.steps.append(step)


def load_points(runner: BenchRunner) -> list[tuple[int | None, float | None]]:
    config = runner.config
    if config.sweep_concurrency:
        return [(c, None) for c in config.sweep_concurrency]
    if config.sweep_rate:
        return [(None, r) for r in config.sweep_rate]
    if config.request_rate is not None:
        return [(None, config.request_rate)]
    return [(config.concurrency or 1, None)]


async def run_load_step(
    runner: BenchRunner,
    prepared: PreparedTarget,
    tier: int,
    *,
    concurrency: int | None = None,
    rate: float | None = None,
) -> StepResult:
    """One load step: `concurrency` streams in flight or `rate` arrivals per second.

    Its records are computed when its window has closed (the load-mode warm-ups sent
    before it are stored with it, marked `warmup`)."""
    config, target = runner.config, prepared.config
    name = step_name(target.name, tier, concurrency=concurrency, rate=rate)
    if runner.skip_step(name):
        return runner.new_step(prepared, tier, name, "done")
    prompt, size = prepared.prompts[tier][0], prepared.sizes[tier][0]
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
        return runner.request(target, prompt, salt)

    mode = "concurrency" if concurrency is not None else "rate"
    step = runner.new_step(
        prepared,
        tier,
        name,
        mode,
        concurrency=concurrency,
        request_rate=rate,
        prompt_tokens=size.tokens,
    )
    item = runner.deferred.open(step, prepared, size)
    for trace, warm_size, labels in runner.warmups.pop((target.name, tier), []):
        item.traces.append((trace, warm_size, {**labels, "step": name}))
    await runner.connections.before_load_window(prepared.adapter, target.name, shape)
    traces: list[StreamTrace] = []
    with runner.deferred.window():
        if shape is None:  # a worker with no share of this step: merges as nothing
            diagnostics = Diagnostics(workers=0)
        else:
            traces, diagnostics = await run_load(
                prepared.adapter,
                make_request,
                shape,
                control=runner.control,
                run_id=f"{runner.run_id}:{name}",
                on_trace=runner.charger(prepared, size.cap_tokens),
                step=name,
            )
    labels = {
        "target": target.name,
        "model": target.model,
        "context_tokens": tier,
        "step": name,
        "warmup": False,
    }
    item.traces.extend((trace, size, labels) for trace in traces)
    step.wall_s, step.diagnostics = diagnostics.wall_s, diagnostics
    item.closed = True
    runner.deferred.settle()
    return step


async def _warm_up(runner: BenchRunner, prepared: PreparedTarget, tier: int) -> None:
    """Load-mode warm-ups: sent and paid for, so kept (with the tier's next step)."""
    target, control = prepared.config, runner.control
    prompt, size = prepared.prompts[tier][0], prepared.sizes[tier][0]
    charge = runner.charger(prepared, size.cap_tokens)
    kept = runner.warmups.setdefault((target.name, tier), [])
    for index in range(runner.config.warmup):
        if control.stopped or not control.claim_send():
            return
        salt = f"{prompt.salt[:6]}w{index:05x}"
        trace = await runner.deferred.timed(
            record_stream(
                prepared.adapter,
                runner.request(target, prompt, salt),
                stopping=lambda: control.stopped,
            )
        )
        if charge is not None:
            charge(trace)
        runner.connections.observe_warmup(target.name, trace)
        labels = {
            "target": target.name,
            "model": target.model,
            "context_tokens": tier,
            "warmup": True,
        }
        kept.append((trace, size, labels))


async def _search_slo(runner: BenchRunner, prepared: PreparedTarget, tier: int) -> None:
    """SLO search over this target and tier: the runner supplies the probe's step."""
    config = runner.config

    async def run_step(rate: float) -> tuple[list[RequestMetrics], float]:
        step = await run_load_step(runner, prepared, tier, rate=rate)
        runner.steps.append(step)
        return step.records, step.wall_s

    entry = await search_target(
        run_step,
        slo=SloTargets(**config.slo),
        required=config.slo_attainment,
        ceiling=ceiling_rate(config.request_rate, config.sweep_rate),
        target=prepared.config.name,
        tier=tier,
        stopped=lambda: runner.control.stopped,
    )
    runner.slo_probes.append(entry)
