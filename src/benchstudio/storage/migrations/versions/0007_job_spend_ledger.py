"""job_spend: the spend ledger (one row per job; deleting runs leaves it alone)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from benchstudio.storage.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_spend",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("reserved_usd", sa.Float(), nullable=False),
        sa.Column("charged_usd", sa.Float(), nullable=False),
        sa.Column("max_requests", sa.Integer(), nullable=True),
        sa.Column("max_cost_usd", sa.Float(), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job_id"),
    )
    with op.batch_alter_table("job_spend", schema=None) as batch_op:
        batch_op.create_index("ix_job_spend_owner_id_month", ["owner_id", "month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_spend", schema=None) as batch_op:
        batch_op.drop_index("ix_job_spend_owner_id_month")
    op.drop_table("job_spend")
