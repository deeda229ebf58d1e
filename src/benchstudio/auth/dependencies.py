"""FastAPI dependencies for authentication; other domains import them from here.

    from benchstudio.auth.dependencies import AdminUser, CurrentUser, SessionUser, require_scope

    @router.get("/things")            # any signed-in caller; API tokens need `read`
    async def things(user: CurrentUser) -> ...: user.user_id

    @router.post("/jobs", dependencies=[Depends(require_scope("run"))])

`CurrentUser` checks the scope by method: safe methods need `read`, others `run`.
`SessionUser` refuses API tokens (account and token management). `AdminUser` needs the admin
role and, for API tokens, the `admin` scope. A missing or bad credential is a 401 with
`WWW-Authenticate: Bearer`; a missing scope or role is a 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from benchstudio.accounts.mailer import Mailer, mailer_from_settings
from benchstudio.api.deps import DatabaseDep, SettingsDep
from benchstudio.auth import service
from benchstudio.auth.domain import Principal, scope_for_method
from benchstudio.auth.service import ClientInfo
from benchstudio.auth.tokens import API_TOKEN_PREFIX, TokenKeys
from benchstudio.config import Environment, Settings
from benchstudio.core.errors import PermissionDeniedError
from benchstudio.core.passwords import Argon2Params, PasswordHasher

REFRESH_COOKIE = "bs_refresh"
REFRESH_COOKIE_PATH = "/api/auth"


def _cached(request: Request, name: str, build: Callable[[], object]) -> object:
    value = getattr(request.app.state, name, None)
    if value is None:
        value = build()
        setattr(request.app.state, name, value)
    return value


async def get_token_keys(request: Request, settings: SettingsDep) -> TokenKeys:
    keys = _cached(request, "token_keys", lambda: TokenKeys(settings.secret_key.get_secret_value()))
    assert isinstance(keys, TokenKeys)
    return keys


def password_hasher_for(settings: Settings) -> PasswordHasher:
    return PasswordHasher(Argon2Params(settings.argon2_time_cost, settings.argon2_memory_kib))


async def get_password_hasher(request: Request, settings: SettingsDep) -> PasswordHasher:
    hasher = _cached(request, "password_hasher", lambda: password_hasher_for(settings))
    assert isinstance(hasher, PasswordHasher)
    return hasher


async def get_mailer(request: Request, settings: SettingsDep) -> Mailer:
    """`app.state.mailer` when set (tests set a capturing one), else from settings."""
    mailer = _cached(request, "mailer", lambda: mailer_from_settings(settings))
    return mailer  # type: ignore[return-value]


async def get_client_info(request: Request) -> ClientInfo:
    ip = request.client.host if request.client else None
    return ClientInfo(ip=ip, user_agent=request.headers.get("user-agent"))


TokenKeysDep = Annotated[TokenKeys, Depends(get_token_keys)]
HasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
ClientDep = Annotated[ClientInfo, Depends(get_client_info)]


def _unauthenticated(message: str = "Sign in to continue.") -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def authenticated_principal(
    request: Request, db: DatabaseDep, keys: TokenKeysDep
) -> Principal:
    """Whoever the bearer credential belongs to, or 401."""
    raw = _bearer(request)
    if raw is None:
        raise _unauthenticated()
    if raw.startswith(API_TOKEN_PREFIX):
        principal = await service.principal_from_api_token(db, keys, raw)
    else:
        principal = await service.principal_from_access_token(db, keys, raw)
    if principal is None:
        raise _unauthenticated("Your session has expired or the token is invalid.")
    request.state.principal = principal
    return principal


Authenticated = Annotated[Principal, Depends(authenticated_principal)]


def _need(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise PermissionDeniedError(
            f"This token lacks the '{scope}' scope.", code="insufficient_scope"
        )


async def current_user(request: Request, principal: Authenticated) -> Principal:
    _need(principal, scope_for_method(request.method))
    return principal


async def session_user(principal: Authenticated) -> Principal:
    if principal.via != "session":
        raise PermissionDeniedError(
            "This needs a signed-in session, not an API token.", code="session_required"
        )
    return principal


def require_scope(*scopes: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that needs every scope in `scopes` (sessions hold all their role allows)."""

    async def check(principal: Authenticated) -> Principal:
        for scope in scopes:
            _need(principal, scope)
        return principal

    return check


async def require_admin(principal: Authenticated) -> Principal:
    if not principal.is_admin:
        raise PermissionDeniedError("Admins only.", code="admin_required")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]
SessionUser = Annotated[Principal, Depends(session_user)]
AdminUser = Annotated[Principal, Depends(require_admin)]


def refresh_cookie_secure(request: Request, settings: Settings) -> bool:
    return settings.env is Environment.PRODUCTION or request.url.scheme == "https"
