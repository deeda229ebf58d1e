"""Account input and output shapes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from benchstudio.accounts.domain import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS

# Row ids in paths and filters: what `core.ids.new_id` produces, and nothing PostgreSQL rejects.
ObjectId = Annotated[
    str, StringConstraints(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
]
# Free text in query strings: anything but NUL (PostgreSQL cannot store or compare it).
QueryText = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^\x00]*$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class CleanInput(BaseModel):
    """Request bodies: refuse NUL characters anywhere (a 422, not a database error)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        if _has_nul(data):
            raise ValueError("text must not contain NUL characters")
        return data


EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
Role = Literal["admin", "user"]
Password = Field(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValueError("not a valid email address")
    return email


class NewUser(CleanInput):
    email: str
    password: str = Password
    role: Role = "user"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)


class Registration(CleanInput):
    email: str = Field(max_length=320)
    password: str = Password
    invite_code: str | None = Field(default=None, max_length=200)

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


class UserSummary(UserOut):
    last_login_at: datetime | None


class PasswordChange(CleanInput):
    current_password: str = Field(max_length=MAX_PASSWORD_CHARS)
    new_password: str = Password


class PasswordResetRequest(CleanInput):
    email: str = Field(max_length=320)


class PasswordResetConfirm(CleanInput):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Password


class InviteCreate(CleanInput):
    email: str | None = Field(default=None, max_length=320)
    expires_in_days: int = Field(default=7, ge=1, le=90)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value is not None else None


class InviteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


class InviteCreated(InviteOut):
    code: str = Field(description="Shown once; give it to the invitee.")
