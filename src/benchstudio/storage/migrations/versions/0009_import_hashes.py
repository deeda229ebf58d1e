"""eval_suites.import_hash and benchmark_runs.import_hash: importing the same file twice is
noticed (per owner) instead of silently duplicating

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("eval_suites", "benchmark_runs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("import_hash", sa.String(64), nullable=True))
            batch_op.create_index(f"ix_{table}_owner_import_hash", ["owner_id", "import_hash"])


def downgrade() -> None:
    for table in ("benchmark_runs", "eval_suites"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_owner_import_hash")
            batch_op.drop_column("import_hash")
