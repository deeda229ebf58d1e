"""Profile mode: each tier's requests one after another, targets of one provider in turn.

Providers run in parallel, models of one provider one after another (unless
`parallel_models`). Each record goes out between two requests when no other stream is timed.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from benchstudio.speed.deferred_records import PendingStep
from benchstudio.speed.diagnostics import DiagnosticWindow
from benchstudio.speed.engine import record_stream
from benchstudio.speed.preparation import PreparedTarget
from benchstudio.speed.steps import StepResult, step_name

if TYPE_CHECKING:
    from benchstudio.speed.runner import BenchRunner


async def run_profile(runner: BenchRunner, prepared: list[PreparedTarget]) -> None:
    groups: dict[str, list[PreparedTarget]] = {}
    for item in prepared:
        groups.setdefault(item.config.provider_key, []).append(item)
    try:
        nested = await asyncio.gather(*(_profile_group(runner, g) for g in groups.values()))
    finally:
        runner.deferred.finish_all()  # what parallel targets' overlapping windows held back
    for steps in nested:
        runner.steps.extend(steps)


async def _profile_group(runner: BenchRunner, group: list[PreparedTarget]) -> list[StepResult]:
    if runner.config.parallel_models:
        nested = await asyncio.gather(*(_profile_target(runner, p) for p in group))
        return [step for steps in nested for step in steps]
    steps: list[StepResult] = []
    for prepared in group:
        steps.extend(await _profile_target(runner, prepared))
    return steps


async def _profile_target(runner: BenchRunner, prepared: PreparedTarget) -> list[StepResult]:
    steps = []
    for tier in runner.config.context_tokens:
        if tier in prepared.skipped:
            steps.append(runner.skipped_step(prepared.config, tier, prepared.skipped[tier]))
        elif not runner.control.stopped:
            steps.append(await _profile_tier(runner, prepared, tier))
    return steps


async def _profile_tier(runner: BenchRunner, prepared: PreparedTarget, tier: int) -> StepResult:
    name = step_name(prepared.config.name, tier)
    if runner.skip_step(name):
        return runner.new_step(prepared, tier, name, "done")
    size = prepared.sizes[tier][0]
    step = runner.new_step(prepared, tier, name, "profile", prompt_tokens=size.tokens)
    item = runner.deferred.open(step, prepared, size)
    await _stream_tier(runner, prepared, tier, item)
    item.closed = True
    runner.deferred.settle()
    return step


async def _stream_tier(
    runner: BenchRunner, prepared: PreparedTarget, tier: int, item: PendingStep
) -> None:
    """A tier's profile requests one after another; each finished trace joins `item`."""
    control = runner.control
    await runner.connections.before_profile_window(prepared.adapter)
    window = DiagnosticWindow()
    window.start()
    control.windows[item.step.name] = window  # reported while open (a crash may cut it short)
    try:
        completed = await _send_tier(runner, prepared, tier, item, window)
    finally:
        control.windows.pop(item.step.name, None)
    diagnostics = await window.stop(completed)
    item.step.wall_s, item.step.diagnostics = diagnostics.wall_s, diagnostics


async def _send_tier(
    runner: BenchRunner,
    prepared: PreparedTarget,
    tier: int,
    item: PendingStep,
    window: DiagnosticWindow,
) -> int:
    """Send the tier's requests; returns how many measured ones (not warm-ups) finished."""
    target, config, control = prepared.config, runner.config, runner.control
    completed = 0
    # A resumed step continues: the run indices an earlier attempt stored are not sent again.
    done = runner.done_runs.get(item.step.name, frozenset())
    for index, prompt in enumerate(prepared.prompts[tier]):
        if index - config.warmup in done:
            continue
        if control.stopped or not control.claim_send():
            break
        size = prepared.sizes[tier][index]
        if index == config.warmup and index:
            window.restart()  # the step's window is its measured requests, not warm-ups
        trace = await runner.deferred.timed(
            record_stream(
                prepared.adapter,
                runner.request(target, prompt, prompt.salt),
                stopping=lambda: control.stopped,
            )
        )
        control.finished(trace)
        charge = runner.charger(prepared, size.cap_tokens)
        if charge is not None:
            charge(trace)
        labels = {
            "target": target.name,
            "model": target.model,
            "context_tokens": tier,
            "run_index": index - config.warmup,
            "warmup": index < config.warmup,
        }
        item.traces.append((trace, size, labels))
        completed += int(index >= config.warmup)
        window.diagnostics.completed = completed  # what a report of the open window counts
        # Between two requests, with no other stream timed, the record goes out at once.
        runner.deferred.settle()
    return completed
