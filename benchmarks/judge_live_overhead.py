"""Live judging's overhead on the eval it rides along (issue 19).

Runs the same eval (a scripted tool-calling model on the simulator) in one in-process server
(SQLite, jobs in the server's loop, as embedded mode runs them), alternately without and with
live judging, the judge served by a SEPARATE simulator (its own base URL). From the stored case
rows it computes, per run:

- dispatch lag: how late each case started after a concurrency slot could have taken it (with
  C slots, the k-th case to start needed k-C+1 cases finished first; its lag is its start minus
  the (k-C+1)-th finish, 0 when it started at once). The p99 over the run's cases.
- case latency: the model request latency the eval measured, p50.

Goal: with live judging, the dispatch-lag p99 stays within 5 ms and the case-latency p50 within
5% of the runs without it (medians over the repeats, run alternately). The simulators run in
their own processes, so the figures are the server's own overhead. It then runs once more with
the judge on the eval's own endpoint and reports the shared-endpoint cap: max(1, eval
concurrency // 4), and the most judge calls it saw in flight at once (from the verdict rows).

    .venv/bin/python benchmarks/judge_live_overhead.py --check
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from benchstudio.app import create_app
from benchstudio.config import Environment, Settings
from benchstudio.core.stats import percentile
from benchstudio.judge.service.live import shared_cap
from benchstudio.judge.service.prompt_source import has_prompt_source, register_prompt_source
from benchstudio.storage.engine import DatabaseConfig
from benchstudio.storage.migrate import upgrade_to_head
from benchstudio.storage.service_context import ServiceContext
from simulator_process import SimulatorProcess

LAG_BUDGET_MS = 5.0
LATENCY_BUDGET = 0.05
PROMPT_ID = "builtin-judge-verdict"
# Used only when no prompt library is wired into the judge (a branch without it).
FALLBACK_BODY = (
    "Grade the case (judge_verdict).\n{tools}\n{case_prompt}\n{expected_calls}\n{transcript}"
)
TIMING = {"ttft_ms": 20, "itl_ms": 1, "output_tokens": 8}


@dataclass(frozen=True)
class _Prompt:
    entry_id: str
    version: int
    body: str


async def _fallback_prompt(ctx: ServiceContext, entry_id: str, version: int | None) -> _Prompt:
    return _Prompt(entry_id, 1, FALLBACK_BODY)


def _suite(cases: int) -> dict[str, Any]:
    tool = {
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
    return {
        "name": "Judge overhead",
        "tools": [tool],
        "cases": [
            {
                "id": f"case-{i}",
                "prompt": f"Weather in Paris, please ({i}). [sim-judge: verdict]",
                "expected_calls": [
                    {"name": "get_weather", "arguments": {"city": {"acceptable": ["Paris"]}}}
                ],
            }
            for i in range(cases)
        ],
    }


def _sim_models() -> dict[str, Any]:
    call = {"name": "get_weather", "arguments": {"city": "Paris"}}
    bot = {**TIMING, "tool_script": [{"match": {}, "tool_calls": [call]}]}
    return {"bot": bot, "judge": TIMING}


def _settings(tmp: Path) -> tuple[Settings, Path]:
    path = tmp / "judge-overhead.db"
    database = DatabaseConfig(url=f"sqlite+aiosqlite:///{path}")
    upgrade_to_head(database)
    settings = Settings(
        env=Environment.TEST,
        database_url=database.url,
        secret_key=SecretStr("b" * 48),
        vault_keys=SecretStr("q2H9c3JkTGVfdGVzdF9rZXlfZm9yX2JlbmNoc3R1ZGk="),
        secrets_file=tmp / "secrets.env",
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        web_dist=tmp / "no-web-dist",
    )
    return settings, path


class Driver:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        response = client.post(
            "/api/auth/register", json={"email": "bench@example.com", "password": "password-123"}
        )
        assert response.status_code == 201, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers=self.headers, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.text}"
        return response.json() if response.content else None

    def provider(self, base_url: str, name: str) -> str:
        body = {"name": name, "protocol": "openai", "base_url": base_url + "/v1"}
        return str(self.ok("POST", "/api/providers", json=body)["id"])

    def model(self, provider_id: str, model_id: str) -> str:
        body = {"provider_id": provider_id, "model_id": model_id}
        return str(self.ok("POST", "/api/models", json=body)["id"])

    def run_eval(self, suite_id: str, provider_id: str, concurrency: int, judge: Any) -> str:
        body: dict[str, Any] = {
            "suite_id": suite_id,
            "targets": [{"provider_id": provider_id, "model_id": "bot"}],
            "concurrency": concurrency,
        }
        if judge is not None:
            body["judge"] = {"judge_model_ref_id": judge, "live": True}
        submitted = self.ok("POST", "/api/evals", json=body)
        deadline = time.monotonic() + 600
        while True:
            job = self.ok("GET", f"/api/jobs/{submitted['job_id']}")
            if job["status"] in ("done", "failed", "cancelled", "interrupted"):
                break
            assert time.monotonic() < deadline, "eval stuck"
            time.sleep(0.1)
        assert job["status"] == "done", job
        return str(submitted["run"]["id"])


def _when(value: Any) -> datetime:
    text = str(value).replace("Z", "+00:00")
    return datetime.fromisoformat(text)


def run_figures(db_path: Path, run_id: str, concurrency: int) -> dict[str, float]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT started_at, finished_at, latency_ms FROM eval_case_results WHERE run_id = ?",
            (run_id,),
        ).fetchall()
    starts = sorted(_when(r[0]) for r in rows)
    finishes = sorted(_when(r[1]) for r in rows)
    lags = [
        max(0.0, (starts[k] - finishes[k - concurrency]).total_seconds() * 1000)
        for k in range(concurrency, len(starts))
    ]
    latencies = [float(r[2]) for r in rows if r[2] is not None]
    return {
        "cases": float(len(rows)),
        "dispatch_lag_p99_ms": float(percentile(lags, 99) or 0.0),
        "case_latency_p50_ms": float(percentile(latencies, 50) or 0.0),
    }


def peak_judge_calls(db_path: Path, run_id: str) -> int:
    """The most judge calls in flight at once, from each verdict's end time and latency."""
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT v.created_at, v.latency_ms FROM judge_case_verdicts v "
            "JOIN judge_reports r ON r.id = v.report_id WHERE r.eval_run_id = ?",
            (run_id,),
        ).fetchall()
    edges: list[tuple[datetime, int]] = []
    for created, latency in rows:
        end = _when(created)
        edges += [(end - timedelta(milliseconds=float(latency or 0)), 1), (end, -1)]
    peak = current = 0
    for _, step in sorted(edges, key=lambda e: (e[0], e[1])):
        current += step
        peak = max(peak, current)
    return peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    if not has_prompt_source():
        register_prompt_source(_fallback_prompt)
    # Each simulator in its own process (on its own core where there are two): only the
    # server's work, the eval's and the judge's, shares this process.
    with (
        tempfile.TemporaryDirectory() as tmp,
        SimulatorProcess(_sim_models()) as evals_sim,
        SimulatorProcess(_sim_models()) as judge_sim,
    ):
        settings, db_path = _settings(Path(tmp))
        with TestClient(create_app(settings)) as client:
            return _measure(Driver(client), db_path, evals_sim, judge_sim, args)


