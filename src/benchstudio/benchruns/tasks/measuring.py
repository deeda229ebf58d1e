"""The measuring child process: runs a `BenchConfig` and streams per-request records back.

It runs in its own process (multiprocessing "forkserver", this module preloaded) even in
embedded mode, so the server's database writes and WebSocket fan-out never share its event
loop. It gets only what it needs: the config and, per target, its provider's endpoint with the
decrypted key (`ProviderAccess`). No `Settings`: neither the vault's master keys, nor the JWT
secret, nor the database URL cross the pipe, and the child opens no database. Records go to the
parent in small batches
(every `FLUSH_S`) through a pipe written by a sender thread, so a parent busy writing to the
database never blocks the measuring loop. The parent asks it to stop through a second pipe,
which also carries the parent's keep-alives (`core/parent_watch.py`): that pipe closing (the
parent died) or falling silent for `parent_silence_s` (the parent is paused, so it can no
longer hold its job's lease) stops the requests at once and ends the child.

It measures with the CLI's own `BenchRunner`, composed (not subclassed) with a `RecordSink`
observer, the finished-steps skip predicate of a resumed attempt, the run indices its unfinished
profile steps already stored, and the per-target overrides.
Its last message, "done", says how many records it finished; the parent checks them stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from benchstudio.core.parent_watch import ParentWatch
from benchstudio.core.redaction import redact
from benchstudio.credentials.service import ProviderAccess
from benchstudio.providers.base import ProviderAdapter
from benchstudio.speed.config import BenchConfig
from benchstudio.speed.engine import RunControl
from benchstudio.speed.metrics import RequestMetrics
from benchstudio.speed.runner import BenchRunner
from benchstudio.speed.steps import StepResult

log = logging.getLogger(__name__)
FLUSH_S = 0.1
# How often the open windows of the steps in progress are reported: a crash cutting a step
# short keeps its client's health up to the last report.
WINDOW_REPORT_S = 1.0
# Without a keep-alive from the parent for this long, stop (one lease heartbeat by default).
PARENT_SILENCE_S = 5.0
# A child whose parent is gone or silent gets this long to stop by itself, then is ended.
PARENT_LOST_GRACE_S = 3.0

# Messages child → parent: ("batch", {"records": [...], "steps": [...]}),
# ("progress", {"finished": int}), ("window", {"steps": {step: DiagnosticWindow.progress()}}),
# ("done", {...run fields...}) or ("error", {"message": str}).
Message = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class ChildJob:
    """Everything the child needs, and nothing more (it is pickled to the child)."""

    config_json: str
    # target name -> its provider's endpoint, key and egress policy (one user's, these only)
    access: Mapping[str, ProviderAccess]
    # target name -> {"temperature", "max_tokens"} after the parameter registry
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    finished_steps: tuple[str, ...] = ()
    parent_silence_s: float = PARENT_SILENCE_S
    # A resumed profile step's run indices already stored: only the missing ones are sent.
    done_runs: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass
class RecordSink:
    """The child's `RunObserver`: buffers records and step metadata until the next flush."""

    records: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    # Every record handed over so far: the "done" message tells the parent how many to expect.
    finished: int = 0

    def on_record(self, record: RequestMetrics) -> None:
        self.records.append(record.to_dict())
        self.finished += 1

    def on_step(self, step: StepResult) -> None:
        self.steps.append(step_meta(step))

    def drain(self) -> dict[str, Any] | None:
        if not self.records and not self.steps:
            return None
        batch = {"records": self.records, "steps": self.steps}
        self.records, self.steps = [], []
        return batch


def step_meta(step: StepResult) -> dict[str, Any]:
    return {
        "name": step.name,
        "target": step.target,
        "model": step.model,
        "mode": step.mode,
        "context_tokens": step.context_tokens,
        "prompt_tokens": step.prompt_tokens,
        "concurrency": step.concurrency,
        "request_rate": step.request_rate,
        "skipped_reason": step.skipped_reason,
        "diagnostics": step.diagnostics.to_dict(),
        "wall_s": round(step.wall_s, 4),
    }


