"""schedule alert rules, checks, episodes, mutes; notifications; webhooks and their log

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 07:57:27.486027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import benchstudio.storage.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("read_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_notifications_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_owner_id_created_at", ["owner_id", "created_at"], unique=False
        )

    op.create_table(
        "schedule_alert_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("run_kind", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("run_status", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("regressed", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("checked_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_alert_checks_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_alert_checks")),
        sa.UniqueConstraint("run_id", name=op.f("uq_schedule_alert_checks_run_id")),
    )
    with op.batch_alter_table("schedule_alert_checks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_alert_checks_schedule_id_created_at",
            ["schedule_id", "created_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_schedule_alert_checks_status_created_at", ["status", "created_at"], unique=False
        )

    op.create_table(
        "schedule_alert_episodes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("p_value", sa.Float(), nullable=True),
        sa.Column("opened_run_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("muted", sa.Boolean(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("closed_run_id", sa.String(length=32), nullable=True),
        sa.Column("closed_value", sa.Float(), nullable=True),
        sa.Column("closed_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_alert_episodes_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_alert_episodes")),
    )
    with op.batch_alter_table("schedule_alert_episodes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_schedule_alert_episodes_schedule_id_opened_at",
            ["schedule_id", "opened_at"],
            unique=False,
        )

    op.create_table(
        "schedule_alert_mutes",
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("until", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_alert_mutes_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("schedule_id", "metric", name=op.f("pk_schedule_alert_mutes")),
    )
    op.create_table(
        "schedule_alert_rules",
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column(
            "updated_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_alert_rules_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("schedule_id", name=op.f("pk_schedule_alert_rules")),
    )
    with op.batch_alter_table("schedule_alert_rules", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_alert_rules_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url_hint", sa.String(length=300), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "secret_rotated_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_webhook_endpoints_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_webhook_endpoints_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("endpoint_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_status_next_attempt_at",
            ["status", "next_attempt_at"],
            unique=False,
        )

    op.create_table(
        "webhook_attempts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("delivery_id", sa.String(length=32), nullable=False),
        sa.Column("endpoint_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column(
            "next_retry_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "created_at", benchstudio.storage.base.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_attempts_endpoint_id_created_at",
            ["endpoint_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_attempts_endpoint_id_created_at")

    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_endpoint_id"))

    op.drop_table("webhook_deliveries")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_owner_id"))

    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("schedule_alert_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_alert_rules_owner_id"))

    op.drop_table("schedule_alert_rules")
    op.drop_table("schedule_alert_mutes")
    with op.batch_alter_table("schedule_alert_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_alert_episodes_schedule_id_opened_at")

    op.drop_table("schedule_alert_episodes")
    with op.batch_alter_table("schedule_alert_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_schedule_alert_checks_status_created_at")
        batch_op.drop_index("ix_schedule_alert_checks_schedule_id_created_at")

    op.drop_table("schedule_alert_checks")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_owner_id_created_at")

    op.drop_table("notifications")