def _measure(
    driver: Driver,
    db_path: Path,
    evals_sim: SimulatorProcess,
    judge_sim: SimulatorProcess,
    args: Any,
) -> int:
    suite_id = str(driver.ok("POST", "/api/suites", json=_suite(args.cases))["id"])
    evals_provider = driver.provider(evals_sim.base_url, "Eval endpoint")
    judge_provider = driver.provider(judge_sim.base_url, "Judge endpoint")
    separate_judge = driver.model(judge_provider, "judge")
    shared_judge = driver.model(evals_provider, "judge")
    driver.run_eval(suite_id, evals_provider, args.concurrency, None)  # warm-up
    plain: list[dict[str, float]] = []
    judged: list[dict[str, float]] = []
    for _ in range(args.repeats):
        for judge, out in ((None, plain), (separate_judge, judged)):
            run_id = driver.run_eval(suite_id, evals_provider, args.concurrency, judge)
            out.append(run_figures(db_path, run_id, args.concurrency))
    shared_run = driver.run_eval(suite_id, evals_provider, args.concurrency, shared_judge)
    peak = peak_judge_calls(db_path, shared_run)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    lag_plain, lag_judged = (median(r, "dispatch_lag_p99_ms") for r in (plain, judged))
    lat_plain, lat_judged = (median(r, "case_latency_p50_ms") for r in (plain, judged))
    cap = shared_cap(args.concurrency)
    print(f"cases per run {args.cases}, eval concurrency {args.concurrency}, {args.repeats} pairs")
    print(f"dispatch lag p99: {lag_plain:.2f} ms without, {lag_judged:.2f} ms with live judge")
    print(f"case latency p50: {lat_plain:.2f} ms without, {lat_judged:.2f} ms with live judge")
    print(f"shared endpoint: judge cap {cap} (eval {args.concurrency}); peak seen {peak}")
    failures = []
    if lag_judged - lag_plain > LAG_BUDGET_MS:
        failures.append(f"dispatch lag p99 +{lag_judged - lag_plain:.2f} ms > {LAG_BUDGET_MS}")
    if lat_plain and (lat_judged - lat_plain) / lat_plain > LATENCY_BUDGET:
        failures.append(f"case latency p50 +{100 * (lat_judged / lat_plain - 1):.1f}% > 5%")
    if peak > cap:
        failures.append(f"shared-endpoint judge calls peaked at {peak} > cap {cap}")
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
