"""Per-socket delivery: every event exactly once and in order, whatever the timing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from benchstudio.jobs.domain import JobEventMessage
from benchstudio.realtime.delivery import EventDelivery

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _event(job: str, seq: int) -> JobEventMessage:
    return JobEventMessage(job, "u1", seq, "unit_result", AT, {"n": seq})


class Store:
    def __init__(self) -> None:
        self.events: dict[str, list[JobEventMessage]] = {}

    def add(self, job: str, upto: int) -> None:
        self.events[job] = [_event(job, s) for s in range(1, upto + 1)]

    async def fetch_many(self, after: Mapping[str, int]) -> list[JobEventMessage]:
        return [e for job, seq in after.items() for e in self.events.get(job, []) if e.seq > seq]


def _delivery(store: Store) -> tuple[EventDelivery, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    return EventDelivery(store.fetch_many, send), sent


async def test_resume_replays_missed_events_then_drops_live_duplicates() -> None:
    store = Store()
    store.add("j1", 6)
    delivery, sent = _delivery(store)
    assert await delivery.resume({"j1": 3}) == 3
    for seq in (4, 5, 6):  # the same events arrive live after the replay
        await delivery.live(_event("j1", seq))
    assert [m["seq"] for m in sent] == [4, 5, 6]


async def test_a_gap_in_live_events_is_filled_from_storage_in_order() -> None:
    store = Store()
    store.add("j1", 5)
    delivery, sent = _delivery(store)
    await delivery.resume({"j1": 1})
    store.add("j1", 9)
    await delivery.live(_event("j1", 9))  # 6..8 were lost on the way
    await delivery.live(_event("j1", 7))
    assert [m["seq"] for m in sent] == [2, 3, 4, 5, 6, 7, 8, 9]


async def test_catch_up_after_overflow_includes_jobs_never_seen() -> None:
    store = Store()
    store.add("j1", 2)
    store.add("j2", 3)
    delivery, sent = _delivery(store)
    await delivery.live(_event("j1", 1))
    await delivery.catch_up_all(["j2"])
    assert sorted((m["job_id"], m["seq"]) for m in sent) == [
        ("j1", 1),
        ("j1", 2),
        ("j2", 1),
        ("j2", 2),
        ("j2", 3),
    ]
