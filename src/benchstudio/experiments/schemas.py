"""Experiment API shapes: create/update, the list, the detail with its results on one scale,
best vs baseline, filing runs and re-running the best configuration."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from benchstudio.core.input_types import CleanInput, ObjectId
from benchstudio.toolcall.profiles import ProfileName

MAX_MODELS = 8

ResultKind = Literal["eval", "judge", "tuner"]


class ExperimentModelIn(CleanInput):
    """A target model of the experiment: the default targets of its new runs."""

    provider_id: ObjectId
    model_id: str = Field(min_length=1, max_length=256)
    label: str | None = Field(default=None, min_length=1, max_length=200)


class ExperimentModelOut(BaseModel):
    provider_id: str
    model_id: str
    label: str


class ExperimentCreate(CleanInput):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5_000)
    suite_id: ObjectId
    suite_version: int | None = Field(
        default=None, ge=1, description="The suite version to snapshot; null: its current one."
    )
    profile: ProfileName = Field(
        default=ProfileName.LENIENT, description="The scoring profile of the experiment's scale."
    )
    models: list[ExperimentModelIn] = Field(min_length=1, max_length=MAX_MODELS)


class ExperimentUpdate(CleanInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5_000)
    archived: bool | None = None


class BaselineIn(CleanInput):
    """Choose the baseline: one target's result in an eval run filed under the experiment."""

    run_id: ObjectId
    target: str = Field(min_length=1, max_length=200)


class FileRunIn(CleanInput):
    """File an existing run under the experiment (a run belongs to at most one experiment)."""

    kind: Literal["eval", "judge", "tuner"]
    ref_id: ObjectId = Field(description="The eval run, judge report or tuner run id.")


class ExperimentResultOut(BaseModel):
    """One point of the experiment: an eval run's target, a judge report or a tuner run."""

    kind: ResultKind
    ref_id: str = Field(description="Eval run, judge report or tuner run id.")
    eval_run_id: str | None = Field(description="The eval run the score comes from.")
    target: str | None = Field(description="The target label within the eval run.")
    label: str = Field(description="What the timeline and the runs table call it.")
    status: str
    suite_version: int
    profile: str
    on_scale: bool = Field(description="Same suite version and scoring profile as the experiment.")
    off_scale_reason: str | None
    score: float | None = Field(
        description="0..1: pass rate (eval), judge pass rate (judge), the best trial's pass "
        "rate over its repeats (tuner)."
    )
    passed: int | None
    total: int | None
    is_baseline: bool
    is_best: bool
    at: datetime = Field(description="When the result finished (or was created, if not yet).")


class BestVsBaselineOut(BaseModel):
    """Best minus baseline on the experiment's scale, from the stats module."""

    baseline: ExperimentResultOut
    best: ExperimentResultOut
    difference: float | None
    ci95: tuple[float, float] | None
    paired: bool
    test: Literal["mcnemar_exact", "two_proportion_z"]
    p_value: float | None
    significant: bool
    note: str | None = Field(
        default=None,
        description="Set when the interval and the test disagree (few differing cases).",
    )


class ExperimentOut(BaseModel):
    id: str
    name: str
    description: str
    suite_id: str
    suite_name: str
    suite_version: int
    profile: str
    models: list[ExperimentModelOut]
    baseline_chosen: bool = Field(description="False: the baseline is the first finished result.")
    run_count: int = Field(description="Eval runs, judge reports and tuner runs filed here.")
    baseline_score: float | None
    best_score: float | None
    archived: bool
    created_at: datetime
    updated_at: datetime


class ExperimentPage(BaseModel):
    items: list[ExperimentOut]
    total: int
    limit: int
    offset: int


class ExperimentDetail(ExperimentOut):
    results: list[ExperimentResultOut] = Field(description="Every result in time order.")
    comparison: BestVsBaselineOut | None = Field(
        description="Null until the scale holds a baseline and a different best."
    )
