"""Authentication input and output shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from benchstudio.accounts.domain import MAX_PASSWORD_CHARS
from benchstudio.accounts.schemas import CleanInput, UserOut

ScopeName = Literal["read", "run", "admin"]


class LoginRequest(CleanInput):
    email: str = Field(max_length=320)
    password: str = Field(max_length=MAX_PASSWORD_CHARS)


class TokenResponse(BaseModel):
    """The access token lives in memory in the web app; the refresh token is a cookie."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name)
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserOut


class ApiTokenCreate(CleanInput):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[ScopeName] = Field(default=["read"], min_length=1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiTokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str = Field(description="First characters, to recognise the token.")
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once. Set it as BENCHSTUDIO_TOKEN for the CLI.")
