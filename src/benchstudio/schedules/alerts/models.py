"""Regression-alert rows: a schedule's alert rules, each scheduled run's check, regression
episodes, mutes, the notification center, webhook endpoints and their delivery log.

A webhook's URL and HMAC secret are sealed in the vault (`ciphertext`); the row keeps only the
URL's scheme and host to show. Deliveries keep the body they send (the notice, no secret) so a
retry signs the same bytes again; attempts record the outcome of each try, never the URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime


class ScheduleAlertRules(Base):
    """A schedule's alert rules (`AlertRulesIn` as JSON): none saved means no alerts."""

    __tablename__ = "schedule_alert_rules"

    schedule_id: Mapped[str] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[str] = mapped_column(String(32), index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleAlertCheck(Base):
    """One finished scheduled run to check (pending), and once checked, what it regressed on
    (a regressed run stays out of later rolling baselines for that metric)."""

    __tablename__ = "schedule_alert_checks"
    __table_args__ = (
        UniqueConstraint("run_id"),
        Index("ix_schedule_alert_checks_status_created_at", "status", "created_at"),
        Index("ix_schedule_alert_checks_schedule_id_created_at", "schedule_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32))
    run_kind: Mapped[str] = mapped_column(String(16))  # benchmark | eval
    run_id: Mapped[str] = mapped_column(String(32))
    run_status: Mapped[str] = mapped_column(String(16))  # the job's final status
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    regressed: Mapped[list[str]] = mapped_column(JSON, default=list)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduleAlertEpisode(Base):
    """A regression episode of one metric: opened by the first regressed run, closed by the
    first run back within the threshold."""

    __tablename__ = "schedule_alert_episodes"
    __table_args__ = (
        Index("ix_schedule_alert_episodes_schedule_id_opened_at", "schedule_id", "opened_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(32))
    metric: Mapped[str] = mapped_column(String(16))
    baseline: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    opened_run_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    muted: Mapped[bool] = mapped_column(Boolean, default=False)  # opened while muted
    runs: Mapped[int] = mapped_column(Integer, default=1)  # regressed runs in the episode
    closed_run_id: Mapped[str | None] = mapped_column(String(32))
    closed_value: Mapped[float | None] = mapped_column(Float)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduleAlertMute(Base):
    __tablename__ = "schedule_alert_mutes"

    schedule_id: Mapped[str] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True
    )
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(32))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """The notification center: one notice for its owner (read once `read_at` is set)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_owner_id_created_at", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A schedule's own notice (a skip, a pause) that the alert loop still has to email: it is
    # written in the dispatcher's or a job's unit, where no mail may be sent.
    mail_due: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), index=True
    )


class WebhookEndpoint(Base):
    """Where alerts are posted: for one schedule, or (schedule_id None) all the owner's."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[str | None] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    url_hint: Mapped[str] = mapped_column(String(300))  # scheme://host[:port] only
    ciphertext: Mapped[str] = mapped_column(Text)  # the vault's seal of the URL and secret
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    secret_rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One notice to post to one endpoint, retried with backoff until delivered or out of
    attempts."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    endpoint_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebhookAttempt(Base):
    """The delivery log: each try's outcome (no URL, no secret, no response body)."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (
        Index("ix_webhook_attempts_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE")
    )
    endpoint_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[float] = mapped_column(Float)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
