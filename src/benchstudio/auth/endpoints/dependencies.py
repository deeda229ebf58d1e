"""Auth's FastAPI dependencies, and the `Authenticator` the HTTP kit's caller types ask.

Other domains take `CurrentUser`/`AdminUser` from `benchstudio.http.principal`; the composition
root installs `BearerAuthenticator` on `app.state.authenticator`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from benchstudio.accounts.service import UserCreatedHook
from benchstudio.accounts.service.mailer import Mailer, mailer_from_settings
from benchstudio.auth import service
from benchstudio.auth.domain import Principal
from benchstudio.auth.service import AuthSettings, ClientInfo
from benchstudio.config import Environment, Settings
from benchstudio.core.passwords import Argon2Params, PasswordHasher
from benchstudio.core.tokens import API_TOKEN_PREFIX
from benchstudio.http.client_address import client_ip
from benchstudio.http.dependencies import (
    SettingsDep,
    cached_on_app,
    get_app_settings,
    get_database,
    get_token_keys,
)
from benchstudio.http.principal import unauthenticated
from benchstudio.storage.service_context import ServiceContext

REFRESH_COOKIE = "bs_refresh"
REFRESH_COOKIE_PATH = "/api/auth"


def password_hasher_for(settings: Settings) -> PasswordHasher:
    return PasswordHasher(Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib))


async def get_password_hasher(request: Request, settings: SettingsDep) -> PasswordHasher:
    hasher = cached_on_app(request, "password_hasher", lambda: password_hasher_for(settings))
    assert isinstance(hasher, PasswordHasher)
    return hasher


async def get_mailer(request: Request, settings: SettingsDep) -> Mailer:
    """`app.state.mailer` when set (tests set a capturing one), else from settings."""
    mailer = cached_on_app(request, "mailer", lambda: mailer_from_settings(settings))
    return mailer  # type: ignore[return-value]


async def get_auth_settings(settings: SettingsDep) -> AuthSettings:
    return AuthSettings.of(settings)


async def get_client_info(request: Request) -> ClientInfo:
    return ClientInfo(ip=client_ip(request), user_agent=request.headers.get("user-agent"))


async def get_user_created_hooks(request: Request) -> tuple[UserCreatedHook, ...]:
    """What the composition root runs in each sign-up's unit (`app.state.user_created_hooks`)."""
    return tuple(getattr(request.app.state, "user_created_hooks", ()))


HasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
ClientDep = Annotated[ClientInfo, Depends(get_client_info)]
AuthSettingsDep = Annotated[AuthSettings, Depends(get_auth_settings)]
UserCreatedHooksDep = Annotated[tuple[UserCreatedHook, ...], Depends(get_user_created_hooks)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class BearerAuthenticator:
    """An access JWT or a personal API token in `Authorization: Bearer …`."""

    async def authenticate(self, request: Request) -> Principal:
        raw = _bearer(request)
        if raw is None:
            raise unauthenticated()
        db = await get_database(request)
        keys = await get_token_keys(request, await get_app_settings(request))
        ctx = ServiceContext.system(db)  # nobody is known yet: this call finds out who
        if raw.startswith(API_TOKEN_PREFIX):
            principal = await service.principal_from_api_token(ctx, raw, keys=keys)
        else:
            principal = await service.principal_from_access_token(ctx, raw, keys=keys)
        if principal is None:
            raise unauthenticated("Your session has expired or the token is invalid.")
        return principal


def refresh_cookie_secure(request: Request, settings: Settings) -> bool:
    return settings.env is Environment.PRODUCTION or request.url.scheme == "https"
