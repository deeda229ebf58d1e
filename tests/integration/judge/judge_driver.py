"""Helpers for judge API tests (imported by module name): a judge prompt library stand-in, a
suite whose case prompts script the simulator's judge, and a scripted model answering it.

The prompt library stand-in is `tests/judge_prompts.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from judge_prompts import VERDICT_PROMPT_ID, ensure_prompt_source


def _evals_driver() -> Any:
    """The eval tests' API driver (one source of truth for signing up and polling jobs)."""
    if "evals_driver" in sys.modules:
        return sys.modules["evals_driver"]
    path = Path(__file__).parents[1] / "evals" / "evals_driver.py"
    spec = importlib.util.spec_from_file_location("evals_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evals_driver"] = module
    spec.loader.exec_module(module)
    return module


_DRIVER = _evals_driver()
Api = _DRIVER.Api
app_api = _DRIVER.app_api
__all__ = ["VERDICT_PROMPT_ID", "Api", "app_api", "ensure_prompt_source"]


def _weather(city: str) -> dict[str, Any]:
    return {"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}


def _case(case_id: str, city: str, directive: str, category: str = "simple") -> dict[str, Any]:
    return {
        "id": case_id,
        "category": category,
        "prompt": f"What's the weather in {city}? [sim-judge: {directive}]",
        "expected_calls": [_weather(city)],
    }


# Golden verdicts: what the scripted judge answers for each case (its directive).
GOLDEN: dict[str, tuple[str | None, int | None]] = {
    "paris": ("pass", 5),
    "oslo": ("fail", 2),
    "rome": ("marginal", 3),
    "lima": ("pass", 4),
    "kyiv": (None, None),  # malformed twice: a parse failure, never scored
}
# The automated verdict of the scripted model `weatherbot` (it answers Oslo and Lima wrongly).
AUTOMATED_PASS = {"paris": True, "oslo": False, "rome": True, "lima": False, "kyiv": True}

JUDGE_SUITE: dict[str, Any] = {
    "name": "Judged weather",
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Current weather for a city.",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                },
            },
        }
    ],
    "cases": [
        _case("paris", "Paris", "verdict;verdict=pass;score=5"),
        _case("oslo", "Oslo", "verdict;verdict=fail;score=2;tool=wrong", "travel"),
        _case("rome", "Rome", "verdict;verdict=marginal;score=3"),
        _case("lima", "Lima", "verdict;verdict=pass;score=4", "travel"),
        _case("kyiv", "Kyiv", "malformed"),
    ],
}


def _rule(word: str, city: str) -> dict[str, Any]:
    call = {"name": "get_weather", "arguments": {"city": city}}
    return {"match": {"prompt": word}, "tool_calls": [call]}


FAST: dict[str, Any] = {"ttft_ms": 1, "itl_ms": 0, "output_tokens": 6}
WEATHERBOT = {
    **FAST,
    "tool_script": [
        _rule("in Paris", "Paris"),
        _rule("in Oslo", "Bergen"),
        _rule("in Rome", "Rome"),
        _rule("in Lima", "Cusco"),
        _rule("in Kyiv", "Kyiv"),
    ],
}
SIM_CONFIG: dict[str, Any] = {
    "default": FAST,
    "models": {
        "weatherbot": WEATHERBOT,
        # Every second request waits two minutes for its headers: the eval stalls after its
        # first case until it is cancelled.
        "slowbot": {
            **WEATHERBOT,
            "faults": [{"kind": "slow_first_byte", "every": 2, "delay_ms": 120_000}],
        },
        # A judge that never answers in time: its cases are in flight when the job is cancelled.
        "slowjudge": {
            **FAST,
            "faults": [{"kind": "slow_first_byte", "every": 1, "delay_ms": 120_000}],
        },
    },
}


class JudgeSimulator:
    """The simulator on its own thread and loop (the TestClient has its own loop)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        import asyncio
        import threading

        from benchstudio.simulator import SimulatorConfig, SimulatorServer

        self._loop = asyncio.new_event_loop()
        self._server = SimulatorServer(SimulatorConfig.model_validate(config or SIM_CONFIG))
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> JudgeSimulator:
        import asyncio

        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def base_url(self) -> str:
        return str(self._server.base_url)
