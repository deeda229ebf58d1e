"""experiments; eval_runs.experiment_id and judge_reports.experiment_id (opaque, indexed)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from benchstudio.storage.base import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "experiments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("suite_id", sa.String(length=32), nullable=False),
        sa.Column("suite_name", sa.String(length=200), nullable=False),
        sa.Column("suite_version", sa.Integer(), nullable=False),
        sa.Column("profile", sa.String(length=16), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("baseline_run_id", sa.String(length=32), nullable=True),
        sa.Column("baseline_target", sa.String(length=200), nullable=True),
        sa.Column("archived_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_experiments_owner_id_updated_at", "experiments", ["owner_id", "updated_at"])
    op.create_index("ix_experiments_suite_id", "experiments", ["suite_id"])
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("experiment_id", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_eval_runs_owner_id_experiment_id", ["owner_id", "experiment_id"], unique=False
        )
    with op.batch_alter_table("judge_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("experiment_id", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_judge_reports_owner_id_experiment_id", ["owner_id", "experiment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("judge_reports", schema=None) as batch_op:
        batch_op.drop_index("ix_judge_reports_owner_id_experiment_id")
        batch_op.drop_column("experiment_id")
    with op.batch_alter_table("eval_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_eval_runs_owner_id_experiment_id")
        batch_op.drop_column("experiment_id")
    op.drop_index("ix_experiments_suite_id", table_name="experiments")
    op.drop_index("ix_experiments_owner_id_updated_at", table_name="experiments")
    op.drop_table("experiments")
