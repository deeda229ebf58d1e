"""The measuring child process: runs a `BenchConfig` and streams per-request records back.

It runs in its own process (multiprocessing "forkserver", this module preloaded) even in
embedded mode, so the server's
database writes and WebSocket fan-out never share its event loop. It opens its own database
handle only to let `catalog.service.open_provider_adapter` (the vault) attach each provider's
key server-side: keys never cross the pipe. Records go to the parent in small batches
(every `FLUSH_S`) through a pipe written by a sender thread, so a parent busy writing to the
database never blocks the measuring loop. The parent asks it to stop through a second pipe;
that pipe closing (the parent died) stops it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from benchstudio.config import Settings
from benchstudio.core.redaction import redact
from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.diagnostics import Diagnostics
from benchstudio.speed.metrics import RequestMetrics, StreamTrace
from benchstudio.speed.prompts import BuiltPrompt
from benchstudio.speed.runner import BenchRunner, PreparedTarget, StepResult

FLUSH_S = 0.1
STOP_POLL_S = 0.05

# Messages child → parent: ("batch", {"records": [...], "steps": [...]}),
# ("done", {...run fields...}) or ("error", {"message": str}).
Message = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class ChildJob:
    """Everything the child needs (picklable; no keys: the child reads them from the vault)."""

    settings: Settings
    owner_id: str
    config_json: str
    # target name -> provider id (the adapter is opened by the vault in the child)
    providers: Mapping[str, str]
    # target name -> {"temperature", "max_tokens"} after the parameter registry
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    finished_steps: tuple[str, ...] = ()


@dataclass
class RecordSink:
    """Buffers records and step metadata until the next flush."""

    records: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)

    def request(self, record: RequestMetrics) -> None:
        self.records.append(record.to_dict())

    def step(self, step: StepResult) -> None:
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


@dataclass
class _LiveStep:
    prepared: PreparedTarget
    prompt: BuiltPrompt
    labels: dict[str, Any]


class StreamingRunner(BenchRunner):
    """A `BenchRunner` that hands each request's record to a sink as soon as it finishes and
    skips steps finished by an earlier attempt (resume)."""

    def __init__(
        self,
        config: BenchConfig,
        sink: RecordSink,
        finished_steps: set[str],
        overrides: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__(config)
        self.sink = sink
        self.finished_steps = finished_steps
        self.overrides = dict(overrides or {})
        self._live: _LiveStep | None = None

    def request(self, target: TargetConfig, prompt: BuiltPrompt, salt: str) -> ChatRequest:
        """Per-target temperature and max_tokens as the parameter registry left them."""
        request = super().request(target, prompt, salt)
        override = self.overrides.get(target.name)
        if override is not None:
            request.temperature = override.get("temperature")
            request.max_tokens = override.get("max_tokens")
        return request

    def _placeholder(self, prepared: PreparedTarget, tier: int, name: str) -> StepResult:
        target = prepared.config
        return StepResult(name, target.name, target.model, "done", tier, [], 0.0, Diagnostics())

    async def _profile_tier(self, prepared: PreparedTarget, tier: int) -> StepResult:
        target = prepared.config
        name = f"{target.name}@{tier}"
        if name in self.finished_steps:
            return self._placeholder(prepared, tier, name)
        records: list[RequestMetrics] = []

        def keep(trace: StreamTrace, prompt: BuiltPrompt, labels: dict[str, Any]) -> None:
            # Finalised between requests (cheap when the server reports usage) so the record
            # reaches the platform while the run goes on.
            for record in self._finalize(prepared, [trace], prompt, labels):
                records.append(record)
                self.sink.request(record)

        diagnostics = await self._stream_tier(prepared, tier, keep)
        step = StepResult(
            name=name,
            target=target.name,
            model=target.model,
            mode="profile",
            context_tokens=tier,
            records=records,
            wall_s=diagnostics.wall_s,
            diagnostics=diagnostics,
            prompt_tokens=prepared.prompts[tier][0].tokens(prepared.counter),
        )
        self.sink.step(step)
        return step

    def _skipped_step(self, target: TargetConfig, tier: int, reason: str) -> StepResult:
        step = super()._skipped_step(target, tier, reason)
        if step.name not in self.finished_steps:
            self.sink.step(step)
        return step

    def _track_cost(self, prepared: PreparedTarget) -> Any:
        track = super()._track_cost(prepared)

        def on_complete(trace: StreamTrace) -> None:
            track(trace)
            live = self._live
            if live is not None and live.prepared is prepared:
                for record in self._finalize(prepared, [trace], live.prompt, live.labels):
                    self.sink.request(record)

        return on_complete

    async def run_load_step(
        self,
        prepared: PreparedTarget,
        tier: int,
        *,
        concurrency: int | None = None,
        rate: float | None = None,
    ) -> StepResult:
        target = prepared.config
        label = f"c={concurrency}" if concurrency is not None else f"rate={rate}"
        name = f"{target.name}@{tier}:{label}"
        if name in self.finished_steps:
            return self._placeholder(prepared, tier, name)
        labels = {
            "target": target.name,
            "model": target.model,
            "context_tokens": tier,
            "step": name,
            "warmup": False,
        }
        self._live = _LiveStep(prepared, prepared.prompts[tier][0], labels)
        try:
            step = await super().run_load_step(prepared, tier, concurrency=concurrency, rate=rate)
        finally:
            self._live = None
        self.sink.step(step)
        return step


class PipeSender:
    """Sends messages from a thread: the event loop only appends to an in-memory queue."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._queue: queue.SimpleQueue[Message | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._pump, name="benchmark-sender", daemon=True)
        self._thread.start()

    def put(self, message: Message) -> None:
        self._queue.put(message)

    def _pump(self) -> None:
        while (message := self._queue.get()) is not None:
            try:
                self._connection.send(message)
            except OSError:
                return  # the parent is gone

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        self._connection.close()


