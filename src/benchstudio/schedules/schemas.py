"""Schedule timing shapes: the spec a client sends, and the preview of next occurrences.

Input is checked through the pure domain (`domain.validation`), so the editor, the API and the
dispatcher agree on what a valid schedule is. The administrator's minimum interval is a setting
the service knows: it calls `TimingIn.check(min_interval)`, which raises the same 422 envelope
as request validation.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from benchstudio.benchruns.schemas import BenchmarkCreate
from benchstudio.core.errors import AppError
from benchstudio.core.input_types import CleanInput
from benchstudio.evals.runs.schemas import EvalCreate
from benchstudio.schedules.domain import (
    CatchUp,
    CronRule,
    IntervalRule,
    IntervalUnit,
    Overlap,
    SpecProblem,
    TimingSpec,
    spec_problems,
)
from benchstudio.schedules.domain.cron_zone import zone
from benchstudio.schedules.domain.validation import cron_problem, timezone_problem

# Without an administrator's setting, a schedule runs at most once a minute (cron's grain).
DEFAULT_MIN_INTERVAL = timedelta(minutes=1)
MAX_NEXT = 50
_RULE_FIELDS = frozenset({"every", "unit", "cron", "timezone"})


class IntervalIn(BaseModel):
    """Every N minutes, hours or days, counted from the start in UTC."""

    kind: Literal["interval"] = "interval"
    every: int = Field(ge=1, le=527_040, description="How many units between two runs.")
    unit: IntervalUnit


class CronIn(BaseModel):
    """A five-field cron expression (or @daily, @hourly, …) read in an IANA time zone."""

    kind: Literal["cron"] = "cron"
    cron: str = Field(min_length=1, max_length=200, examples=["0 9 * * MON-FRI"])
    timezone: str = Field(min_length=1, max_length=64, examples=["Europe/London"])

    @field_validator("cron")
    @classmethod
    def _readable_cron(cls, value: str) -> str:
        problem = cron_problem(value)
        if problem:
            raise PydanticCustomError("invalid_cron", problem)
        return " ".join(value.split())

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        problem = timezone_problem(value)
        if problem:
            raise PydanticCustomError("unknown_timezone", problem)
        return value


class TimingIn(CleanInput):
    """When a schedule runs: its rule, bounds, and what happens when runs are late or overlap."""

    rule: Annotated[IntervalIn | CronIn, Field(discriminator="kind")]
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    enabled: bool = True
    max_runs: int | None = Field(default=None, ge=1, le=1_000_000)
    catch_up: CatchUp = CatchUp.SKIP
    overlap: Overlap = Overlap.SKIP
    max_running: int = Field(default=1, ge=1, le=20)

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise PydanticCustomError("end_before_start", "the end must come after the start")
        return self

    def to_spec(self) -> TimingSpec:
        rule = self.rule
        return TimingSpec(
            rule=(
                IntervalRule(rule.every, rule.unit)
                if isinstance(rule, IntervalIn)
                else CronRule(rule.cron, rule.timezone)
            ),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            enabled=self.enabled,
            max_runs=self.max_runs,
            catch_up=self.catch_up,
            overlap=self.overlap,
            max_running=self.max_running,
        )

    def check(
        self, min_interval: timedelta = DEFAULT_MIN_INTERVAL, at: tuple[str, ...] = ("body",)
    ) -> TimingSpec:
        """The spec, or a 422 AppError naming each field at fault (the admin's minimum
        included)."""
        spec = self.to_spec()
        problems = spec_problems(spec, min_interval)
        if problems:
            raise timing_error(problems, self.rule.kind, at)
        return spec


def timing_error(
    problems: list[SpecProblem], kind: str, at: tuple[str, ...] = ("body",)
) -> AppError:
    """The 422 for `problems`, shaped like request validation's envelope (loc, msg, type):
    a rule's field sits under its kind, as Pydantic places it (`body.rule.cron.timezone`)."""

    def loc(field: str) -> list[str]:
        return [*at, "rule", kind, field] if field in _RULE_FIELDS else [*at, field]

    details = [{"loc": loc(p.field), "msg": p.message, "type": p.code} for p in problems]
    return AppError(problems[0].message, code="validation_error", status_code=422, details=details)


class NextQuery(BaseModel):
    """`GET /api/schedules/{id}/next?count=N&timezone=Z`: accounts hold no time zone, so the
    web app sends the browser's (`Intl.DateTimeFormat().resolvedOptions().timeZone`); without
    one, a cron schedule's own zone is used, else UTC."""

    count: int = Field(default=5, ge=1, le=MAX_NEXT)
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/London"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        problem = None if value is None else timezone_problem(value)
        if problem:
            raise PydanticCustomError("unknown_timezone", problem)
        return value


