"""A stand-in for a server or worker, run as a script by
`test_benchruns_child_lifetimes.py`: starts the summary worker and a long measuring child
against the simulator at argv[1], prints their pids, then drains the child (its keep-alive task
running) until the test kills or pauses it."""

from __future__ import annotations

import asyncio
import json
import os
import sys

from benchstudio.benchruns.tasks.child_processes import MeasuringChild, in_summary_worker
from benchstudio.benchruns.tasks.measuring import ChildJob
from benchstudio.core.net import EgressMode, EgressPolicy
from benchstudio.credentials.service import ProviderAccess
from benchstudio.speed.config import BenchConfig, TargetConfig


async def main(simulator_url: str, silence_s: float) -> None:
    summary_pid = await in_summary_worker(os.getpid)
    target = TargetConfig(name="t", base_url=f"{simulator_url}/v1", model="m")
    # Far more requests than any test waits for: the child is still sending when killed.
    config = BenchConfig(
        targets=[target], warmup=0, concurrency=1, num_requests=100_000, max_tokens=8
    )
    access = ProviderAccess("openai", f"{simulator_url}/v1", policy=EgressPolicy(EgressMode.DEV))
    job = ChildJob(config.model_dump_json(), {"t": access}, parent_silence_s=silence_s)
    child = MeasuringChild(job, "orphan-test-child")
    await child.open()
    print(json.dumps({"summary": summary_pid, "child": child.process.pid}), flush=True)
    while not (received := await child.collect(0.25)).ended:  # drain: the pipe never fills
        if any(kind in ("done", "error") for kind, _ in received.messages):
            break
    # The child's last word: after a pause, an error rather than "done" (a run read as over).
    last = next((data for kind, data in received.messages if kind in ("done", "error")), None)
    print(json.dumps({"last": last}), flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2])))
