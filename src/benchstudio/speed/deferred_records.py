"""Traces become records (tokenizer counts, exact costs) only while nothing is being timed.

A step's finished traces wait in a `PendingStep`; `settle()` turns them into records, reported
to the observer, as soon as no stream (profile) or load window is being timed, and a closed
step is reported once all its records are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from benchstudio.speed.connections import attach_connect_times
from benchstudio.speed.engine import RunControl
from benchstudio.speed.metrics import RequestMetrics, StreamTrace, TokenCounting
from benchstudio.speed.preparation import PreparedTarget, PromptSize
from benchstudio.speed.results import finalize
from benchstudio.speed.steps import StepResult


class RunObserver(Protocol):
    """Gets each request's record, then its step, once final (computed after the window)."""

    def on_record(self, record: RequestMetrics) -> None: ...

    def on_step(self, step: StepResult) -> None: ...


# (trace, prompt size, record labels): what a record is computed from after the window.
FinishedTrace = tuple[StreamTrace, PromptSize, dict[str, Any]]


@dataclass(slots=True)
class PendingStep:
    """A step whose traces still wait to become records; reported once closed."""

    step: StepResult
    prepared: PreparedTarget
    prompt: PromptSize | None = None  # the step's prompt, for its `prompt_tokens`
    traces: list[FinishedTrace] = field(default_factory=list)
    closed: bool = False


class DeferredRecords:
    """Holds steps' traces while anything is timed; computes their records in between."""

    def __init__(self, control: RunControl, observer: RunObserver | None, *, cold: bool) -> None:
        self.control = control
        self.observer = observer
        self.cold = cold
        self._pending: list[PendingStep] = []
        self._timing = 0  # streams (profile) or load windows being timed right now

    @property
    def timing(self) -> int:
        """How many streams (profile) or load windows are being timed right now."""
        return self._timing

    def open(
        self, step: StepResult, prepared: PreparedTarget, prompt: PromptSize | None = None
    ) -> PendingStep:
        item = PendingStep(step, prepared, prompt)
        self._pending.append(item)
        return item

    @contextmanager
    def window(self) -> Iterator[None]:
        """A load window is being timed: nothing is finalised until it ends."""
        self._timing += 1
        try:
            yield
        finally:
            self._timing -= 1

    async def timed(self, call: Coroutine[Any, Any, StreamTrace]) -> StreamTrace:
        """Await one sequential request so that `control.cancel_in_flight()` can cut it short;
        while it runs, nothing is finalised."""
        task = asyncio.current_task()
        if task is not None:
            self.control._in_flight.add(task)
        try:
            with self.window():
                return await call
        finally:
            if task is not None:
                self.control._in_flight.discard(task)

    def settle(self) -> None:
        """Finish what waits, unless a stream is being timed (then it waits a little more)."""
        if self._timing == 0:
            self.finish_all()

    def finish_all(self) -> None:
        """Records of finished traces (tokenizer counts, exact costs), then closed steps."""
        observer = self.observer
        for item in self._pending:
            prepared = item.prepared
            target = prepared.config
            attach_connect_times(
                (trace for trace, _, _ in item.traces), prepared.connect_times, cold=self.cold
            )
            counter = prepared.counter
            for trace, size, labels in item.traces:
                # The prompt is counted (the tokenizer loaded) only if the provider did not.
                usage = trace.usage
                reported = usage is not None and usage.input_tokens is not None
                prompt_tokens = size.tokens if reported else size.exact(counter)
                counting = TokenCounting(counter.count, counter.name, prompt_tokens)
                for record in finalize(
                    [trace], counting, model=target.model, cost=prepared.cost, extra=labels
                ):
                    item.step.records.append(record)
                    if observer is not None:
                        observer.on_record(record)
            item.traces.clear()
            if item.closed and item.prompt is not None and item.step.prompt_tokens is None:
                # Known if sized in tokens or counted above; else the tokenizer never loaded.
                item.step.prompt_tokens = item.prompt.tokens
            if item.closed and observer is not None:
                observer.on_step(item.step)
        self._pending = [item for item in self._pending if not item.closed]
