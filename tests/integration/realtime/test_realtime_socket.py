"""`/ws`: tickets, origin checks, connection cap, live events and replay exactly once."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from benchstudio.jobs.demo_jobs import DEMO_JOB_TYPE

pytest_plugins = ["realtime_fixtures"]

ORIGIN = "http://testserver"


def _ticket(app: Any, caller: Any, origin: str | None = ORIGIN) -> str:
    headers = dict(caller.headers)
    if origin is not None:
        headers["Origin"] = origin
    response = app.client.post("/api/realtime/ticket", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["ticket"])


def _connect(app: Any, ticket: str, origin: str | None = ORIGIN) -> Any:
    headers = {"origin": origin} if origin else {}
    return app.client.websocket_connect(f"/ws?ticket={ticket}", headers=headers)


def _next_control(ws: WebSocketTestSession) -> dict[str, Any]:
    """The next message that is not a server heartbeat: those come every ws_heartbeat_s
    (5 s here) whatever the test is doing, and a slow machine can let one through first."""
    while True:
        message: dict[str, Any] = ws.receive_json()
        if message.get("type") != "ping":
            return message


def _events_until(ws: WebSocketTestSession, job_id: str, stop: Any) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while True:
        message = ws.receive_json()
        if message.get("job_id") != job_id:
            continue
        received.append(message)
        if stop(message):
            return received


def _submit(app: Any, caller: Any, units: int, unit_ms: int) -> str:
    body = {"type": DEMO_JOB_TYPE, "params": {"units": units, "unit_ms": unit_ms}}
    response = app.client.post("/api/jobs", json=body, headers=caller.headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _wait_status(app: Any, caller: Any, job_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job = app.client.get(f"/api/jobs/{job_id}", headers=caller.headers).json()
        if job["status"] == status:
            return dict(job)
        time.sleep(0.05)
    raise AssertionError(f"job never became {status}")


def test_reconnect_replays_every_missed_event_exactly_once(live_app: Any) -> None:
    with _connect(live_app, _ticket(live_app, live_app.alice)) as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "resume", "last_seq": {}})
        assert _next_control(ws)["type"] == "resumed"
        job_id = _submit(live_app, live_app.alice, units=30, unit_ms=15)
        first = _events_until(ws, job_id, lambda m: m["seq"] >= 6)
    _wait_status(live_app, live_app.alice, job_id, "done")
    last_seen = first[-1]["seq"]
    with _connect(live_app, _ticket(live_app, live_app.alice)) as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_json({"type": "resume", "last_seq": {job_id: last_seen}})
        second = _events_until(ws, job_id, lambda m: m["type"] == "job_completed")
        assert _next_control(ws)["type"] == "resumed"
    seqs = [m["seq"] for m in first + second]
    assert seqs == list(range(1, len(seqs) + 1)), "every event once, in order"
    stored = live_app.client.get(f"/api/jobs/{job_id}/events", headers=live_app.alice.headers)
    assert [e["seq"] for e in stored.json()] == seqs


def test_events_reach_every_tab_of_the_owner_and_nobody_else(live_app: Any) -> None:
    tabs = [_connect(live_app, _ticket(live_app, live_app.alice)) for _ in range(2)]
    other = _connect(live_app, _ticket(live_app, live_app.bob))
    with tabs[0] as tab1, tabs[1] as tab2, other as bob_ws:
        for ws in (tab1, tab2, bob_ws):
            assert ws.receive_json()["type"] == "hello"
            ws.send_json({"type": "resume", "last_seq": {}})
            assert _next_control(ws)["type"] == "resumed"
        job_id = _submit(live_app, live_app.alice, units=3, unit_ms=1)
        for ws in (tab1, tab2):
            got = _events_until(ws, job_id, lambda m: m["type"] == "job_completed")
            assert got[0]["type"] == "job_created"
        bob_ws.send_json({"type": "ping"})
        assert _next_control(bob_ws) == {"type": "pong"}, "bob got none of alice's events"


def test_cancel_over_the_socket(live_app: Any) -> None:
    with _connect(live_app, _ticket(live_app, live_app.alice)) as ws:
        ws.receive_json()
        ws.send_json({"type": "resume", "last_seq": {}})
        job_id = _submit(live_app, live_app.alice, units=2000, unit_ms=10)
        _events_until(ws, job_id, lambda m: m["type"] == "job_started")
        ws.send_json({"type": "cancel", "job_id": job_id})
        final = _events_until(ws, job_id, lambda m: m["type"] == "job_cancelled")
    assert final[-1]["type"] == "job_cancelled"


def test_a_ticket_works_once(live_app: Any) -> None:
    ticket = _ticket(live_app, live_app.alice)
    with _connect(live_app, ticket) as ws:
        assert ws.receive_json()["type"] == "hello"
    with _connect(live_app, ticket) as ws, pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    assert closed.value.code == 4401


def test_browser_tickets_are_bound_to_their_origin(live_app: Any) -> None:
    refused = live_app.client.post(
        "/api/realtime/ticket", headers={**live_app.alice.headers, "Origin": "https://evil.example"}
    )
    assert refused.status_code == 403
    ticket = _ticket(live_app, live_app.alice)
    with (
        _connect(live_app, ticket, origin="https://evil.example") as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4403


def test_tickets_need_a_signed_in_user(live_app: Any) -> None:
    assert live_app.client.post("/api/realtime/ticket").status_code == 401


def test_connections_per_user_are_capped(live_app: Any) -> None:
    limit = live_app.settings.ws_max_connections_per_user
    with contextlib.ExitStack() as stack:
        for _ in range(limit):
            ws = stack.enter_context(_connect(live_app, _ticket(live_app, live_app.alice)))
            assert ws.receive_json()["type"] == "hello"
        extra = stack.enter_context(_connect(live_app, _ticket(live_app, live_app.alice)))
        with pytest.raises(WebSocketDisconnect) as closed:
            extra.receive_json()
        assert closed.value.code == 4429
