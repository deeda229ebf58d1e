"""benchmark_run_targets: the parameter set each target ran with (id, name, applied values)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_run_targets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parameter_set_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("parameter_set_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("parameter_set_params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_run_targets", schema=None) as batch_op:
        batch_op.drop_column("parameter_set_params")
        batch_op.drop_column("parameter_set_name")
        batch_op.drop_column("parameter_set_id")
