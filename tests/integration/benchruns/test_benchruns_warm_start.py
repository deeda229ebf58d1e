"""The server starts what the first benchmark needs before it serves (issue 17): the fork server
(its preload builds the tokenizers), the summary worker, and its own tokenizers. Left to first
use, the first run after a start froze every request for seconds
(`benchmarks/first_run_latency.py` times it)."""

from __future__ import annotations

import asyncio
import multiprocessing.forkserver
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient

from benchstudio.app import create_app
from benchstudio.benchruns.tasks import child_processes
from benchstudio.config import Settings
from benchstudio.speed.tokenizer import ENCODINGS, encodings_built, get_encoding

probe = APIRouter()


@probe.get("/warm-probe")
async def warm_probe(request: Request) -> dict[str, Any]:
    """What is ready when the first request arrives (nothing waited for here)."""
    pool = child_processes._pool
    workers = list((pool._processes or {}).values()) if pool is not None else []
    server_pid = multiprocessing.forkserver._forkserver._forkserver_pid
    return {
        "encodings": encodings_built(),
        "summary_workers": [w.pid for w in workers if w.is_alive()],
        "fork_server": server_pid is not None and psutil.pid_exists(server_pid),
    }


@pytest.fixture
def cold_process() -> Iterator[None]:
    """This process as if freshly started: no tokenizer built, no summary worker."""
    get_encoding.cache_clear()
    earlier = child_processes._pool
    child_processes._pool = None
    yield
    ours = child_processes._pool
    child_processes._pool = earlier
    if ours is not None and ours is not earlier:
        ours.shutdown(wait=True)


def test_the_first_request_finds_the_child_processes_and_tokenizers_ready(
    sqlite_settings: Settings, cold_process: None
) -> None:
    with TestClient(create_app(sqlite_settings, extra_routers=[probe])) as client:
        ready = client.get("/warm-probe").json()
    assert ready["encodings"] == len(ENCODINGS)
    assert ready["summary_workers"], "the summary worker is started at start-up"
    assert ready["fork_server"]


def test_children_of_the_fork_server_start_with_the_tokenizers_built() -> None:
    child_processes.start_child_processes()
    built = asyncio.run(child_processes.in_summary_worker(encodings_built))
    assert built == len(ENCODINGS)