class PipeSender:
    """Sends messages from a thread: the event loop only appends to an in-memory queue."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._queue: queue.SimpleQueue[Message | None] = queue.SimpleQueue()
        self.failed: str | None = None
        self._thread = threading.Thread(target=self._pump, name="benchmark-sender", daemon=True)
        self._thread.start()

    def put(self, message: Message) -> None:
        self._queue.put(message)

    def _pump(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._connection.send(message)
            except OSError:
                self.failed = "the parent is gone"
                return
            except Exception as exc:  # e.g. an unpicklable value: say so rather than vanish
                self.failed = redact(f"{type(exc).__name__}: {exc}")[:500]
                try:
                    self._connection.send(("error", {"message": f"sending failed: {self.failed}"}))
                except Exception:  # the exit code still says it failed; the log says why
                    log.warning("could not tell the parent: %s", self.failed, exc_info=True)
                return

    def close(self) -> None:
        """Send what is queued, then close; `failed` says whether every message went."""
        self._queue.put(None)
        self._thread.join()
        self._connection.close()


def _send(out: PipeSender, message: Message) -> None:
    out.put(message)


async def _flush_forever(sink: RecordSink, out: PipeSender, control: RunControl) -> None:
    reported = 0
    loop = asyncio.get_running_loop()
    next_report = loop.time() + WINDOW_REPORT_S
    while True:
        await asyncio.sleep(FLUSH_S)
        if control.windows and loop.time() >= next_report:
            next_report = loop.time() + WINDOW_REPORT_S
            # Only the lag samples new since the last report: cheap for the measuring loop.
            steps = {name: window.progress() for name, window in control.windows.items()}
            _send(out, ("window", {"steps": steps}))
        batch = sink.drain()
        if batch is not None:
            _send(out, ("batch", batch))
        # Records wait until nothing is timed (a load step's window, parallel targets), so the
        # count of finished requests alone keeps the job's progress moving meanwhile.
        if control.completed != reported:
            reported = control.completed
            _send(out, ("progress", {"finished": reported}))


class ParentLostError(RuntimeError):
    """The parent died or went silent: the child stopped its requests."""


_LOST_REASONS = {
    "parent_gone": "the process running this job is gone",
    "parent_silent": "the process running this job stopped answering (paused?)",
}


def _watch_parent(runner: BenchRunner, stop: Any, silence_s: float) -> ParentWatch:
    """Stop on the parent's word, at its end (nobody would read) or its silence (paused)."""
    loop = asyncio.get_running_loop()

    def stop_runner(_reason: str) -> None:
        runner.control.stop("cancelled")
        runner.control.cancel_in_flight()

    def on_stop(reason: str) -> None:  # from the watching thread
        with contextlib.suppress(RuntimeError):  # the loop already closed: nothing to stop
            loop.call_soon_threadsafe(stop_runner, reason)

    watch = ParentWatch(stop, silence_s=silence_s, grace_s=PARENT_LOST_GRACE_S, on_stop=on_stop)
    watch.start()
    return watch


async def _open_adapters(stack: AsyncExitStack, job: ChildJob) -> dict[str, ProviderAdapter]:
    from benchstudio.credentials.service import adapter_for

    return {
        target_name: await stack.enter_async_context(adapter_for(access))
        for target_name, access in job.access.items()
    }


async def _measure(job: ChildJob, out: PipeSender, stop: Any) -> None:
    config = BenchConfig.model_validate_json(job.config_json)
    sink = RecordSink()
    finished_steps = frozenset(job.finished_steps)
    runner = BenchRunner(
        config,
        observer=sink,
        skip_step=finished_steps.__contains__,
        overrides=job.overrides,
        done_runs=job.done_runs,
    )
    async with AsyncExitStack() as stack:
        adapters = await _open_adapters(stack, job)
        flusher = asyncio.create_task(_flush_forever(sink, out, runner.control))
        watch = _watch_parent(runner, stop, job.parent_silence_s)
        try:
            result = await runner.run(adapters)
        finally:
            flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
    batch = sink.drain()
    if batch is not None:
        _send(out, ("batch", batch))
    if watch.parent_lost:
        # Not "done": a run stopped because its server vanished must not read as cancelled.
        raise ParentLostError(_LOST_REASONS.get(watch.reason or "", "the server is gone"))
    _send(
        out,
        (
            "done",
            {
                "status": result.status,
                "stop_reason": result.stop_reason,
                "started_at": result.started_at,
                "finished_at": result.finished_at,
                "wall_s": round(result.wall_s, 4),
                "environment": result.environment,
                # Steps of one lane in turn, lanes side by side (skipped and resumed steps out).
                "diagnostics": result.diagnostics().to_dict(),
                "slo_search": result.slo_search,
                "tracked_spend_usd": result.tracked_spend_usd,
                # The parent checks that it stored exactly this many rows.
                "records": sink.finished,
            },
        ),
    )


def child_main(job: ChildJob, connection: Any, stop: Any) -> None:
    """Entry point of the spawned process: `connection` to send, `stop` to listen on."""
    from benchstudio.speed.launch import run_in_loop

    out = PipeSender(connection)
    failed = False
    try:
        run_in_loop(lambda: _measure(job, out, stop))
    except BaseException as exc:
        failed = True
        _send(out, ("error", {"message": redact(f"{type(exc).__name__}: {exc}")[:500]}))
    finally:
        out.close()
    if failed or out.failed is not None:
        raise SystemExit(1)
