"""What opening connections before the window changes: TTFT error at c=64, default vs --cold.

Runs `BenchRunner` (the CLI's runner) against the simulator in its own process (pinned to the
other core, as in speed_accuracy.py) and joins the records with the simulator's log by
X-Request-Id. TTFT error = client TTFT - server TTFT (first token written - request read).
Prints, per mode and repeat, the error percentiles over all requests and over the first round
(the first `c` requests the server read), and how many requests paid a connect (`connect_ms`).

Run: `.venv/bin/python benchmarks/speed_connections.py [--concurrency 64] [--requests 256]
[--repeat 3]`
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import numpy as np

from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.launch import new_event_loop
from benchstudio.speed.runner import BenchRunner
from speed_accuracy import clear_log, fetch_log, start_simulator

TOKEN_KINDS = ("content", "reasoning", "tool")


def _errors(records: list[Any], log: dict[str, dict[str, Any]], first_round: int) -> dict[str, Any]:
    joined = []
    for record in records:
        entry = log.get(record.request_id)
        if entry is None or record.ttft_ms is None:
            continue
        first = next(e for e in entry["events"] if e["kind"] in TOKEN_KINDS and e["tokens"] > 0)
        server_ttft = (first["t_ns"] - entry["request_read_ns"]) / 1e6
        joined.append((entry["request_read_ns"], record.ttft_ms - server_ttft, record.connect_ms))
    joined.sort()
    errors = [e for _, e, _ in joined]
    early = errors[:first_round]
    connects = [c for _, _, c in joined if c]
    return {
        "n": len(errors),
        "p50": float(np.percentile(errors, 50)),
        "p99": float(np.percentile(errors, 99)),
        "first_p50": float(np.percentile(early, 50)),
        "first_p99": float(np.percentile(early, 99)),
        "connects": len(connects),
        "connect_p50": float(np.percentile(connects, 50)) if connects else 0.0,
    }


async def _run(base_url: str, concurrency: int, requests: int, cold: bool) -> list[Any]:
    target = TargetConfig(base_url=f"{base_url}/v1", model="load")
    config = BenchConfig(
        targets=[target],
        concurrency=concurrency,
        num_requests=requests,
        warmup=1,
        max_tokens=4096,
        cold=cold,
    )
    result = await BenchRunner(config).run()
    return result.records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--requests", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    process, base_url = start_simulator()
    try:
        print(f"load average {os.getloadavg()[0]:.2f}; c={args.concurrency}, {args.requests} req")
        print("mode     rep   n  TTFT err p50   p99   first-round p50   p99   connects  p50 ms")
        for repeat in range(args.repeat):
            for cold in (False, True):
                clear_log(base_url)
                loop = new_event_loop()
                try:
                    records = loop.run_until_complete(
                        _run(base_url, args.concurrency, args.requests, cold)
                    )
                finally:
                    loop.close()
                e = _errors(records, fetch_log(base_url), args.concurrency)
                print(
                    f"{'cold' if cold else 'default':<8} {repeat:>3} {e['n']:>4} "
                    f"{e['p50']:>11.2f} {e['p99']:>6.2f} {e['first_p50']:>17.2f} "
                    f"{e['first_p99']:>6.2f} {e['connects']:>9} {e['connect_p50']:>7.2f}"
                )
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
