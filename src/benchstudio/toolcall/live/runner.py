"""Run a suite against one or more targets concurrently and yield case results as they finish.

Targets on the same provider endpoint share one concurrency limit (default 4, 2 for local
servers, or the smallest limit one of those targets sets). Work is interleaved case by case
across targets so partial results compare models on the same cases. `cancel()` stops the run:
cases in flight are abandoned, finished ones stay in `results`. An optional `admit` hook is
awaited by a worker before each case it takes (the tuner's budget admission): False ends that
worker, the case is not run.

    runner = LiveEvalRunner(suite, targets, get_profile("lenient"), adapter_for)
    async for result in runner.run():
        show(result)
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from benchstudio.providers.base import ChatRequest, ProviderAdapter
from benchstudio.providers.params import apply_params
from benchstudio.providers.retry import RetryPolicy
from benchstudio.toolcall.live.driver import DriveSettings, Sleep, TargetContext, drive_case
from benchstudio.toolcall.live.records import (
    DEFAULT_CONCURRENCY,
    LOCAL_DEFAULT_CONCURRENCY,
    EvalTarget,
    LiveCaseResult,
    ParamAdjustment,
    TargetPlan,
)
from benchstudio.toolcall.matching import SemanticScorerMissingError
from benchstudio.toolcall.profiles import Profile
from benchstudio.toolcall.schemas import ArgumentExpectation, MatchMode, Suite, TestCase
from benchstudio.toolcall.semantic import SemanticPrepass

AdapterFor = Callable[[EvalTarget], ProviderAdapter]
# Asked before a case starts: True runs it, False ends the asking worker (it may wait first).
Admit = Callable[[EvalTarget, TestCase], Awaitable[bool]]
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_local_url(base_url: str) -> bool:
    """Loopback or private-network hosts (a local model server)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def concurrency_group(target: EvalTarget) -> str:
    """Targets served by the same provider endpoint share a limit."""
    parts = urlsplit(target.base_url)
    return f"{target.provider_name}@{parts.scheme}://{parts.netloc}"


def plan_targets(targets: Sequence[EvalTarget]) -> list[TargetPlan]:
    """Resolve each target's concurrency and provider-effective parameters up front."""
    labels = [target.label for target in targets]
    if len(set(labels)) != len(labels):
        raise ValueError(f"target labels must be unique, got {labels}")
    limits: dict[str, int] = {}
    for target in targets:
        group = concurrency_group(target)
        default = (
            LOCAL_DEFAULT_CONCURRENCY if is_local_url(target.base_url) else DEFAULT_CONCURRENCY
        )
        limit = target.concurrency or default
        limits[group] = min(limits.get(group, limit), limit)
    plans: list[TargetPlan] = []
    for target in targets:
        _, adjustments = apply_params(_probe_request(target), target.provider_name)
        group = concurrency_group(target)
        plans.append(
            TargetPlan(
                target=target,
                concurrency=limits[group],
                concurrency_group=group,
                adjustments=[
                    ParamAdjustment(param=a.param, action=a.action, reason=a.reason)
                    for a in adjustments
                ],
            )
        )
    return plans


def _probe_request(target: EvalTarget) -> ChatRequest:
    return ChatRequest(
        model=target.model,
        messages=[],
        max_tokens=target.max_tokens,
        temperature=target.temperature,
        extra=dict(target.params),
        stream=False,
    )


def _context(target: EvalTarget, adapter: ProviderAdapter) -> TargetContext:
    effective, _ = apply_params(_probe_request(target), target.provider_name)
    return TargetContext(
        target=target,
        adapter=adapter,
        temperature=effective.temperature,
        max_tokens=effective.max_tokens,
        extra=dict(effective.extra),
    )


