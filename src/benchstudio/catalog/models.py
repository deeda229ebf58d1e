"""Per-user configuration: providers, models, prompt templates, parameter sets, defaults.

Providers and models are archived, never deleted through the API: history keeps pointing at
the identity it ran with.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.core.ids import new_id
from benchstudio.storage.base import Base, UTCDateTime

PRICE = Numeric(18, 6)


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    protocol: Mapped[str] = mapped_column(String(32))
    # The demo provider's URL comes from settings at call time (the port may change).
    base_url: Mapped[str] = mapped_column(String(2048))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CatalogModel(Base):
    """A model of one provider. Renaming archives this row and creates its successor."""

    __tablename__ = "catalog_models"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), index=True
    )
    model_id: Mapped[str] = mapped_column(String(256))
    display_name: Mapped[str] = mapped_column(String(200))
    context_window: Mapped[int | None] = mapped_column(Integer)
    max_output_tokens: Mapped[int | None] = mapped_column(Integer)
    # 'chat' | 'embeddings': what the model is called for (embeddings: semantic matching).
    capability: Mapped[str] = mapped_column(String(16), default="chat", server_default="chat")
    # Custom prices in USD per million tokens; None falls back to the bundled price table.
    input_price: Mapped[Decimal | None] = mapped_column(PRICE)
    output_price: Mapped[Decimal | None] = mapped_column(PRICE)
    cached_input_price: Mapped[Decimal | None] = mapped_column(PRICE)
    reasoning_price: Mapped[Decimal | None] = mapped_column(PRICE)
    skipped_params: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_by_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ParameterSet(Base):
    """A named bundle of request parameters (temperature, top_p, …), optionally for one model.

    Called "model profiles" before; the table keeps that name (existing rows stay put)."""

    __tablename__ = "model_profiles"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    model_ref_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_models.id", ondelete="SET NULL")
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class UserDefaults(Base):
    __tablename__ = "user_defaults"

    owner_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    model_ref_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_models.id", ondelete="SET NULL")
    )
    # The default parameter set (the column keeps its name from "model profiles").
    profile_id: Mapped[str | None] = mapped_column(
        ForeignKey("model_profiles.id", ondelete="SET NULL")
    )
    # The default benchmark prompt: an entry of the prompt library (migration 0011 moved the
    # templates there, keeping their ids). A string reference, not an import: catalog sits on
    # a lower floor than prompts.
    prompt_template_id: Mapped[str | None] = mapped_column(
        ForeignKey("prompt_entries.id", ondelete="SET NULL")
    )
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
