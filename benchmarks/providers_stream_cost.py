"""CPU cost per streamed event of our adapters (and the official openai SDK), goal <= 10 us.

The simulator runs in a child process (so its CPU is not counted); this process streams from it
and divides its own CPU time (user + system) by the number of token events received. Each row is
the median of `--repeat` runs. By default the client runs on uvloop, the loop `benchstudio bench`
and the measuring child use (`--loop asyncio` for the standard loop). `parse only` rows feed
recorded chunks through the SSE decoder and the wire parser without any network: the part of the
cost that is ours, apart from the event loop and aiohttp.

    .venv/bin/python benchmarks/providers_stream_cost.py [--streams 16] [--tokens 200] [--check]

`--check` exits 1 when the median of an adapter row misses the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.providers.anthropic import AnthropicStreamParser
from benchstudio.providers.base import TOKEN_KINDS, ChatRequest, StreamEvent
from benchstudio.providers.factory import create_adapter
from benchstudio.providers.gemini import GeminiStreamParser
from benchstudio.providers.openai_compat import OpenAIStreamParser
from benchstudio.providers.sse import SSEDecoder
from benchstudio.speed.engine import record_stream
from benchstudio.speed.launch import new_event_loop

GOAL_US = 10.0
SERVER_CODE = """
import asyncio, sys
from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer
async def main():
    profile = ModelProfile(ttft_ms=0, itl_ms={itl}, output_tokens={tokens})
    async with SimulatorServer(SimulatorConfig(default=profile, log_capacity=100)) as sim:
        print(sim.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
"""


def start_simulator(tokens: int, itl_ms: float) -> tuple[subprocess.Popen[str], str]:
    code = SERVER_CODE.format(tokens=tokens, itl=itl_ms)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def messages() -> list[dict[str, str]]:
    return [{"role": "user", "content": "Write a short story."}]


async def adapter_run(base_url: str, protocol: str, streams: int, rounds: int) -> int:
    policy = EgressPolicy.from_allow_list("dev")
    async with create_egress_session(policy) as session:
        base = base_url + ("/v1" if protocol == "openai" else "")
        adapter = create_adapter(protocol, base, "sk-bench", session=session)

        async def one() -> int:
            count = 0
            async for event in adapter.stream(ChatRequest("m", messages())):
                if event.kind in TOKEN_KINDS:
                    count += 1
            return count

        await one()  # warm the connection pool and imports
        total = 0
        for _ in range(rounds):
            total += sum(await asyncio.gather(*(one() for _ in range(streams))))
        return total


async def raw_read_floor(base_url: str, streams: int, rounds: int) -> int:
    """The same requests read with bare aiohttp, counting SSE events without parsing: the floor."""
    body = {"model": "m", "messages": messages(), "stream": True}
    async with aiohttp.ClientSession() as session:

        async def one() -> int:
            count = 0
            async with session.post(base_url + "/v1/chat/completions", json=body) as resp:
                while chunk := await resp.content.readany():
                    count += chunk.count(b"\n\n")
            return count - 3  # role chunk, finish chunk and [DONE] carry no token

        await one()
        total = 0
        for _ in range(rounds):
            total += sum(await asyncio.gather(*(one() for _ in range(streams))))
        return total


async def openai_sdk_run(base_url: str, streams: int, rounds: int) -> int:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=base_url + "/v1", api_key="sk-bench", max_retries=0)

    async def one() -> int:
        count = 0
        stream = await client.chat.completions.create(
            model="m",
            messages=messages(),
            stream=True,  # type: ignore[arg-type]
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                count += 1
        return count

    await one()
    total = 0
    for _ in range(rounds):
        total += sum(await asyncio.gather(*(one() for _ in range(streams))))
    await client.close()
    return total


async def record_stream_run(base_url: str, streams: int, rounds: int, tokens: int) -> int:
    """The measuring path: `record_stream` over the openai adapter (chunks recorded).

    Counted per token event like the rows above: token events that arrive in one read make one
    chunk, so the chunk count would shrink the denominator as the load grows."""
    policy = EgressPolicy.from_allow_list("dev")
    async with create_egress_session(policy) as session:
        adapter = create_adapter("openai", base_url + "/v1", "sk-bench", session=session)

        async def one() -> int:
            trace = await record_stream(adapter, ChatRequest("m", messages()))
            assert trace.error is None, trace.error
            return tokens

        await one()
        total = 0
        for _ in range(rounds):
            total += sum(await asyncio.gather(*(one() for _ in range(streams))))
        return total


def _openai_event(i: int) -> bytes:
    chunk = {
        "id": "chatcmpl-0123456789",
        "object": "chat.completion.chunk",
        "created": 1733000000,
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": f" tok{i}"}, "finish_reason": None}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _anthropic_event(i: int) -> bytes:
    event = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "text_delta", "text": f" tok{i}"},
    }
    return f"event: content_block_delta\ndata: {json.dumps(event)}\n\n".encode()


def _gemini_event(i: int) -> bytes:
    response = {"candidates": [{"content": {"parts": [{"text": f" tok{i}"}], "role": "model"}}]}
    return f"data: {json.dumps(response)}\r\n\r\n".encode()


def parse_only(protocol: str, events: int) -> float:
    """CPU per event of decoding one event per read: the SSE decoder plus the wire parser."""
    make = {"openai": _openai_event, "anthropic": _anthropic_event, "gemini": _gemini_event}
    parsers = {
        "openai": OpenAIStreamParser,
        "anthropic": AnthropicStreamParser,
        "gemini": GeminiStreamParser,
    }
    chunks = [make[protocol](i) for i in range(events)]
    parser = parsers[protocol]("r", ())
    decoder = SSEDecoder()
    sse: list[tuple[str, bytes]] = []
    out: list[StreamEvent] = []
    cpu0 = time.process_time()
    for t_ns, chunk in enumerate(chunks):
        decoder.feed(chunk, sse)
        for name, data in sse:
            parser.feed(name, data, t_ns, out)
        sse.clear()
        out.clear()
    return (time.process_time() - cpu0) / events * 1e6


def measure(run: Callable[[], Awaitable[int]], loop: str) -> float:
    factory = new_event_loop if loop == "uvloop" else asyncio.new_event_loop
    cpu0 = time.process_time()
    with asyncio.Runner(loop_factory=factory) as runner:
        events: int = runner.run(run())  # type: ignore[arg-type]
    return (time.process_time() - cpu0) / max(events, 1) * 1e6


def report(label: str, figures: list[float], goal: float | None) -> bool:
    median = statistics.median(figures)
    runs = " ".join(f"{x:.1f}" for x in figures)
    verdict = ""
    if goal is not None:
        verdict = f"  goal <= {goal:.0f} us: " + ("meets" if median <= goal else "MISSES")
    print(f"{label:<28} {median:6.2f} us CPU/event (runs {runs}){verdict}", flush=True)
    return goal is None or median <= goal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=16, help="concurrent streams")
    parser.add_argument("--tokens", type=int, default=200, help="tokens per stream")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs per row (median printed)")
    parser.add_argument("--itl-ms", type=float, default=1.0, help="simulated inter-token gap")
    parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop")
    parser.add_argument("--no-sdk", action="store_true", help="skip the openai SDK comparison")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    streams, rounds, repeat = args.streams, args.rounds, args.repeat
    proc, base_url = start_simulator(args.tokens, args.itl_ms)
    print(
        f"client CPU per token event; {streams} concurrent streams x {rounds} rounds, "
        f"{args.tokens} tokens each, ITL {args.itl_ms} ms, loop {args.loop}, "
        f"cores={os.cpu_count()}, load average {os.getloadavg()[0]:.2f}"
    )
    ok = True
    try:
        for protocol in ("openai", "anthropic", "gemini"):
            report(f"parse only {protocol}", [parse_only(protocol, 20_000) for _ in range(3)], None)
        runs = [measure(lambda: raw_read_floor(base_url, streams, rounds), args.loop)]
        runs += [measure(lambda: raw_read_floor(base_url, streams, rounds), args.loop)]
        report("floor: bare aiohttp reads", runs, None)
        for protocol in ("openai", "anthropic", "gemini"):
            figures = [
                measure(lambda p=protocol: adapter_run(base_url, p, streams, rounds), args.loop)
                for _ in range(repeat)
            ]
            ok = report(f"adapter {protocol}", figures, GOAL_US) and ok
        figures = [
            measure(lambda: record_stream_run(base_url, streams, rounds, args.tokens), args.loop)
            for _ in range(repeat)
        ]
        ok = report("record_stream (openai)", figures, GOAL_US) and ok
        if not args.no_sdk:
            sdk = [measure(lambda: openai_sdk_run(base_url, streams, 2), args.loop)]
            report("openai SDK (typed stream)", sdk, None)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.check and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
