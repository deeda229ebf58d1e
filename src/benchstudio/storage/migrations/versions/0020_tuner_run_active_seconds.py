"""tuner_runs: active_s, the seconds the run's study has been running, summed over resumes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 14:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tuner_runs") as batch:
        batch.add_column(sa.Column("active_s", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("tuner_runs") as batch:
        batch.drop_column("active_s")
