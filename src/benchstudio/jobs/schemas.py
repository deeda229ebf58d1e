"""Job API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.core.input_types import CleanInput


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    type: str
    title: str = Field("", description="What people call the job: its run's title.")
    link: str | None = Field(
        None, description="The web app's path to the job's results (its run page), if any."
    )
    queue_reason: str | None = Field(
        None, description="Why a queued job waits, naming the limit; None once it runs."
    )
    queue_reason_code: Literal["user_limit", "server_limit", "worker"] | None = None
    owner_id: str
    status: str
    params: dict[str, Any]
    progress_percent: float
    progress_detail: str | None
    eta_s: float | None
    result: dict[str, Any] | None
    error: str | None
    attempt: int
    cancel_requested: bool
    event_seq: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(BaseModel):
    items: list[JobOut]
    total: int
    limit: int
    offset: int


class JobSubmit(CleanInput):  # NUL, NaN and Infinity in params: 422
    model_config = ConfigDict(extra="forbid")

    type: str = Field(min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class JobEventOut(BaseModel):
    type: str
    job_id: str
    seq: int
    at: datetime
    data: dict[str, Any]


class JobsOverview(BaseModel):
    queued: int
    running: int
    connected_sockets: int


class ScheduledBy(BaseModel):
    """The schedule that started a run: runs of every kind carry it, so history can say which
    occurrence a result belongs to (the schedule id is opaque to the run's domain)."""

    schedule_id: str
    occurrence_at: datetime = Field(description="The occurrence's scheduled instant, UTC.")
    run_number: int = Field(description="1 for the schedule's first run.")

    @classmethod
    def of(
        cls, schedule_id: str | None, occurrence_at: datetime | None, run_number: int | None
    ) -> ScheduledBy | None:
        """From a run row's three columns (None: a run no schedule started)."""
        if schedule_id is None or occurrence_at is None or run_number is None:
            return None
        return cls(schedule_id=schedule_id, occurrence_at=occurrence_at, run_number=run_number)
