"""A user's saved search-space presets: create, rename or replace, delete, list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.core.input_types import CleanInput
from benchstudio.tuning.schemas.space import SearchSpaceIn


class SpacePresetIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2_000)
    space: SearchSpaceIn


class SpacePresetUpdate(CleanInput):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2_000)
    space: SearchSpaceIn | None = None


class SpacePresetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    description: str
    space: dict[str, Any]
    created_at: datetime
    updated_at: datetime
