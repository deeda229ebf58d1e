"""notifications: mail_due, the schedule notices the alert loop still has to email

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(
            sa.Column("mail_due", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_notifications_mail_due", ["mail_due"])


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_mail_due")
        batch.drop_column("mail_due")
