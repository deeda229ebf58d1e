"""catalog_models.capability: 'chat' | 'embeddings' (semantic argument matching)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_models", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("capability", sa.String(length=16), nullable=False, server_default="chat")
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_models", schema=None) as batch_op:
        batch_op.drop_column("capability")
