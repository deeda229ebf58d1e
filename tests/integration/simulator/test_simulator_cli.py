"""`benchstudio simulate` serves until SIGTERM, then dumps its timing log."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp


async def test_cli_serves_and_dumps_log_on_exit(tmp_path: Path) -> None:
    config = tmp_path / "sim.yaml"
    config.write_text("models:\n  extra: {ttft_ms: 1, itl_ms: 0.1, output_tokens: 2}\n")
    log = tmp_path / "timing.jsonl"
    command = [
        sys.executable,
        "-m",
        "benchstudio",
        "simulate",
        "--port",
        "0",
        "--config",
        str(config),
        "--ttft-ms",
        "1",
        "--itl-ms",
        "0.1",
        "--output-tokens",
        "3",
        "--model-name",
        "cli-default",
        "--log",
        str(log),
    ]
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        url = ""
        for _ in range(50):
            line = process.stdout.readline()
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            if found:
                url = found.group(1)
                break
        assert url, "the simulator did not print its address"
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "/v1/models") as response:
                names = [model["id"] for model in (await response.json())["data"]]
            body = {"model": "x", "messages": [{"role": "user", "content": "hi"}]}
            async with session.post(
                url + "/v1/chat/completions", json=body, headers={"X-Request-Id": "cli-1"}
            ) as response:
                completion = await response.json()
        assert names == ["cli-default", "extra"]
        assert len(completion["choices"][0]["message"]["content"].split()) == 3
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [record["request_id"] for record in records] == ["cli-1"]
