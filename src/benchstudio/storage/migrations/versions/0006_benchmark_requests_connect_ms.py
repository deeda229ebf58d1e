"""benchmark_requests.connect_ms: the time a request spent opening its connection

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("connect_ms", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_requests", schema=None) as batch_op:
        batch_op.drop_column("connect_ms")
