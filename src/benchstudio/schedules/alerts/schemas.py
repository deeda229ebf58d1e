"""Regression-alert shapes: a schedule's rules, its alert episodes and mutes, the notification
center, webhook endpoints (the secret shown once) and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from benchstudio.core.input_types import CleanInput, ObjectId
from benchstudio.schedules.domain.alerts import ThresholdKind

MetricName = Literal["ttft_p50", "ttft_p95", "output_tps", "error_rate", "cost", "score"]


class AlertRuleIn(CleanInput):
    metric: MetricName
    kind: ThresholdKind = Field(
        default=ThresholdKind.RELATIVE,
        description="relative: a fraction of the baseline (0.2 = 20 % worse); absolute: in the "
        "metric's unit (ms, tokens/s, USD per request; error rate and score as 0-1).",
    )
    threshold: float = Field(gt=0, le=1_000_000)

    @model_validator(mode="after")
    def _proportion(self) -> AlertRuleIn:
        rate = self.metric in ("error_rate", "score")
        if self.kind is ThresholdKind.ABSOLUTE and rate and self.threshold > 1:
            raise ValueError("an absolute threshold on a rate is a fraction (0-1)")
        return self


class AlertBaselineIn(CleanInput):
    kind: Literal["rolling", "fixed"] = "rolling"
    window: int = Field(default=5, ge=1, le=50, description="Rolling: the last N runs.")
    run_id: ObjectId | None = Field(default=None, description="Fixed: this run of the schedule.")

    @model_validator(mode="after")
    def _fixed_needs_run(self) -> AlertBaselineIn:
        if self.kind == "fixed" and self.run_id is None:
            raise ValueError("a fixed baseline needs run_id")
        return self


class AlertRulesIn(CleanInput):
    enabled: bool = True
    baseline: AlertBaselineIn = Field(default_factory=AlertBaselineIn)
    rules: list[AlertRuleIn] = Field(default_factory=list, max_length=6)
    email: bool = Field(default=True, description="Also email the owner each alert.")

    @field_validator("rules")
    @classmethod
    def _one_per_metric(cls, rules: list[AlertRuleIn]) -> list[AlertRuleIn]:
        metrics = [rule.metric for rule in rules]
        if len(set(metrics)) != len(metrics):
            raise ValueError("one rule per metric")
        return rules


class AlertRulesOut(AlertRulesIn):
    schedule_id: str
    updated_at: datetime | None


class AlertEpisodeOut(BaseModel):
    """A regression of one metric: opened by a run, closed (recovered) by a later one."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    metric: MetricName
    baseline: float | None
    value: float | None
    p_value: float | None
    opened_run_id: str
    opened_at: datetime
    muted: bool
    runs: int
    closed_run_id: str | None
    closed_value: float | None
    closed_at: datetime | None


class AlertEpisodePage(BaseModel):
    items: list[AlertEpisodeOut]
    total: int
    limit: int
    offset: int


class MuteIn(CleanInput):
    metric: MetricName
    until: AwareDatetime | None = Field(default=None, description="None: until unmuted.")


class MuteOut(BaseModel):
    metric: MetricName
    until: datetime | None


class AlertsOut(BaseModel):
    """A schedule's episodes (newest first), its open ones and its mutes."""

    open: list[AlertEpisodeOut]
    mutes: list[MuteOut]
    episodes: AlertEpisodePage


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    title: str
    body: str
    link: str | None
    read_at: datetime | None
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int
    limit: int
    offset: int


class UnreadOut(BaseModel):
    unread: int


class MarkReadIn(CleanInput):
    ids: list[ObjectId] = Field(min_length=1, max_length=200)


class MarkedOut(BaseModel):
    marked: int


def check_webhook_url(value: str) -> str:
    """http(s) with a host; no user:password (the URL is sealed in the vault, so a token in its
    path or query is fine, but a login belongs nowhere)."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError("not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError("a webhook URL must not carry a user name or password")
    if parts.fragment:
        raise ValueError("URL must not have a #fragment")
    return url


WebhookUrl = Annotated[str, Field(min_length=8, max_length=2048)]


class WebhookIn(CleanInput):
    name: str = Field(min_length=1, max_length=200)
    url: WebhookUrl
    schedule_id: ObjectId | None = Field(
        default=None, description="Only this schedule's alerts; None: all your schedules'."
    )
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_webhook_url(value)


class WebhookUpdate(CleanInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: WebhookUrl | None = None
    enabled: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_webhook_url(value)


class WebhookOut(BaseModel):
    """An endpoint as shown: its URL's scheme and host only; never its secret."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    url_hint: str
    schedule_id: str | None
    enabled: bool
    created_at: datetime
    secret_rotated_at: datetime


class WebhookSecretOut(WebhookOut):
    """On create and on rotate only: the HMAC secret, shown this once."""

    secret: str


class DeliveryAttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    delivery_id: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    duration_ms: float
    next_retry_at: datetime | None
    created_at: datetime


class DeliveryAttemptPage(BaseModel):
    items: list[DeliveryAttemptOut]
    total: int
    limit: int
    offset: int


class MetricValues(BaseModel):
    """One value per alert metric (None: not measured, e.g. TTFT for an eval run)."""

    ttft_p50: float | None = Field(default=None, description="ms")
    ttft_p95: float | None = Field(default=None, description="ms")
    output_tps: float | None = Field(default=None, description="tokens/s (median)")
    error_rate: float | None = Field(default=None, description="0-1")
    cost: float | None = Field(default=None, description="USD per request (median)")
    score: float | None = Field(default=None, description="tool-eval pass rate, 0-1")


class TrendPointOut(BaseModel):
    """A finished scheduled run and its alert metrics, as the regression check computes them."""

    run_id: str
    kind: Literal["benchmark", "eval"]
    occurrence_at: datetime
    run_number: int | None
    status: str = Field(description="The run's final state: done, failed, cancelled, interrupted.")
    metrics: MetricValues
    checked: bool = Field(description="Whether the regression check has seen this run yet.")
    in_episode: list[MetricName] = Field(
        description="Metrics this run regressed on, or stayed beyond the threshold on while "
        "their episode was open (left out of rolling baselines)."
    )


class TrendOut(BaseModel):
    """A schedule's finished runs (oldest first), the baseline a new run would be compared
    with now, and the metrics with an open episode."""

    schedule_id: str
    kind: Literal["benchmark", "eval"]
    baseline_kind: Literal["rolling", "fixed"]
    baseline_window: int
    baseline_run_id: str | None
    baseline: MetricValues
    open: list[MetricName]
    points: list[TrendPointOut]
