"""Pure job logic: the state machine, per-user limits, fair scheduling, ETA.

No database, no web framework: everything here is unit-testable with plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from benchstudio.core.errors import AppError


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"


TERMINAL_STATUSES = frozenset(
    {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED}
)

_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.INTERRUPTED}
    ),
    # An interrupted job can be resumed: it goes back to the queue with attempt + 1.
    JobStatus.INTERRUPTED: frozenset({JobStatus.QUEUED}),
    JobStatus.DONE: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}


class InvalidTransitionError(ValueError):
    def __init__(self, current: JobStatus, target: JobStatus) -> None:
        super().__init__(f"a {current.value} job cannot become {target.value}")
        self.current = current
        self.target = target


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    return target in _ALLOWED[current]


def ensure_transition(current: JobStatus, target: JobStatus) -> None:
    if not can_transition(current, target):
        raise InvalidTransitionError(current, target)


class JobEventType(StrEnum):
    CREATED = "job_created"
    STARTED = "job_started"
    PROGRESS = "job_progress"
    COMPLETED = "job_completed"
    FAILED = "job_failed"
    CANCELLED = "job_cancelled"
    INTERRUPTED = "job_interrupted"
    CANCEL_REQUESTED = "job_cancel_requested"


FINAL_EVENT_FOR: dict[JobStatus, JobEventType] = {
    JobStatus.DONE: JobEventType.COMPLETED,
    JobStatus.FAILED: JobEventType.FAILED,
    JobStatus.CANCELLED: JobEventType.CANCELLED,
    JobStatus.INTERRUPTED: JobEventType.INTERRUPTED,
}


@dataclass(frozen=True)
class JobEnding:
    """A job that just reached a final state, as its type's `on_ended` hook sees it."""

    job_id: str
    owner_id: str
    type: str
    params: Mapping[str, Any]
    status: JobStatus
    error: str | None = None


ACTIVE_RUN_STATUSES = frozenset({"queued", "running"})
UNFINISHED_BY_DONE_JOB = "The job ended without finishing this run."
JOB_GONE = "The job running this was deleted; start it again."


def run_status_after(job_status: JobStatus, run_status: str) -> str | None:
    """The status a job's run (benchmark, eval) takes when the job ends, or None to leave it.

    A run follows its job into failed, cancelled or interrupted. A job that ended done leaves
    the run its handler finished alone, and fails one its handler never finished.
    """
    if job_status is JobStatus.DONE:
        return "failed" if run_status in ACTIVE_RUN_STATUSES else None
    if job_status not in TERMINAL_STATUSES or run_status == job_status.value:
        return None
    return job_status.value


def repaired_run_state(
    run_status: str, ending: JobEnding | None, job_exists: bool
) -> tuple[str, str | None] | None:
    """The start-up repair of an active run: its ended job's final state (status, error),
    failed when its job row is gone, or None to leave it as it is."""
    if ending is not None:
        status = run_status_after(ending.status, run_status)
        if status is None:
            return None
        return status, UNFINISHED_BY_DONE_JOB if ending.status is JobStatus.DONE else ending.error
    return None if job_exists else ("failed", JOB_GONE)


