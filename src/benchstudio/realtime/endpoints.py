"""`POST /api/realtime/ticket` and the `/ws` socket: live job events for every tab of a user.

Protocol (JSON text frames):
  server → {"type": "hello", "heartbeat_s", "resume_wait_s"}; then job events
           {"type": "job_progress", "job_id", "seq", "at", "data"}; {"type": "ping"} heartbeats.
  client → {"type": "resume", "last_seq": {job_id: seq}} (first, even if empty: missed events
           are replayed exactly once; at most MAX_RESUME_JOBS jobs, fetched in one query),
           {"type": "ping"} → pong, {"type": "cancel", "job_id"}.
  A frame over MAX_CLIENT_FRAME bytes, or a resume naming too many jobs, is answered with
  {"type": "error", "code": "frame_too_large" | "too_many_jobs", "message"} and not acted on.
Close codes: 4401 bad ticket, 4403 origin refused, 4429 too many sockets, 4408 idle; 1013 Redis
unavailable (scale-out: retry later with a new ticket).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel

from benchstudio.core.errors import AppError, PermissionDeniedError, ServiceUnavailableError
from benchstudio.http.principal import CurrentUser
from benchstudio.jobs.domain import JobEventMessage
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.realtime.delivery import EventDelivery
from benchstudio.realtime.frame_limits import MAX_CLIENT_FRAME, MAX_JOB_ID, MAX_RESUME_JOBS
from benchstudio.realtime.hub import Subscription
from benchstudio.realtime.origins import normalize, origin_allowed, own_origin
from benchstudio.realtime.state import Realtime
from benchstudio.realtime.tickets import TicketGrant

router = APIRouter(tags=["realtime"])
socket_router = APIRouter()
IDLE_HEARTBEATS = 3


async def get_realtime(request: Request) -> Realtime:
    realtime = request.app.state.realtime
    assert isinstance(realtime, Realtime)
    return realtime


RealtimeDep = Annotated[Realtime, Depends(get_realtime)]


class TicketOut(BaseModel):
    ticket: str
    expires_in_s: int
    url: str


@router.post("/realtime/ticket", response_model=TicketOut)
async def issue_ticket(request: Request, user: CurrentUser, realtime: RealtimeDep) -> TicketOut:
    """A single-use ticket (valid for seconds) to open `/ws?ticket=…`."""
    origin = request.headers.get("origin")
    own = own_origin(request.url.scheme, request.headers.get("host", request.url.netloc))
    if origin is not None and not origin_allowed(origin, own, realtime.allowed_origins):
        raise PermissionDeniedError("This origin may not open live updates.", code="bad_origin")
    ticket = await realtime.tickets.issue(TicketGrant(user.user_id, origin))
    ttl = getattr(realtime.tickets, "ttl_s", 30)
    return TicketOut(ticket=ticket, expires_in_s=int(ttl), url=f"/ws?ticket={ticket}")


def _socket_origin_ok(websocket: WebSocket, grant: TicketGrant, realtime: Realtime) -> bool:
    """A browser ticket only opens a socket from the page origin that asked for it."""
    origin = websocket.headers.get("origin")
    if grant.origin is not None:
        return origin is not None and normalize(origin) == normalize(grant.origin)
    own = own_origin(websocket.url.scheme, websocket.headers.get("host", websocket.url.netloc))
    return origin is None or origin_allowed(origin, own, realtime.allowed_origins)


@socket_router.websocket("/ws")
async def live_socket(websocket: WebSocket, ticket: str = Query(default="")) -> None:
    realtime: Realtime = websocket.app.state.realtime
    jobs: JobRuntime = websocket.app.state.jobs
    try:
        grant = await realtime.tickets.consume(ticket) if ticket else None
    except ServiceUnavailableError:
        # 1013 "try again later": the client reconnects with a new ticket once Redis is back.
        await websocket.accept()
        await websocket.close(1013, "live updates unavailable")
        return
    await websocket.accept()
    if grant is None:
        await websocket.close(4401, "invalid or expired ticket")
        return
    if not _socket_origin_ok(websocket, grant, realtime):
        await websocket.close(4403, "origin refused")
        return
    if realtime.hub.connection_count(grant.owner_id) >= realtime.max_connections_per_user:
        await websocket.close(4429, "too many live connections")
        return
    subscription = realtime.hub.subscribe(grant.owner_id, realtime.queue_size)
    try:
        await _serve(websocket, realtime, jobs, grant.owner_id, subscription)
    finally:
        realtime.hub.unsubscribe(subscription)


async def _serve(
    websocket: WebSocket, realtime: Realtime, jobs: JobRuntime, owner_id: str, sub: Subscription
) -> None:
    async def fetch_many(after: Mapping[str, int]) -> list[JobEventMessage]:
        return await jobs.service.events_after_many(owner_id, after)

    delivery = EventDelivery(fetch_many, websocket.send_json)
    resumed = asyncio.Event()
    last_heard = [time.monotonic()]
    await delivery.send_control(
        {
            "type": "hello",
            "heartbeat_s": realtime.heartbeat_s,
            "resume_wait_s": realtime.resume_wait_s,
        }
    )
    tasks = [
        asyncio.create_task(_pump(sub, delivery, resumed, realtime.resume_wait_s)),
        asyncio.create_task(_refetch_when_stale(sub, delivery, resumed)),
        asyncio.create_task(_heartbeat(websocket, delivery, realtime.heartbeat_s, last_heard)),
    ]
    try:
        await _receive(websocket, delivery, jobs, owner_id, resumed, last_heard)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


async def _pump(
    sub: Subscription, delivery: EventDelivery, resumed: asyncio.Event, wait_s: float
) -> None:
    """Live events to the socket, after the client's resume (or a short wait for it)."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(wait_s):
            await resumed.wait()
    while True:
        event = await sub.queue.get()
        await delivery.live(event)
        if sub.overflow.is_set() and sub.queue.empty():
            sub.overflow.clear()
            dropped, sub.dropped_jobs = sub.dropped_jobs, set()
            await delivery.catch_up_all(dropped)


