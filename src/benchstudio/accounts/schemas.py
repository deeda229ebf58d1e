"""Account input and output shapes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
Role = Literal["admin", "user"]


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValueError("not a valid email address")
    return email


class NewUser(BaseModel):
    email: str
    password: str = Field(min_length=8, max_length=4096)
    role: Role = "user"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    role: Role
    is_active: bool
    created_at: datetime