def _send(out: PipeSender, message: Message) -> None:
    out.put(message)


async def _flush_forever(sink: RecordSink, out: PipeSender) -> None:
    while True:
        await asyncio.sleep(FLUSH_S)
        batch = sink.drain()
        if batch is not None:
            _send(out, ("batch", batch))


async def _watch_stop(runner: StreamingRunner, stop: Any) -> None:
    """Stop on the parent's word, or when its end of the pipe closed (nobody would read)."""
    while not stop.poll():
        await asyncio.sleep(STOP_POLL_S)
    runner.control.stop("cancelled")
    runner.control.cancel_in_flight()


async def _open_adapters(stack: AsyncExitStack, job: ChildJob) -> dict[str, Any]:
    from benchstudio.catalog.service import CatalogContext, open_provider_adapter
    from benchstudio.credentials.service import Vault
    from benchstudio.storage.engine import DatabaseConfig, open_database

    settings = job.settings
    database = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
    stack.push_async_callback(database.dispose)
    context = CatalogContext(database, Vault(settings.vault_key_list()), settings)
    adapters: dict[str, ProviderAdapter] = {}
    for target_name, provider_id in job.providers.items():
        adapters[target_name] = await stack.enter_async_context(
            open_provider_adapter(context, job.owner_id, provider_id)
        )
    return adapters


async def _measure(job: ChildJob, out: PipeSender, stop: Any) -> None:
    config = BenchConfig.model_validate_json(job.config_json)
    sink = RecordSink()
    runner = StreamingRunner(config, sink, set(job.finished_steps), job.overrides)
    async with AsyncExitStack() as stack:
        adapters = await _open_adapters(stack, job)
        flusher = asyncio.create_task(_flush_forever(sink, out))
        watcher = asyncio.create_task(_watch_stop(runner, stop))
        try:
            result = await runner.run(adapters)
        finally:
            for task in (flusher, watcher):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    batch = sink.drain()
    if batch is not None:
        _send(out, ("batch", batch))
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
    if failed:
        raise SystemExit(1)
