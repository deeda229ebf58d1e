"""Pure job logic: state machine, fair round-robin picking, ETA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from benchstudio.jobs.domain import (
    FairQueue,
    InvalidTransitionError,
    JobStatus,
    QueuedJob,
    UserLimits,
    can_transition,
    ensure_transition,
    estimate_eta_s,
    free_slots,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _jobs(owner: str, count: int, start_s: int = 0) -> list[QueuedJob]:
    return [
        QueuedJob(f"{owner}{i}", owner, T0 + timedelta(seconds=start_s + i)) for i in range(count)
    ]


def test_state_machine_allows_only_documented_transitions() -> None:
    assert can_transition(JobStatus.QUEUED, JobStatus.RUNNING)
    assert can_transition(JobStatus.RUNNING, JobStatus.INTERRUPTED)
    assert can_transition(JobStatus.INTERRUPTED, JobStatus.QUEUED)
    assert not can_transition(JobStatus.DONE, JobStatus.RUNNING)
    assert not can_transition(JobStatus.QUEUED, JobStatus.DONE)
    with pytest.raises(InvalidTransitionError):
        ensure_transition(JobStatus.CANCELLED, JobStatus.QUEUED)


def test_fifo_within_one_user() -> None:
    picked = FairQueue().pick(list(reversed(_jobs("a", 3))), {"a": 2})
    assert [j.id for j in picked] == ["a0", "a1"]


def test_round_robin_puts_a_later_user_before_an_earlier_users_backlog() -> None:
    queued = _jobs("a", 6) + _jobs("b", 1, start_s=100)
    picked = FairQueue().pick(queued, {"a": 6, "b": 6}, capacity=2)
    assert [j.id for j in picked] == ["a0", "b0"]


def test_rotation_continues_after_the_last_served_user() -> None:
    fair = FairQueue()
    queued = _jobs("a", 3) + _jobs("b", 3) + _jobs("c", 3)
    first = fair.pick(queued, {"a": 9, "b": 9, "c": 9}, capacity=2)
    assert [j.owner_id for j in first] == ["a", "b"]
    rest = [j for j in queued if j not in first]
    second = fair.pick(rest, {"a": 9, "b": 9, "c": 9}, capacity=2)
    assert [j.owner_id for j in second] == ["c", "a"]


def test_users_at_their_limit_are_skipped() -> None:
    queued = _jobs("a", 3) + _jobs("b", 3)
    picked = FairQueue().pick(queued, {"a": 0, "b": 2})
    assert [j.id for j in picked] == ["b0", "b1"]


def test_free_slots_count_active_jobs_against_the_limit() -> None:
    limits = {"a": UserLimits(concurrent_jobs=2), "b": UserLimits(concurrent_jobs=1)}
    assert free_slots(limits, {"a": 1, "b": 3}) == {"a": 1, "b": 0}


def test_eta_is_unknown_without_progress_and_linear_after() -> None:
    assert estimate_eta_s(0, 10) is None
    assert estimate_eta_s(25, 10) == pytest.approx(30)
    assert estimate_eta_s(100, 10) == 0.0