async def _refetch_when_stale(
    sub: Subscription, delivery: EventDelivery, resumed: asyncio.Event
) -> None:
    """After the relay lost Redis, no later event may come to reveal the gap (a job that ended
    during the outage): refetch every followed job from storage instead."""
    while True:
        await sub.stale.wait()
        sub.stale.clear()
        await resumed.wait()
        await delivery.catch_up_all()


async def _heartbeat(
    websocket: WebSocket, delivery: EventDelivery, every_s: float, last_heard: list[float]
) -> None:
    while True:
        await asyncio.sleep(every_s)
        if time.monotonic() - last_heard[0] > every_s * IDLE_HEARTBEATS:
            await websocket.close(4408, "no heartbeat from client")
            return
        await delivery.send_control({"type": "ping", "t": time.time()})


async def _receive(
    websocket: WebSocket,
    delivery: EventDelivery,
    jobs: JobRuntime,
    owner_id: str,
    resumed: asyncio.Event,
    last_heard: list[float],
) -> None:
    while True:
        try:
            raw = await websocket.receive_text()
        except (WebSocketDisconnect, RuntimeError):
            return
        last_heard[0] = time.monotonic()
        if len(raw) > MAX_CLIENT_FRAME:
            await delivery.send_control(
                _error("frame_too_large", f"Frames are limited to {MAX_CLIENT_FRAME} bytes.")
            )
            continue
        message = _parse(raw)
        kind = message.get("type")
        if kind == "resume":
            last_seq = message.get("last_seq") or {}
            if isinstance(last_seq, dict) and len(last_seq) > MAX_RESUME_JOBS:
                await delivery.send_control(
                    _error("too_many_jobs", f"A resume names at most {MAX_RESUME_JOBS} jobs.")
                )
            elif isinstance(last_seq, dict):
                replayed = await delivery.resume(_resume_points(last_seq))
                await delivery.send_control({"type": "resumed", "replayed": replayed})
            resumed.set()
        elif kind == "ping":
            await delivery.send_control({"type": "pong"})
        elif kind == "cancel":
            await delivery.send_control(await _cancel(jobs, owner_id, message.get("job_id")))


def _error(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def _resume_points(last_seq: dict[Any, Any]) -> dict[str, int]:
    """Job ids shaped like ids, with a non-negative integer seq (anything else is ignored)."""
    return {
        k: v
        for k, v in last_seq.items()
        if isinstance(k, str)
        and 0 < len(k) <= MAX_JOB_ID
        and isinstance(v, int)
        and not isinstance(v, bool)
        and 0 <= v < 2**31
    }


def _parse(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def _cancel(jobs: JobRuntime, owner_id: str, job_id: object) -> dict[str, Any]:
    if not isinstance(job_id, str):
        return {"type": "cancel_result", "ok": False, "error": "job_id missing"}
    try:
        job = await jobs.service.cancel(owner_id, job_id)
    except AppError as exc:
        return {"type": "cancel_result", "job_id": job_id, "ok": False, "error": exc.message}
    return {"type": "cancel_result", "job_id": job_id, "ok": True, "status": job.status}
