"""A `benchstudio bench --workers 2` stand-in, run as a script by
`test_speed_workers_parent_death.py`: spreads a long run over two pool workers against the
simulator at argv[1], printing its pid first, until the test kills it."""

from __future__ import annotations

import os
import sys

from benchstudio.speed.config import BenchConfig, TargetConfig
from benchstudio.speed.launch import run_workers

if __name__ == "__main__":
    print(os.getpid(), flush=True)
    target = TargetConfig(base_url=f"{sys.argv[1]}/v1", model="m")
    # Far more requests than the test waits for: the workers are still sending when killed.
    config = BenchConfig(
        targets=[target], warmup=0, concurrency=2, num_requests=1_000_000, max_tokens=8, workers=2
    )
    run_workers(config)
