"""Prompt library tables: entries (the editable head), immutable versions, and usages.

An entry row carries the name, kind and tags; every edit of the text writes a new
`prompt_versions` row, so whatever ran with a version can show exactly that text later.
Built-in entries are code constants (`domain.builtin_prompts`), not rows: `owner_id` is
nullable only so a built-in could be stored one day without a schema change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime


class PromptEntry(Base):
    __tablename__ = "prompt_entries"
    __table_args__ = (Index("ix_prompt_entries_owner_id_updated_at", "owner_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # system | judge | meta | benchmark
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    # The entry (often a built-in) this one was copied from.
    copied_from: Mapped[str | None] = mapped_column(String(32))
    # Deleting archives: runs and reports keep pointing at the versions they used.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PromptVersion(Base):
    """One immutable text of an entry. Benchmark entries use `system_prompt` + `user_prompt`;
    system, judge and meta entries keep their text in `body`."""

    __tablename__ = "prompt_versions"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(ForeignKey("prompt_entries.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    system_prompt: Mapped[str] = mapped_column(Text, default="")
    user_prompt: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PromptUsage(Base):
    """Something that ran with a version (a benchmark run, a judge report, an eval run).

    `entry_id` is no foreign key: built-in entries have no row, and a usage outlives its
    entry's archiving."""

    __tablename__ = "prompt_usages"
    __table_args__ = (Index("ix_prompt_usages_owner_id_entry_id", "owner_id", "entry_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    used_by_kind: Mapped[str] = mapped_column(String(32))
    used_by_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
