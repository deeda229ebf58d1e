"""prompt library: prompt_entries, prompt_versions, prompt_usages; prompt_templates move in

Every prompt template becomes a `benchmark` entry with the same id (version 1 holds its
system and user prompt), `user_defaults.prompt_template_id` points at the entries, and
`prompt_templates` goes. The downgrade carries the benchmark entries back (latest version).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from benchstudio.core.ids import new_id
from benchstudio.storage.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEMPLATES = sa.table(
    "prompt_templates",
    sa.column("id", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("system_prompt", sa.Text),
    sa.column("user_prompt", sa.Text),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
_ENTRIES = sa.table(
    "prompt_entries",
    sa.column("id", sa.String),
    sa.column("owner_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("tags", sa.JSON),
    sa.column("latest_version", sa.Integer),
    sa.column("copied_from", sa.String),
    sa.column("archived", sa.Boolean),
    sa.column("created_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
_VERSIONS = sa.table(
    "prompt_versions",
    sa.column("id", sa.String),
    sa.column("entry_id", sa.String),
    sa.column("version", sa.Integer),
    sa.column("system_prompt", sa.Text),
    sa.column("user_prompt", sa.Text),
    sa.column("body", sa.Text),
    sa.column("note", sa.Text),
    sa.column("created_by", sa.String),
    sa.column("created_at", UTCDateTime()),
)
_OLD_FK = "fk_user_defaults_prompt_template_id_prompt_templates"
_NEW_FK = "fk_user_defaults_prompt_template_id_prompt_entries"


def _create_tables() -> None:
    op.create_table(
        "prompt_entries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("copied_from", sa.String(length=32), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_prompt_entries_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_entries")),
    )
    op.create_index(
        "ix_prompt_entries_owner_id_updated_at", "prompt_entries", ["owner_id", "updated_at"]
    )
    op.create_table(
        "prompt_versions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("user_prompt", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["prompt_entries.id"],
            name=op.f("fk_prompt_versions_entry_id_prompt_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_versions")),
        sa.UniqueConstraint("entry_id", "version", name=op.f("uq_prompt_versions_entry_id")),
    )
    op.create_table(
        "prompt_usages",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("entry_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("used_by_kind", sa.String(length=32), nullable=False),
        sa.Column("used_by_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_prompt_usages_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_usages")),
    )
    op.create_index("ix_prompt_usages_owner_id_entry_id", "prompt_usages", ["owner_id", "entry_id"])


def _copy_templates_in() -> None:
    rows = op.get_bind().execute(sa.select(_TEMPLATES)).mappings().all()
    if not rows:
        return
    op.bulk_insert(
        _ENTRIES,
        [
            {
                "id": r["id"],
                "owner_id": r["owner_id"],
                "kind": "benchmark",
                "name": r["name"],
                "description": r["description"],
                "tags": [],
                "latest_version": 1,
                "copied_from": None,
                "archived": False,
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
            for r in rows
        ],
    )
    op.bulk_insert(
        _VERSIONS,
        [
            {
                "id": new_id(),
                "entry_id": r["id"],
                "version": 1,
                "system_prompt": r["system_prompt"],
                "user_prompt": r["user_prompt"],
                "body": "",
                "note": "Moved from the prompt templates.",
                "created_by": r["owner_id"],
                "created_at": r["updated_at"],
            }
            for r in rows
        ],
    )


def _retarget_defaults(old_fk: str, new_fk: str, table: str) -> None:
    with op.batch_alter_table("user_defaults", schema=None) as batch_op:
        batch_op.drop_constraint(old_fk, type_="foreignkey")
        batch_op.create_foreign_key(
            new_fk, table, ["prompt_template_id"], ["id"], ondelete="SET NULL"
        )


def upgrade() -> None:
    _create_tables()
    _copy_templates_in()
    _retarget_defaults(_OLD_FK, _NEW_FK, "prompt_entries")
    with op.batch_alter_table("prompt_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prompt_templates_owner_id"))
    op.drop_table("prompt_templates")


def _create_templates_table() -> None:
    op.create_table(
        "prompt_templates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("system_prompt", sa.Text(), nullable=False),
        sa.Column("user_prompt", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_prompt_templates_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_templates")),
    )
    with op.batch_alter_table("prompt_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prompt_templates_owner_id"), ["owner_id"], unique=False
        )


def _copy_templates_out() -> None:
    """Every owned benchmark entry at its latest version (other kinds had no table before)."""
    latest = sa.and_(
        _VERSIONS.c.entry_id == _ENTRIES.c.id,
        _VERSIONS.c.version == _ENTRIES.c.latest_version,
    )
    query = (
        sa.select(_ENTRIES, _VERSIONS.c.system_prompt, _VERSIONS.c.user_prompt)
        .select_from(_ENTRIES.join(_VERSIONS, latest))
        .where(_ENTRIES.c.kind == "benchmark", _ENTRIES.c.owner_id.is_not(None))
    )
    rows = op.get_bind().execute(query).mappings().all()
    if rows:
        columns = ("id", "owner_id", "name", "description", "system_prompt", "user_prompt")
        op.bulk_insert(
            _TEMPLATES,
            [
                {
                    **{c: r[c] for c in columns},
                    "created_at": r["created_at"],
                    "updated_at": r["updated_at"],
                }
                for r in rows
            ],
        )
    # Defaults that name anything else (no table to point at) are cleared.
    op.execute(
        "UPDATE user_defaults SET prompt_template_id = NULL WHERE prompt_template_id IS NOT "
        "NULL AND prompt_template_id NOT IN (SELECT id FROM prompt_templates)"
    )


def downgrade() -> None:
    _create_templates_table()
    _copy_templates_out()
    _retarget_defaults(_NEW_FK, _OLD_FK, "prompt_templates")
    op.drop_index("ix_prompt_usages_owner_id_entry_id", table_name="prompt_usages")
    op.drop_table("prompt_usages")
    op.drop_table("prompt_versions")
    op.drop_index("ix_prompt_entries_owner_id_updated_at", table_name="prompt_entries")
    op.drop_table("prompt_entries")
