"""The measuring loop: one stream recorded compactly, and the two load shapes built on it.

The hot path does as little as possible per event: a kind comparison, an append of an int64
timestamp to an `array` and a byte to a `bytearray`. Metrics, token counting and cost are all
computed after the measured window, so they never delay another stream's timestamps.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter_ns
from typing import Any

from benchstudio.providers.base import (
    CONTENT,
    ERROR,
    FINISH,
    FIRST_BYTE,
    REASONING,
    SENT,
    TOOL_CALL_DELTA,
    USAGE,
    ChatRequest,
    ProviderAdapter,
    ProviderError,
)
from benchstudio.speed.diagnostics import Diagnostics, DiagnosticWindow
from benchstudio.speed.metrics import (
    CANCELLED,
    CONTENT_KIND,
    REASONING_KIND,
    TOOL_KIND,
    RequestError,
    StreamTrace,
    UsageCounts,
)
from benchstudio.speed.schedule import Arrival, arrival_offsets, offsets_for_duration

RequestFactory = Callable[[int], ChatRequest]
REQUEST_LIMIT_REASON = "request limit"
# Gets each finished trace inside the window (cost caps): must stay cheap.
TraceCallback = Callable[[StreamTrace], None]

logger = logging.getLogger(__name__)


async def record_stream(
    adapter: ProviderAdapter,
    request: ChatRequest,
    *,
    stopping: Callable[[], bool] | None = None,
) -> StreamTrace:
    """Send one streamed request and record when each token-bearing chunk arrived.

    One chunk (one SSE event) is one timestamp, whatever it carries: a token event marked
    `same_chunk` adds its text to the chunk before it, and a chunk holding content counts as
    content, so TTFCT finds it. The TTFT origin (`sent_ns`) is the adapter's `sent` event, the
    instant the body went to the socket; an adapter that reports none gets the instant before
    its first `__anext__` (after `stream()` serialized the body), as for every wire protocol.
    A cancellation is kept as a `cancelled` trace only while `stopping()` says the run is
    stopping; any other cancellation propagates.
    """
    trace = StreamTrace(request.request_id, 0)
    times = trace.chunk_ns
    kinds = trace.chunk_kinds
    texts = trace.text_parts  # one part per chunk, aligned with `kinds`
    reasoning: list[str] = []  # exact even where a chunk carries reasoning and content
    stream = adapter.stream(request)
    trace.sent_ns = perf_counter_ns()
    try:
        async for event in stream:
            kind = event.kind
            if kind is CONTENT or kind == CONTENT:
                text = event.text
                if not text:
                    continue
                code = CONTENT_KIND
            elif kind == REASONING:
                text = event.text
                if not text:
                    continue
                code = REASONING_KIND
                reasoning.append(text)
            elif kind == TOOL_CALL_DELTA:
                text = event.text or event.tool_name or ""
                if not text:
                    continue
                code = TOOL_KIND
            else:
                if kind == SENT:
                    trace.sent_ns = event.t_ns
                elif kind == FIRST_BYTE:
                    trace.first_byte_ns = event.t_ns
                elif kind == USAGE and event.usage is not None:
                    usage = event.usage
                    trace.usage = UsageCounts(
                        usage.input_tokens,
                        usage.output_tokens,
                        usage.reasoning_tokens,
                        usage.cached_input_tokens,
                    )
                elif kind == FINISH:
                    trace.finish_reason = event.finish_reason
                    trace.end_ns = event.t_ns
                elif kind == ERROR and event.error is not None:
                    trace.end_ns = event.t_ns
                continue
            if event.same_chunk and texts:
                texts[-1] += text
                if code == CONTENT_KIND or kinds[-1] == TOOL_KIND:
                    kinds[-1] = code  # content outranks reasoning, reasoning outranks tools
            else:
                times.append(event.t_ns)
                kinds.append(code)
                texts.append(text)
    except ProviderError as exc:
        trace.error = RequestError(exc.category, exc.message, exc.status)
    except asyncio.CancelledError:
        if stopping is None or not stopping():
            raise
        # A stopping run cancels requests: keep the partial trace, marked cancelled.
        trace.error = RequestError(CANCELLED, "the run was stopped before this request ended")
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
    except Exception as exc:  # an adapter bug must not kill the whole run
        trace.error = RequestError("other", f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if trace.end_ns is None:
            trace.end_ns = perf_counter_ns()
        trace.compact()
        if reasoning and (trace.usage is None or trace.usage.reasoning_tokens is None):
            trace.reasoning_text = "".join(reasoning)
    return trace


@dataclass(slots=True)
class RunControl:
    """Shared stop switch and progress counters of a run (read by the progress display)."""

    stopped: bool = False
    stop_reason: str | None = None
    completed: int = 0
    errors: int = 0
    recent_ttft_ms: list[float] = field(default_factory=list)
    # A hard bound on requests sent (warm-ups included); None: unbounded.
    request_limit: int | None = None
    sent: int = 0
    # Measured windows open now, by step name: what a report of the steps in progress reads.
    windows: dict[str, DiagnosticWindow] = field(default_factory=dict)
    _in_flight: set[asyncio.Task[Any]] = field(default_factory=set)

    def stop(self, reason: str) -> None:
        if not self.stopped:
            self.stopped = True
            self.stop_reason = reason

    def claim_send(self) -> bool:
        """Count one request about to be sent; False (and the run stops) once the request
        limit is reached. Every send site asks first, so no mode sends more than the limit."""
        limit = self.request_limit
        if limit is not None and self.sent >= limit:
            self.stop(f"{REQUEST_LIMIT_REASON}: {limit} requests sent")
            return False
        self.sent += 1
        return True

    def cancel_in_flight(self) -> None:
        for task in list(self._in_flight):
            task.cancel()

    def finished(self, trace: StreamTrace) -> None:
        self.completed += 1
        if trace.error is not None:
            self.errors += 1
        elif len(trace.chunk_ns):
            self.recent_ttft_ms.append((trace.chunk_ns[0] - trace.sent_ns) / 1e6)
            if len(self.recent_ttft_ms) > 512:
                del self.recent_ttft_ms[:256]


@dataclass(frozen=True, slots=True)
class LoadShape:
    """Either `concurrency` streams kept in flight, or `rate` arrivals per second."""

    concurrency: int | None = None
    rate: float | None = None
    arrival: Arrival = "poisson"
    burstiness: float = 1.0
    num_requests: int | None = None
    duration_s: float | None = None
    # Rate mode only: cap on streams in flight (None: unbounded, like real traffic).
    max_in_flight: int | None = None
    # Rate mode only: the whole schedule starts this much later (a worker's constant-arrival phase).
    start_offset_s: float = 0.0

    def __post_init__(self) -> None:
        if (self.concurrency is None) == (self.rate is None):
            raise ValueError("give exactly one of concurrency or rate")
        if self.num_requests is None and self.duration_s is None:
            raise ValueError("bound the run by a request count or a duration")


async def _run_closed_loop(
    adapter: ProviderAdapter,
    make_request: RequestFactory,
    shape: LoadShape,
    control: RunControl,
    traces: list[StreamTrace],
    on_trace: TraceCallback | None,
) -> None:
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    deadline = None if shape.duration_s is None else loop.time() + shape.duration_s
    limit = shape.num_requests

    async def worker() -> None:
        while not control.stopped:
            index = next(counter)
            if (limit is not None and index >= limit) or (
                deadline is not None and loop.time() >= deadline
            ):
                return
            if not control.claim_send():
                return
            trace = await record_stream(
                adapter, make_request(index), stopping=lambda: control.stopped
            )
            traces.append(trace)
            control.finished(trace)
            if on_trace is not None:
                on_trace(trace)

    workers: list[asyncio.Task[None]] = []
    try:
        try:
            for _ in range(shape.concurrency or 1):
                task = loop.create_task(worker())
                workers.append(task)
                control._in_flight.add(task)
                # One send per loop turn: the first round of c sends costs ~0.4 ms of CPU each,
                # and started together they would run in one turn, so the first answers (due
                # after the server's TTFT) would wait behind the rest of the round unread.
                await asyncio.sleep(0)
        except BaseException:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
        outcomes = await asyncio.gather(*workers, return_exceptions=True)
    finally:
        control._in_flight.difference_update(workers)
    _raise_worker_failure(outcomes)


def _raise_worker_failure(outcomes: list[Any]) -> None:
    """A worker that died is a bug, not a measurement: log every one and raise the first.
    (A cancelled worker is a stopping run, already recorded in its trace.)"""
    failures = [
        outcome
        for outcome in outcomes
        if isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError)
    ]
    for failure in failures:
        logger.error("load worker failed", exc_info=failure)
    if failures:
        raise failures[0]


async def _run_open_loop(
    adapter: ProviderAdapter,
    make_request: RequestFactory,
    shape: LoadShape,
    control: RunControl,
    traces: list[StreamTrace],
    diagnostics: Diagnostics,
    run_id: str,
    on_trace: TraceCallback | None,
) -> None:
    assert shape.rate is not None
    loop = asyncio.get_running_loop()
    if shape.num_requests is not None:
        offsets = arrival_offsets(
            shape.rate,
            shape.num_requests,
            arrival=shape.arrival,
            burstiness=shape.burstiness,
            run_id=run_id,
        )
        if shape.duration_s is not None:
            offsets = [x for x in offsets if x < shape.duration_s]
    else:
        assert shape.duration_s is not None
        offsets = offsets_for_duration(
            shape.rate,
            shape.duration_s,
            arrival=shape.arrival,
            burstiness=shape.burstiness,
            run_id=run_id,
        )
    lags = diagnostics.dispatch_lag_ms
    gate = asyncio.Semaphore(shape.max_in_flight) if shape.max_in_flight else None
    pending: set[asyncio.Task[None]] = set()

    async def send(index: int, scheduled: float) -> None:
        lags.append((loop.time() - scheduled) * 1000.0)
        trace = await record_stream(adapter, make_request(index), stopping=lambda: control.stopped)
        traces.append(trace)
        control.finished(trace)
        if on_trace is not None:
            on_trace(trace)

    def release(_: asyncio.Task[None]) -> None:
        # The done callback is the task's `finally`: it runs even when the task is cancelled
        # before it started or fails, so a stopped run never waits on a leaked permit.
        assert gate is not None
        gate.release()

    # A little slack so the first deadline is not already late.
    start = loop.time() + 0.002 + shape.start_offset_s
    for index, offset in enumerate(offsets):
        if control.stopped:
            break
        scheduled = start + offset
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if gate is not None:
            await gate.acquire()
            if control.stopped:
                gate.release()
                break
        if not control.claim_send():
            if gate is not None:
                gate.release()
            break
        task = loop.create_task(send(index, scheduled))
        if gate is not None:
            task.add_done_callback(release)
        pending.add(task)
        control._in_flight.add(task)
        task.add_done_callback(pending.discard)
        task.add_done_callback(control._in_flight.discard)
    if pending:
        _raise_worker_failure(await asyncio.gather(*pending, return_exceptions=True))


async def run_load(
    adapter: ProviderAdapter,
    make_request: RequestFactory,
    shape: LoadShape,
    *,
    control: RunControl | None = None,
    run_id: str = "",
    on_trace: TraceCallback | None = None,
    step: str | None = None,
) -> tuple[list[StreamTrace], Diagnostics]:
    """Drive `adapter` with `shape`; returns every trace (errors included) and diagnostics.

    `on_trace` gets each trace as it finishes, inside the window: keep it cheap. With `step`,
    the open window is listed in `control.windows` under that name."""
    control = control or RunControl()
    traces: list[StreamTrace] = []
    window = DiagnosticWindow(requested_rate=shape.rate, count=traces.__len__)
    window.start()
    if step is not None:
        control.windows[step] = window
    try:
        if shape.concurrency is not None:
            await _run_closed_loop(adapter, make_request, shape, control, traces, on_trace)
        else:
            await _run_open_loop(
                adapter, make_request, shape, control, traces, window.diagnostics, run_id, on_trace
            )
    finally:
        if step is not None:
            control.windows.pop(step, None)
        diagnostics = await window.stop(len(traces))
    return traces, diagnostics
