"""The key vault table: one encrypted secret bundle per provider row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from benchstudio.core.clock import utcnow
from benchstudio.storage.base import Base, UTCDateTime


class ProviderCredential(Base):
    """Fernet token of `{"provider_id", "api_key", "headers"}`; the id binds it to its row."""

    __tablename__ = "provider_credentials"

    provider_id: Mapped[str] = mapped_column(
        ForeignKey("providers.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    # What the API may show: whether a key is set and its last four characters.
    key_last4: Mapped[str | None] = mapped_column(String(4))
    header_names: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
