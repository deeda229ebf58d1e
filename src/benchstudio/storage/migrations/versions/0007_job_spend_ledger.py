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
    _backfill_benchmark_spend()


def _backfill_benchmark_spend() -> None:
    """Benchmarks run before the ledger keep counting: each run's stored cost, settled, in the
    month it was created (the spend used to be summed from these rows)."""
    runs = sa.table(
        "benchmark_runs",
        sa.column("job_id", sa.String),
        sa.column("owner_id", sa.String),
        sa.column("cost_usd", sa.Float),
        sa.column("created_at", UTCDateTime(timezone=True)),
    )
    query = sa.select(runs.c.job_id, runs.c.owner_id, runs.c.cost_usd, runs.c.created_at).where(
        runs.c.job_id.is_not(None), runs.c.cost_usd.is_not(None)
    )
    entries: dict[str, dict[str, object]] = {}
    for job_id, owner_id, cost, created in op.get_bind().execute(query):
        entries[job_id] = {
            "job_id": job_id,
            "owner_id": owner_id,
            "month": f"{created.year:04d}-{created.month:02d}",
            "reserved_usd": 0.0,
            "charged_usd": float(cost),
            "max_requests": None,
            "max_cost_usd": None,
            "settled": True,
            "created_at": created,
            "settled_at": created,
        }
    if entries:
        ledger = sa.table(
            "job_spend",
            sa.column("job_id", sa.String),
            sa.column("owner_id", sa.String),
            sa.column("month", sa.String),
            sa.column("reserved_usd", sa.Float),
            sa.column("charged_usd", sa.Float),
            sa.column("max_requests", sa.Integer),
            sa.column("max_cost_usd", sa.Float),
            sa.column("settled", sa.Boolean),
            sa.column("created_at", UTCDateTime(timezone=True)),
            sa.column("settled_at", UTCDateTime(timezone=True)),
        )
        op.bulk_insert(ledger, list(entries.values()))


def downgrade() -> None:
    with op.batch_alter_table("job_spend", schema=None) as batch_op:
        batch_op.drop_index("ix_job_spend_owner_id_month")
    op.drop_table("job_spend")
