"""Scripted tool-calling "models" on the simulator (own thread and loop, so sync CLI tests can
use it too), written for the prompts of the shipped sample suite."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from benchstudio.simulator import SimulatorConfig, SimulatorServer

FAST: dict[str, Any] = {"ttft_ms": 1, "itl_ms": 0, "output_tokens": 6}
GRACE = {"name": "Grace Hopper", "email": "grace@example.org"}


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def _rule(prompt: str, *calls: dict[str, Any], **match: Any) -> dict[str, Any]:
    return {"match": {"prompt": prompt, **match}, "tool_calls": list(calls)}


GOOD_SCRIPT: list[dict[str, Any]] = [
    _rule(
        "Oslo to Rome",
        _call("search_flights", origin="OSL", destination="FCO", date="2026-05-02"),
        tool_results=0,
    ),
    _rule(
        "Oslo to Rome", _call("book_flight", flight_id="SK4711", traveller=GRACE), tool_results=1
    ),
    {"match": {"last_role": "tool"}, "text": "Done: booked."},
    _rule("in Paris", _call("get_weather", city="Paris")),
    _rule(
        "Tokyo and in Osaka",
        _call("get_weather", city="Tokyo", unit="fahrenheit"),
        _call("get_weather", city="Osaka", unit="fahrenheit"),
    ),
    _rule(
        "19.99 US dollars",
        _call("convert_currency", amount=19.99, from_currency="USD", to_currency="EUR"),
    ),
    _rule(
        "Lisbon to Berlin",
        _call("search_flights", origin="LIS", destination="BER", date="2026-03-14", passengers=2),
    ),
    _rule(
        "LH1234",
        _call(
            "book_flight",
            flight_id="LH1234",
            traveller={"name": "Ada Lovelace", "email": "ada@example.org", "seat": "window"},
        ),
    ),
    _rule(
        "AF88",
        _call(
            "book_flight",
            flight_id="AF88",
            traveller={"name": "Alan Turing", "email": "alan@example.org"},
            note="Passenger needs a vegetarian meal.",
        ),
    ),
    {"match": {"prompt": "poem"}, "text": "The sea breathes slow,\nsilver under moon."},
]

# Wrong arguments everywhere, an unwanted call, and a chain that books the wrong flight.
SLOPPY_SCRIPT: list[dict[str, Any]] = [
    _rule(
        "Oslo to Rome",
        _call("search_flights", origin="OSL", destination="FCO", date="2026-05-02"),
        tool_results=0,
    ),
    _rule("Oslo to Rome", _call("book_flight", flight_id="AZ403", traveller=GRACE), tool_results=1),
    {"match": {"last_role": "tool"}, "text": "Booked something."},
    _rule("in Paris", _call("get_weather", city="Lyon")),
    _rule("Tokyo and in Osaka", _call("get_weather", city="Tokyo", unit="fahrenheit")),
    _rule(
        "19.99 US dollars",
        _call("convert_currency", amount=21, from_currency="USD", to_currency="EUR"),
    ),
    _rule(
        "Lisbon to Berlin",
        _call("search_flights", origin="LIS", destination="BER", date="2026-03-14", passengers=3),
    ),
    _rule(
        "LH1234",
        _call(
            "book_flight",
            flight_id="LH1234",
            traveller={"name": "Ada Lovelace", "email": "ada@example.org", "seat": "aisle"},
        ),
    ),
    _rule(
        "AF88",
        _call(
            "book_flight",
            flight_id="AF88",
            traveller={"name": "Alan Turing", "email": "alan@example.org"},
            note="no preference",
        ),
    ),
    _rule("poem", _call("get_weather", city="Atlantic")),
]

# Answers in prose; one call is written as text (`<tool_call>` tags) instead of natively.
TEXTY_SCRIPT: list[dict[str, Any]] = [
    {
        "match": {"prompt": "in Paris"},
        "text": "Let me check. ",
        "embed_in_text": True,
        "tool_calls": [_call("get_weather", city="Paris")],
    },
    {"match": {}, "text": "I would rather just tell you: it depends."},
]

BROKEN_SCRIPT: list[dict[str, Any]] = [
    {"match": {}, "tool_calls": [{"name": "get_weather", "arguments_raw": '{"city": '}]},
]

SIM_CONFIG: dict[str, Any] = {
    "default": FAST,
    "models": {
        "good": {**FAST, "tool_script": GOOD_SCRIPT},
        "sloppy": {**FAST, "tool_script": SLOPPY_SCRIPT},
        "texty": {**FAST, "tool_script": TEXTY_SCRIPT},
        "broken": {**FAST, "tool_script": BROKEN_SCRIPT},
        # Every other request is refused with a 429 (retry-after 20 ms): retries recover.
        "flaky": {
            **FAST,
            "tool_script": GOOD_SCRIPT,
            "faults": [{"kind": "rate_limit", "every": 2, "retry_after": 0.02}],
        },
        # Every request is refused: every case is an API failure.
        "limited": {
            **FAST,
            "tool_script": GOOD_SCRIPT,
            "faults": [{"kind": "rate_limit", "retry_after": 0.01}],
        },
    },
}


@pytest.fixture(scope="module")
def scripted_simulator() -> Iterator[SimulatorServer]:
    loop = asyncio.new_event_loop()
    server = SimulatorServer(SimulatorConfig.model_validate(SIM_CONFIG))
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
    loop.close()
