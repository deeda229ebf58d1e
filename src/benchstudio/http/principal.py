"""Who is calling, as every router sees it; `benchstudio.auth` supplies the implementation.

    from benchstudio.http.principal import AdminUser, CurrentUser, SessionUser, require_scope

    @router.get("/things")            # any signed-in caller; API tokens need `read`
    async def things(user: CurrentUser) -> ...: user.user_id

    @router.post("/jobs", dependencies=[Depends(require_scope("run"))])

`CurrentUser` checks the scope by method: safe methods need `read`, others `run`.
`SessionUser` refuses API tokens (account and token management). `AdminUser` needs the admin
role and, for API tokens, the `admin` scope. A missing or bad credential is a 401 with
`WWW-Authenticate: Bearer`; a missing scope or role is a 403.

The kit sits below the domains, so it cannot import auth: the composition root puts an
`Authenticator` on `app.state.authenticator`, and the dependencies here ask it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal, Protocol

from fastapi import Depends, HTTPException, Request

from benchstudio.core.errors import PermissionDeniedError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Principal(Protocol):
    """A signed-in caller: a browser session (JWT) or a personal API token."""

    @property
    def user_id(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def scopes(self) -> frozenset[str]: ...

    @property
    def via(self) -> Literal["session", "api_token"]: ...

    @property
    def token_id(self) -> str | None: ...

    @property
    def is_admin(self) -> bool: ...


class Authenticator(Protocol):
    async def authenticate(self, request: Request) -> Principal:
        """The caller behind the request's credential; raises a 401 `HTTPException` if none."""
        ...


def unauthenticated(message: str = "Sign in to continue.") -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def scope_for_method(method: str) -> Literal["read", "run"]:
    """Reading needs `read`; changing one's own data (configuration, jobs) needs `run`."""
    return "read" if method.upper() in SAFE_METHODS else "run"


async def authenticated_principal(request: Request) -> Principal:
    """Whoever the bearer credential belongs to, or 401."""
    authenticator: Authenticator | None = getattr(request.app.state, "authenticator", None)
    if authenticator is None:
        raise RuntimeError("no authenticator installed (the composition root sets one)")
    principal = await authenticator.authenticate(request)
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
