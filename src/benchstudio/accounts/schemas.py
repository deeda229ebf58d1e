"""Account input and output shapes."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from benchstudio.accounts.domain import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    canonical_email,
    password_problem,
)
from benchstudio.core.input_types import CleanInput, ObjectId, QueryText

__all__ = ["CleanInput", "ObjectId", "QueryText"]

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
Role = Literal["admin", "user"]
Password = Field(min_length=MIN_PASSWORD_CHARS, max_length=MAX_PASSWORD_CHARS)


def normalise_email(value: str) -> str:
    email = canonical_email(value)
    if not EMAIL_RE.match(email) or len(email) > 320:
        raise ValueError("not a valid email address")
    return email


def _acceptable_password(password: str, info: ValidationInfo) -> str:
    email = info.data.get("email")
    if problem := password_problem(password, email if isinstance(email, str) else None):
        raise ValueError(problem)
    return password


class NewUser(CleanInput):
    email: str
    password: str = Password
    role: Role = "user"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return _acceptable_password(value, info)


class Registration(CleanInput):
    email: str = Field(max_length=320)
    password: str = Password
    invite_code: str | None = Field(default=None, max_length=200)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return _acceptable_password(value, info)


class SignupPending(BaseModel):
    """An invite sign-up's answer, the same whether or not the email already had an account."""

    status: Literal["check_email"]
    message: str


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

    @field_validator("new_password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return _acceptable_password(value, info)  # the e-mail check runs in the service


class PasswordResetRequest(CleanInput):
    email: str = Field(max_length=320)


class PasswordResetConfirm(CleanInput):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Password

    @field_validator("new_password")
    @classmethod
    def _password(cls, value: str, info: ValidationInfo) -> str:
        return _acceptable_password(value, info)  # the e-mail check runs in the service


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
