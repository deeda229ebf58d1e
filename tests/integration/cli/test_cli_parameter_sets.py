"""`--parameter-set NAME_OR_ID` on `benchstudio bench --server` and `benchstudio eval run`:
a name resolves through the server's `/api/parameter-sets` (unknown and ambiguous names are
refused with what you have), the applied values are printed, explicit flags win, and a run
without `--server` is told that sets need one."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_server_records import _cli, _token, server_url

from benchstudio.simulator import SimulatorConfig, SimulatorServer
from benchstudio.toolcall.samples import sample_suite_text

__all__ = ["server_url"]  # the fixture, imported for this module's tests


@pytest.fixture
def simulator() -> Iterator[str]:
    loop = asyncio.new_event_loop()
    server = SimulatorServer(SimulatorConfig())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(10)
    try:
        yield server.base_url
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def _create_set(url: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/api/parameter-sets", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_bench_on_a_server_applies_a_set_by_name_and_refuses_unknown_names(
    server_url: str, tmp_path: Path
) -> None:
    token = _token(server_url, "cli-sets@example.com")
    careful = _create_set(
        server_url, token, {"name": "Careful", "params": {"temperature": 0.2, "top_p": 0.5}}
    )
    providers = httpx.get(
        f"{server_url}/api/providers", headers={"Authorization": f"Bearer {token}"}
    ).json()
    demo = next(p for p in providers if p["is_demo"])
    base = ["bench", "--server", server_url, "--provider", demo["id"], "--model", "benchstudio-sim"]
    base += ["--runs", "1", "--warmup", "0", "--estimate"]
    shown = _cli(token, tmp_path, *base, "--temperature", "0.9", "--parameter-set", "careful")
    assert shown.returncode == 0, shown.stderr
    assert "parameter set 'Careful' applied top_p=0.5 (explicit temperature won)" in shown.stderr
    by_id = _cli(token, tmp_path, *base, "--parameter-set", careful["id"])
    assert by_id.returncode == 0, by_id.stderr
    assert "parameter set 'Careful' applied temperature=0.2, top_p=0.5" in by_id.stderr
    unknown = _cli(token, tmp_path, *base, "--parameter-set", "Nope")
    assert unknown.returncode == 1
    assert "no parameter set named 'Nope' (yours: Careful)" in unknown.stderr
    first = _create_set(server_url, token, {"name": "Twin", "params": {}})
    second = _create_set(server_url, token, {"name": "twin", "params": {}})
    ambiguous = _cli(token, tmp_path, *base, "--parameter-set", "TWIN")
    assert ambiguous.returncode == 1
    assert "2 parameter sets are named 'TWIN': give the id" in ambiguous.stderr
    assert first["id"] in ambiguous.stderr and second["id"] in ambiguous.stderr
    local = _cli(token, tmp_path, "bench", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                 "--parameter-set", "Careful")  # fmt: skip
    assert local.returncode == 2
    assert "--parameter-set needs --server" in local.stderr


def test_eval_run_reads_the_set_from_the_server_and_explicit_flags_win(
    server_url: str, simulator: str, tmp_path: Path
) -> None:
    token = _token(server_url, "cli-eval-sets@example.com")
    _create_set(
        server_url,
        token,
        {"name": "Eval set", "params": {"temperature": 0.4, "top_p": 0.7, "max_tokens": 99}},
    )
    suite = tmp_path / "suite.json"
    suite.write_text(sample_suite_text())
    results = tmp_path / "results.json"
    base = ["eval", "run", "--suite", str(suite), "--base-url", simulator + "/v1"]
    base += ["--model", "benchstudio-sim", "--parameter-set", "Eval set"]
    without_server = _cli(token, tmp_path, *base)
    assert without_server.returncode == 1
    assert "--parameter-set needs --server" in without_server.stderr
    ran = _cli(token, tmp_path, *base, "--server", server_url, "--top-p", "0.9",
               "--output", str(results))  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert "parameter set 'Eval set' applied temperature=0.4, max_tokens=99" in ran.stderr
    assert "(explicit top_p won)" in ran.stderr
    request = json.loads(results.read_text())["results"][0]["exchanges"][0]["request"]
    assert (request["temperature"], request["max_tokens"]) == (0.4, 99)
    assert request["params"] == {"top_p": 0.9}