def _semantic_paths(expectations: dict[str, ArgumentExpectation], prefix: str) -> list[str]:
    paths: list[str] = []
    for name, expectation in expectations.items():
        path = f"{prefix}.{name}"
        if expectation.match is MatchMode.SEMANTIC:
            paths.append(path)
        for alternative in expectation.objects:
            paths += _semantic_paths(alternative, path)
        for items in expectation.item_lists:
            paths += _semantic_paths({str(i): e for i, e in enumerate(items)}, path)
    return list(dict.fromkeys(paths))


def semantic_arguments(suite: Suite) -> list[tuple[str, str]]:
    """(case id, `tool.argument` path) of every argument the suite compares semantically."""
    return [
        (case.id, path)
        for case in suite.cases
        for call in case.expected_calls
        for path in _semantic_paths(call.arguments, call.name)
    ]


def suite_uses_semantic(suite: Suite) -> bool:
    return bool(semantic_arguments(suite))


@dataclass(slots=True)
class _Failed:
    error: BaseException


_DONE = object()


class LiveEvalRunner:
    """Runs every (target, case) pair once; see the module docstring."""

    def __init__(
        self,
        suite: Suite,
        targets: Sequence[EvalTarget],
        profile: Profile,
        adapter_for: AdapterFor,
        *,
        retry_policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        semantic: SemanticPrepass | None = None,
        admit: Admit | None = None,
    ) -> None:
        if not targets:
            raise ValueError("at least one target is needed")
        unset = semantic is None and profile.match.semantic_lookup is None
        if unset and not profile.bfcl_verdict and suite_uses_semantic(suite):
            raise SemanticScorerMissingError(
                "the suite asks for semantic matching; no semantic scorer is configured"
            )
        self.suite = suite
        self.profile = profile
        self.plans = plan_targets(targets)
        self._adapter_for = adapter_for
        self._admit = admit
        self._settings = DriveSettings(profile, retry_policy or RetryPolicy(), sleep, semantic)
        self.results: list[LiveCaseResult] = []
        self.cancelled = False
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def total(self) -> int:
        return len(self.plans) * len(self.suite.cases)

    def cancel(self) -> None:
        """Stop now: in-flight cases are abandoned; finished results are kept."""
        self.cancelled = True
        for task in self._tasks:
            task.cancel()

    def _work_queues(self) -> dict[str, tuple[int, deque[tuple[TargetContext, TestCase]]]]:
        queues: dict[str, tuple[int, deque[tuple[TargetContext, TestCase]]]] = {}
        contexts = [
            (plan, _context(plan.target, self._adapter_for(plan.target))) for plan in self.plans
        ]
        for case in self.suite.cases:
            for plan, context in contexts:
                _, items = queues.setdefault(plan.concurrency_group, (plan.concurrency, deque()))
                items.append((context, case))
        return queues

    async def _worker(
        self,
        items: deque[tuple[TargetContext, TestCase]],
        out: asyncio.Queue[object],
    ) -> None:
        while items and not self.cancelled:
            context, case = items.popleft()
            if self._admit is not None and not await self._admit(context.target, case):
                return
            result = await drive_case(self.suite, case, context, self._settings)
            self.results.append(result)
            out.put_nowait(result)

    async def _supervise(self, out: asyncio.Queue[object]) -> None:
        outcomes = await asyncio.gather(*self._tasks, return_exceptions=True)
        failures = [o for o in outcomes if isinstance(o, Exception)]
        out.put_nowait(_Failed(failures[0]) if failures else _DONE)

    async def run(self) -> AsyncIterator[LiveCaseResult]:
        """Yield each case result as soon as it is scored."""
        out: asyncio.Queue[object] = asyncio.Queue()
        for limit, items in self._work_queues().values():
            workers = min(limit, len(items))
            self._tasks += [asyncio.create_task(self._worker(items, out)) for _ in range(workers)]
        supervisor = asyncio.create_task(self._supervise(out))
        try:
            while True:
                item = await out.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                assert isinstance(item, LiveCaseResult)
                yield item
        finally:
            for task in (*self._tasks, supervisor):
                task.cancel()
            await asyncio.gather(*self._tasks, supervisor, return_exceptions=True)
