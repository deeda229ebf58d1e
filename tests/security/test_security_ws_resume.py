"""A WebSocket resume cannot make the server run thousands of queries or grow without bound.

Issue 15 item 17: one 62 KB `resume` frame naming about 2,000 job ids triggered about 2,000
database queries, and the per-socket map of delivered sequence numbers kept every id. Now a
resume names at most `MAX_RESUME_JOBS` jobs and is answered from one query; a larger resume or
an over-long frame gets an error message and no query; the per-socket map is bounded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from security_platform import Tenant, create_app, sign_up
from sqlalchemy import event
from sqlalchemy.engine import Engine
from starlette.testclient import WebSocketTestSession

from benchstudio.config import Settings
from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE
from benchstudio.jobs.domain import JobEventMessage
from benchstudio.realtime.delivery import MAX_TRACKED_JOBS, EventDelivery
from benchstudio.realtime.frame_limits import MAX_CLIENT_FRAME, MAX_RESUME_JOBS

ORIGIN = "http://testserver"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    fast = settings.model_copy(
        update={"jobs_dispatch_interval_s": 0.05, "default_jobs_per_hour": 1000}
    )
    with TestClient(create_app(fast), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def event_queries() -> Iterator[list[str]]:
    """Statements on the job event table, from every engine in this process."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "job_events" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    yield seen
    event.remove(Engine, "before_cursor_execute", count)


def _finished_jobs(client: TestClient, user: Tenant, count: int) -> dict[str, int]:
    """`count` small demo jobs, finished: job id → its last event seq."""
    body = {"type": DEMO_JOB_TYPE, "params": {"units": 2, "unit_ms": 1}}
    ids = []
    for _ in range(count):
        response = client.post("/api/jobs", json=body, headers=user.headers)
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    seqs = {}
    deadline = time.monotonic() + 60  # a liveness bound, not a timing assertion
    for job_id in ids:
        while True:
            job = client.get(f"/api/jobs/{job_id}", headers=user.headers).json()
            if job["status"] == "done":
                seqs[job_id] = int(job["event_seq"])
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
    return seqs


def _socket(client: TestClient, user: Tenant) -> Any:
    headers = {**user.headers, "Origin": ORIGIN}
    ticket = client.post("/api/realtime/ticket", headers=headers).json()["ticket"]
    return client.websocket_connect(f"/ws?ticket={ticket}", headers={"origin": ORIGIN})


def _until_control(ws: WebSocketTestSession) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The next control message (not a heartbeat) and the job events sent before it."""
    events = []
    while True:
        message: dict[str, Any] = ws.receive_json()
        if "job_id" in message and "seq" in message:
            events.append(message)
        elif message.get("type") != "ping":
            return message, events


def _fake_ids(count: int, width: int = 26) -> list[str]:
    return [f"{i:0{width}x}" for i in range(count)]


def test_a_resume_with_many_ids_is_answered_from_one_query(
    client: TestClient, event_queries: list[str]
) -> None:
    user = sign_up(client, "resume-many@example.com")
    jobs = _finished_jobs(client, user, 3)
    last_seq = {job_id: 0 for job_id in jobs}
    last_seq.update({job_id: 0 for job_id in _fake_ids(MAX_RESUME_JOBS - len(jobs))})
    with _socket(client, user) as ws:
        assert ws.receive_json()["type"] == "hello"
        event_queries.clear()
        ws.send_json({"type": "resume", "last_seq": last_seq})
        control, events = _until_control(ws)
    assert control == {"type": "resumed", "replayed": sum(jobs.values())}
    assert sorted({e["job_id"] for e in events}) == sorted(jobs)
    assert len(event_queries) == 1, event_queries


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        # About 2,000 ids in a 62 KB frame: the frame alone is refused.
        ({"type": "resume", "last_seq": dict.fromkeys(_fake_ids(1900), 0)}, "frame_too_large"),
        # Short ids fit a small frame: too many of them are refused all the same.
        (
            {"type": "resume", "last_seq": dict.fromkeys(_fake_ids(MAX_RESUME_JOBS + 1, 4), 0)},
            "too_many_jobs",
        ),
    ],
    ids=["62KB-frame", "too-many-ids"],
)
def test_an_over_cap_resume_gets_an_error_and_no_query(
    client: TestClient, event_queries: list[str], frame: dict[str, Any], code: str
) -> None:
    user = sign_up(client, f"resume-{code}@example.com")
    with _socket(client, user) as ws:
        assert ws.receive_json()["type"] == "hello"
        event_queries.clear()
        ws.send_json(frame)
        control, events = _until_control(ws)
        assert control["type"] == "error" and control["code"] == code, control
        assert control["message"]
        assert events == []
        assert event_queries == []
        ws.send_json({"type": "ping"})  # the socket is still usable
        assert _until_control(ws)[0] == {"type": "pong"}
    if code == "frame_too_large":
        assert 60_000 < len(json.dumps(frame)) < 64 * 1024
        assert len(json.dumps(frame)) > MAX_CLIENT_FRAME


async def test_the_per_socket_map_stays_bounded() -> None:
    fetches: list[int] = []

    async def fetch_many(after: Any) -> list[JobEventMessage]:
        fetches.append(len(after))
        return []

    async def send(_message: dict[str, Any]) -> None:
        return None

    delivery = EventDelivery(fetch_many, send)
    ids = _fake_ids(MAX_TRACKED_JOBS * 3)
    for start in range(0, len(ids), MAX_RESUME_JOBS):
        await delivery.resume(dict.fromkeys(ids[start : start + MAX_RESUME_JOBS], 0))
    assert len(delivery.delivered) == MAX_TRACKED_JOBS
    assert set(delivery.delivered) == set(ids[-MAX_TRACKED_JOBS:])  # the most recent kept
    assert max(fetches) <= MAX_RESUME_JOBS
    fetches.clear()
    await delivery.catch_up_all(ids[:10])
    assert sum(fetches) == MAX_TRACKED_JOBS + 10 and len(fetches) <= 6