@dataclass(frozen=True)
class JobEventMessage:
    """One stored job event as it travels to sockets (the owner routes it, never sent)."""

    job_id: str
    owner_id: str
    seq: int
    type: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def wire(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "job_id": self.job_id,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class UserLimits:
    """Per-user limits; `None` means unlimited."""

    jobs_per_hour: int | None = 60
    concurrent_jobs: int = 2
    max_runs_per_benchmark: int | None = 100
    monthly_spend_cap_usd: float | None = None


@dataclass(frozen=True)
class JobEstimate:
    """What a job may send and cost, declared by its type at submit (`JobType.estimate`).

    `cost_usd` None: some model has no price (`unpriced` names them), so under a spend cap the
    job cannot be bounded and is refused.
    """

    requests: int = 0
    cost_usd: float | None = 0.0
    unpriced: tuple[str, ...] = ()
    # How the limit messages name the job's requests ("requests", "case runs").
    noun: str = "requests"


@dataclass(frozen=True)
class JobBudget:
    """The hard bounds a running job stops at: the owner's per-run request limit and, under a
    spend cap, the cost its submit reserved (None: unbounded)."""

    max_requests: int | None = None
    max_cost_usd: float | None = None


def check_request_limit(estimate: JobEstimate, limits: UserLimits) -> None:
    limit = limits.max_runs_per_benchmark
    if limit is not None and estimate.requests > limit:
        raise AppError(
            f"This job plans {estimate.requests} {estimate.noun}; your limit is {limit} "
            "requests per run.",
            code="too_many_runs",
            status_code=422,
        )


def check_spend_cap(estimate: JobEstimate, cap: float | None, spent: float) -> float:
    """The reservation a job makes under `cap` given the month's `spent` (ledger), or a refusal.

    Without a cap nothing is reserved (0). An unpriced job cannot be bounded: refused with a
    hint to set the price, unless the cap is already used up (then the cap is the answer).
    """
    if cap is None:
        return 0.0
    estimate_usd = estimate.cost_usd
    if estimate_usd is None and spent < cap:
        unpriced = ", ".join(estimate.unpriced) or "a model"
        raise AppError(
            f"Your monthly spend cap is {cap:.2f} USD, and {unpriced} has no price, so this "
            "job's cost cannot be bounded. Set the model's input and output prices under "
            "Models (0 for a free or local model).",
            code="price_needed",
            status_code=422,
        )
    if spent >= cap or (estimate_usd is not None and spent + estimate_usd > cap):
        tail = f", this job may cost up to {estimate_usd:.4f} USD." if estimate_usd else "."
        raise AppError(
            f"Your monthly spend cap is {cap:.2f} USD; {spent:.4f} USD spent or reserved this "
            "month" + tail,
            code="spend_cap_reached",
            status_code=403,
        )
    return float(estimate_usd or 0.0)


def month_key(at: datetime) -> str:
    """The ledger's month of a moment (UTC), e.g. "2026-12"."""
    return f"{at.year:04d}-{at.month:02d}"


@dataclass(frozen=True)
class QueuedJob:
    id: str
    owner_id: str
    created_at: datetime


@dataclass
class FairQueue:
    """Round-robin across owners, FIFO within an owner.

    `last_owner` is the owner served most recently; the next pick starts with the owner after
    it in a stable (sorted) order, so one user's backlog never delays another user's next job.
    """

    last_owner: str | None = None

    def pick(
        self,
        queued: Iterable[QueuedJob],
        free_slots: Mapping[str, int],
        capacity: int | None = None,
    ) -> list[QueuedJob]:
        by_owner: dict[str, list[QueuedJob]] = {}
        for job in sorted(queued, key=lambda j: (j.created_at, j.id)):
            by_owner.setdefault(job.owner_id, []).append(job)
        slots = {owner: max(0, free_slots.get(owner, 0)) for owner in by_owner}
        picked: list[QueuedJob] = []
        order = self._rotation(sorted(by_owner))
        while order and (capacity is None or len(picked) < capacity):
            progressed = False
            for owner in order:
                if capacity is not None and len(picked) >= capacity:
                    break
                if slots[owner] > 0 and by_owner[owner]:
                    picked.append(by_owner[owner].pop(0))
                    slots[owner] -= 1
                    self.last_owner = owner
                    progressed = True
            if not progressed:
                break
        return picked

    def _rotation(self, owners: Sequence[str]) -> list[str]:
        if self.last_owner is None:
            return list(owners)
        after = [o for o in owners if o > self.last_owner]
        before = [o for o in owners if o <= self.last_owner]
        return after + before


def free_slots(limits: Mapping[str, UserLimits], active: Mapping[str, int]) -> dict[str, int]:
    """How many more jobs each owner may start now (running + already dispatched count)."""
    return {
        owner: max(0, limit.concurrent_jobs - active.get(owner, 0))
        for owner, limit in limits.items()
    }


def estimate_eta_s(percent: float, elapsed_s: float) -> float | None:
    """Seconds left from a linear extrapolation; unknown before there is any progress."""
    if percent <= 0 or elapsed_s <= 0:
        return None
    if percent >= 100:
        return 0.0
    return elapsed_s * (100 - percent) / percent


def clamp_percent(value: float) -> float:
    return min(100.0, max(0.0, value))


@dataclass(frozen=True)
class JobLabel:
    """What people call a job and where its results are: the run's title and the web app's
    path to its page (None: the job has no page), given by the job's domain."""

    title: str
    link: str | None = None


def run_ids_of(jobs: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, str]:
    """Job id → the `run_id` in its params, for the jobs that run a run (a `describe` hook's
    input is (job id, params) pairs)."""
    return {job_id: str(params["run_id"]) for job_id, params in jobs if params.get("run_id")}


@dataclass(frozen=True)
class QueueReason:
    """Why a queued job waits: `code` for programs, `text` for people."""

    code: str  # "user_limit" | "server_limit" | "worker"
    text: str


def queue_reason(
    *, owner_active: int, owner_limit: int, all_active: int, max_running: int | None
) -> QueueReason:
    """Why a queued job that was not yet handed to a worker waits (the limit, by name)."""
    if owner_active >= owner_limit:
        jobs = "job" if owner_limit == 1 else "jobs"
        return QueueReason(
            "user_limit",
            f"Waiting: you have {owner_active} of {owner_limit} {jobs} running "
            "(your limit of jobs at once).",
        )
    if max_running is not None and all_active >= max_running:
        return QueueReason(
            "server_limit",
            f"Waiting: the server is running {all_active} of {max_running} jobs at once "
            "(its limit for all users).",
        )
    return QueueReason("worker", "Waiting for a worker to pick it up.")