class OccurrenceOut(BaseModel):
    """One coming occurrence: the instant in UTC and the same instant in the viewer's zone,
    both ISO 8601 with their offset."""

    utc: datetime = Field(description="The instant in UTC, e.g. 2026-03-29T01:00:00Z.")
    local: datetime = Field(
        description="The same instant in the viewer's time zone, e.g. 2026-03-29T02:00:00+01:00."
    )
    timezone: str = Field(description="The IANA zone `local` is shown in.")

    @classmethod
    def of(cls, instant: datetime, timezone: str) -> OccurrenceOut:
        return cls(utc=instant, local=instant.astimezone(zone(timezone)), timezone=timezone)


class NextOccurrencesOut(BaseModel):
    items: list[OccurrenceOut]
    timezone: str


class DraftNextIn(CleanInput):
    """`POST /api/schedules/next`: the preview of a schedule not saved yet."""

    timing: TimingIn
    count: int = Field(default=5, ge=1, le=MAX_NEXT)
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/London"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        problem = None if value is None else timezone_problem(value)
        if problem:
            raise PydanticCustomError("unknown_timezone", problem)
        return value


ScheduleKind = Literal["benchmark", "eval"]


class ScheduleIn(CleanInput):
    """A schedule: what it runs (a benchmark or an eval-run configuration, as `POST
    /api/benchmarks` or `POST /api/evals` takes it, models and parameter sets included) and
    when (`timing`). The schedule is on when `timing.enabled` is."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: ScheduleKind
    benchmark: BenchmarkCreate | None = Field(default=None, description="With kind benchmark.")
    eval: EvalCreate | None = Field(default=None, description="With kind eval.")
    timing: TimingIn
    monthly_budget_usd: float | None = Field(
        default=None, ge=0, le=1_000_000, description="Pauses the schedule once reached."
    )
    pause_after_failures: int = Field(
        default=3, ge=1, le=100, description="Consecutive failed runs that pause it."
    )

    @model_validator(mode="after")
    def _one_configuration(self) -> Self:
        other = "eval" if self.kind == "benchmark" else "benchmark"
        if getattr(self, self.kind) is None:
            raise PydanticCustomError(
                "missing_configuration", f"a {self.kind} schedule needs its `{self.kind}`"
            )
        if getattr(self, other) is not None:
            raise PydanticCustomError(
                "extra_configuration", f"a {self.kind} schedule takes no `{other}`"
            )
        return self

    def run_config(self) -> dict[str, Any]:
        body = self.benchmark if self.kind == "benchmark" else self.eval
        assert body is not None
        return body.model_dump(mode="json", exclude_unset=True)


class ScheduleUpdate(CleanInput):
    """`PATCH /api/schedules/{id}`: the fields given change. Switching a schedule on (again)
    starts it from the next occurrence and clears a pause and its failure count."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled: bool | None = None
    benchmark: BenchmarkCreate | None = None
    eval: EvalCreate | None = None
    timing: TimingIn | None = None
    monthly_budget_usd: float | None = Field(default=None, ge=0, le=1_000_000)
    pause_after_failures: int | None = Field(default=None, ge=1, le=100)


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    kind: ScheduleKind
    config: dict[str, Any] = Field(description="The run's configuration, as submitted each time.")
    timing: dict[str, Any]
    enabled: bool
    paused_reason: str | None = Field(description="Why the schedule paused itself, if it did.")
    monthly_budget_usd: float | None
    pause_after_failures: int
    runs_so_far: int
    consecutive_failures: int
    finished: Literal["max_runs", "ended"] | None
    last_occurrence_at: datetime | None = Field(
        validation_alias="decided_through", description="The latest occurrence decided."
    )
    next_due_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SchedulePage(BaseModel):
    items: list[ScheduleOut]
    total: int
    limit: int
    offset: int


OccurrenceStatus = Literal[
    "claimed", "waiting", "dispatched", "done", "failed", "cancelled", "interrupted", "skipped"
]


class OccurrenceRecordOut(BaseModel):
    """A decided occurrence: its run (job and run id), or why it was skipped."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    occurrence_at: datetime
    run_number: int | None
    status: OccurrenceStatus
    reason: str | None = Field(description='"skipped: <reason>" for a skipped occurrence.')
    catch_up: bool
    skipped_until: datetime | None = Field(description="A skipped span's last occurrence.")
    skipped_count: int | None
    job_id: str | None
    run_id: str | None
    created_at: datetime
    finished_at: datetime | None


class OccurrencePage(BaseModel):
    items: list[OccurrenceRecordOut]
    total: int
    limit: int
    offset: int


class ScheduleEstimateOut(BaseModel):
    """What the editor shows before saving: cost per run and per month (30 days from now)."""

    cost_per_run_usd: float | None = Field(
        description="A benchmark's estimate; an eval's only when every model is free (demo). "
        "None: unknown (a model without a price)."
    )
    runs_per_month: int = Field(description="Occurrences in the next 30 days.")
    cost_per_month_usd: float | None
    monthly_budget_usd: float | None
