"""schedules, schedule_occurrences; schedule metadata on benchmark_runs and eval_runs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from benchstudio.storage.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUN_TABLES = (
    ("benchmark_runs", "ix_benchmark_runs_owner_schedule"),
    ("eval_runs", "ix_eval_runs_owner_id_schedule_id"),
)


def upgrade() -> None:
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("timing", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sa.Text(), nullable=True),
        sa.Column("monthly_budget_usd", sa.Float(), nullable=True),
        sa.Column("pause_after_failures", sa.Integer(), nullable=False),
        sa.Column("keyed_provider_ids", sa.JSON(), nullable=False),
        sa.Column("decided_through", UTCDateTime(timezone=True), nullable=True),
        sa.Column("runs_so_far", sa.Integer(), nullable=False),
        sa.Column("active_since", UTCDateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("finished", sa.String(length=16), nullable=True),
        sa.Column("next_due_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_schedules_enabled_next_due_at", "schedules", ["enabled", "next_due_at"])
    op.create_index("ix_schedules_owner_id_created_at", "schedules", ["owner_id", "created_at"])
    op.create_table(
        "schedule_occurrences",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("occurrence_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("run_number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("catch_up", sa.Boolean(), nullable=False),
        sa.Column("skipped_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("skipped_count", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["schedule_id"], ["schedules.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "occurrence_at"),
    )
    op.create_index("ix_schedule_occurrences_job_id", "schedule_occurrences", ["job_id"])
    for table, index in _RUN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("schedule_id", sa.String(length=32), nullable=True))
            batch_op.add_column(
                sa.Column("schedule_occurrence_at", UTCDateTime(timezone=True), nullable=True)
            )
            batch_op.add_column(sa.Column("schedule_run_number", sa.Integer(), nullable=True))
            batch_op.create_index(index, ["owner_id", "schedule_id"], unique=False)


def downgrade() -> None:
    for table, index in _RUN_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.drop_column("schedule_run_number")
            batch_op.drop_column("schedule_occurrence_at")
            batch_op.drop_column("schedule_id")
    op.drop_index("ix_schedule_occurrences_job_id", table_name="schedule_occurrences")
    op.drop_table("schedule_occurrences")
    op.drop_index("ix_schedules_owner_id_created_at", table_name="schedules")
    op.drop_index("ix_schedules_enabled_next_due_at", table_name="schedules")
    op.drop_table("schedules")
