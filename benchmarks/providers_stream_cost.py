"""CPU cost per streamed event of our adapters (and the official openai SDK), goal <= 20 us.

The simulator runs in a child process (so its CPU is not counted); this process streams from it
and divides its own CPU time (user + system) by the number of token events received.

    .venv/bin/python benchmarks/providers_stream_cost.py [--streams 16] [--tokens 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.providers.base import TOKEN_KINDS, ChatRequest
from benchstudio.providers.factory import create_adapter

GOAL_US = 20.0
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


def measure(label: str, run: Callable[[], Awaitable[int]]) -> float:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    events = asyncio.run(run())  # type: ignore[arg-type]
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    per_event = cpu / max(events, 1) * 1e6
    verdict = "meets" if per_event <= GOAL_US else "MISSES"
    print(
        f"{label:<28} {events:>7} events  {per_event:7.1f} us CPU/event  "
        f"(wall {wall:5.2f} s)  goal <= {GOAL_US:.0f} us: {verdict}"
    )
    return per_event


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=16, help="concurrent streams")
    parser.add_argument("--tokens", type=int, default=200, help="tokens per stream")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--itl-ms", type=float, default=1.0, help="simulated inter-token gap")
    parser.add_argument("--no-sdk", action="store_true", help="skip the openai SDK comparison")
    args = parser.parse_args()
    proc, base_url = start_simulator(args.tokens, args.itl_ms)
    print(
        f"client CPU per token event; {args.streams} concurrent streams x {args.rounds} rounds, "
        f"{args.tokens} tokens each, ITL {args.itl_ms} ms, cores={os.cpu_count()}"
    )
    try:
        measure(
            "floor: bare aiohttp reads", lambda: raw_read_floor(base_url, args.streams, args.rounds)
        )
        for protocol in ("openai", "anthropic", "gemini"):
            measure(
                f"adapter {protocol}",
                lambda p=protocol: adapter_run(base_url, p, args.streams, args.rounds),
            )
        if not args.no_sdk:
            measure("openai SDK (typed stream)", lambda: openai_sdk_run(base_url, args.streams, 2))
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
