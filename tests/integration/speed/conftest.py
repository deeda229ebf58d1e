"""A simulator on its own thread and event loop, for tests that drive the synchronous CLI."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from benchstudio.simulator import ModelProfile, SimulatorConfig, SimulatorServer


@pytest.fixture(scope="module")
def threaded_simulator() -> Iterator[SimulatorServer]:
    config = SimulatorConfig(
        default=ModelProfile(ttft_ms=10, itl_ms=1, output_tokens=8),
        models=[ModelProfile(name="small-window", context_window=2000, output_tokens=4)],
    )
    loop = asyncio.new_event_loop()
    server = SimulatorServer(config)
    started = threading.Event()
    stop: asyncio.Event | None = None

    async def serve() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with server:
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    yield server
    assert stop is not None
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
