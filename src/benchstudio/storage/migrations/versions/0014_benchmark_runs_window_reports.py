"""benchmark_runs: the last report of each step window an attempt left open (interrupted)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_windows", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_runs", schema=None) as batch_op:
        batch_op.drop_column("open_windows")
