"""`/api/auth/*` and `/api/users/me`: sign-up, sessions, passwords, personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.responses import JSONResponse

from benchstudio.accounts import service as accounts
from benchstudio.accounts.schemas import (
    ObjectId,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    Registration,
    SignupPending,
    UserOut,
)
from benchstudio.auth import service
from benchstudio.auth.endpoints.dependencies import (
    REFRESH_COOKIE,
    REFRESH_COOKIE_PATH,
    AuthSettingsDep,
    ClientDep,
    HasherDep,
    MailerDep,
    UserCreatedHooksDep,
    refresh_cookie_secure,
)
from benchstudio.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenOut,
    LoginRequest,
    TokenResponse,
)
from benchstudio.auth.service import IssuedSession
from benchstudio.config import Settings
from benchstudio.core.errors import AuthenticationError
from benchstudio.http.dependencies import DatabaseDep, SettingsDep, TokenKeysDep
from benchstudio.http.principal import SessionUser
from benchstudio.http.service_context import OwnerContext, SessionOwnerContext
from benchstudio.storage.service_context import ServiceContext

router = APIRouter(tags=["auth"])


def _respond(
    issued: IssuedSession, request: Request, response: Response, settings: Settings
) -> TokenResponse:
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=settings.refresh_token_ttl_s,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=refresh_cookie_secure(request, settings),
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenResponse(
        access_token=issued.access_token, expires_in=issued.expires_in, user=issued.user
    )


def _clear_cookie(request: Request, response: Response, settings: Settings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=refresh_cookie_secure(request, settings),
    )


@router.post(
    "/auth/register",
    response_model=TokenResponse,
    status_code=201,
    responses={
        202: {
            "model": SignupPending,
            "description": "Invite sign-up: check your e-mail (whether or not it had an account)",
        }
    },
)
async def register(
    data: Registration,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    db: DatabaseDep,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: HasherDep,
    keys: TokenKeysDep,
    mailer: MailerDep,
    client: ClientDep,
    on_created: UserCreatedHooksDep,
) -> TokenResponse | JSONResponse:
    """Create an account (as the sign-up policy allows). Open sign-up signs in at once (201);
    with an invite the answer is 202 "check your e-mail", also when the email had an account
    (its owner gets a mail), so nobody learns who has one."""
    ctx = ServiceContext.system(db)
    await service.count_anonymous_attempt(ctx, "register", client.ip, settings=auth_settings)
    outcome = await accounts.register(
        ctx,
        data,
        hasher=hasher,
        keys=keys,
        policy=settings.effective_signup_policy,
        link_base=settings.link_base,
        on_created=on_created,
    )
    if outcome.mail is not None:
        background.add_task(mailer.send, outcome.mail)
    if outcome.user is None:
        pending = SignupPending(
            status="check_email",
            message="Check your e-mail: we sent what to do next to the address you gave.",
        )
        return JSONResponse(pending.model_dump(), status_code=202, background=background)
    state = await accounts.get_user_state(ctx, outcome.user.id)
    assert state is not None
    issued = await service.issue_session(ctx, state, client, keys=keys, settings=auth_settings)
    return _respond(issued, request, response, settings)


@router.post("/auth/login", response_model=TokenResponse)
async def login(
    data: LoginRequest,
    request: Request,
    response: Response,
    db: DatabaseDep,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: HasherDep,
    keys: TokenKeysDep,
    mailer: MailerDep,
    client: ClientDep,
) -> TokenResponse:
    issued = await service.login(
        ServiceContext.system(db),
        email=data.email,
        password=data.password,
        client=client,
        hasher=hasher,
        keys=keys,
        settings=auth_settings,
        mailer=mailer,
    )
    return _respond(issued, request, response, settings)


@router.post("/auth/refresh", response_model=TokenResponse)
async def refresh(
    request: Request,
    response: Response,
    db: DatabaseDep,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    keys: TokenKeysDep,
    client: ClientDep,
) -> TokenResponse:
    """Rotate the refresh cookie and return a new access token."""
    raw = request.cookies.get(REFRESH_COOKIE)
    if not raw:
        raise AuthenticationError("No session; sign in.", code="invalid_refresh_token")
    issued = await service.refresh(
        ServiceContext.system(db), raw, client, keys=keys, settings=auth_settings
    )
    return _respond(issued, request, response, settings)


@router.post("/auth/logout", status_code=204)
async def logout(
    request: Request, db: DatabaseDep, settings: SettingsDep, keys: TokenKeysDep
) -> Response:
    """End this browser's session (no access token needed; idempotent)."""
    await service.logout(ServiceContext.system(db), request.cookies.get(REFRESH_COOKIE), keys=keys)
    response = Response(status_code=204)
    _clear_cookie(request, response, settings)
    return response


@router.post("/auth/logout-all", status_code=204)
async def logout_all(request: Request, ctx: SessionOwnerContext, settings: SettingsDep) -> Response:
    """End every session of this account, on every device, and revoke its personal API tokens."""
    await service.logout_everywhere(ctx)
    response = Response(status_code=204)
    _clear_cookie(request, response, settings)
    return response


@router.post("/auth/password", response_model=TokenResponse)
async def change_password(
    data: PasswordChange,
    request: Request,
    response: Response,
    ctx: SessionOwnerContext,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    hasher: HasherDep,
    keys: TokenKeysDep,
    client: ClientDep,
) -> TokenResponse:
    """Change the password; every session and personal API token ends, and this session gets
    fresh tokens."""
    await accounts.change_password(
        ctx,
        data.current_password,
        data.new_password,
        client.ip,
        hasher=hasher,
        on_revoked=(service.revoke_api_tokens_in,),
    )
    state = await accounts.get_user_state(ctx, ctx.require_owner())
    assert state is not None
    issued = await service.issue_session(ctx, state, client, keys=keys, settings=auth_settings)
    return _respond(issued, request, response, settings)


@router.post("/auth/password-reset/request", status_code=202, response_class=Response)
async def request_password_reset(
    data: PasswordResetRequest,
    background: BackgroundTasks,
    db: DatabaseDep,
    settings: SettingsDep,
    auth_settings: AuthSettingsDep,
    keys: TokenKeysDep,
    mailer: MailerDep,
    client: ClientDep,
) -> Response:
    """Mail a reset link valid 30 minutes. Always 202, answered before the account is even
    looked up (the lookup and the mail run after the answer): nobody learns who has an account,
    from the answer or from its timing."""
    ctx = ServiceContext.system(db)
    await service.count_anonymous_attempt(ctx, "reset_request", client.ip, settings=auth_settings)
    background.add_task(
        accounts.request_password_reset,
        ctx,
        keys=keys,
        mailer=mailer,
        email=data.email,
        link_base=settings.link_base,
        ttl_s=settings.password_reset_ttl_s,
        ip=client.ip,
    )
    return Response(status_code=202, background=background)


@router.post("/auth/password-reset/confirm", status_code=204)
async def confirm_password_reset(
    data: PasswordResetConfirm,
    db: DatabaseDep,
    auth_settings: AuthSettingsDep,
    hasher: HasherDep,
    keys: TokenKeysDep,
    client: ClientDep,
) -> Response:
    """Set a new password with the emailed token (checked before the password is hashed)."""
    ctx = ServiceContext.system(db)
    await service.count_anonymous_attempt(ctx, "reset_confirm", client.ip, settings=auth_settings)
    await accounts.confirm_password_reset(
        ctx,
        data.token,
        data.new_password,
        hasher=hasher,
        keys=keys,
        on_revoked=(service.revoke_api_tokens_in,),
    )
    return Response(status_code=204)


@router.get("/auth/tokens", response_model=list[ApiTokenOut])
async def list_tokens(ctx: SessionOwnerContext) -> list[ApiTokenOut]:
    return await service.list_api_tokens(ctx)


@router.post("/auth/tokens", response_model=ApiTokenCreated, status_code=201)
async def create_token(
    data: ApiTokenCreate, ctx: SessionOwnerContext, user: SessionUser, keys: TokenKeysDep
) -> ApiTokenCreated:
    """Create a personal API token; its value is shown only in this response."""
    return await service.create_api_token(ctx, data, role=user.role, keys=keys)


@router.delete("/auth/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: ObjectId, ctx: SessionOwnerContext) -> Response:
    await service.revoke_api_token(ctx, token_id)
    return Response(status_code=204)


@router.get("/users/me", response_model=UserOut)
async def me(ctx: OwnerContext) -> UserOut:
    return await accounts.get_user(ctx, ctx.require_owner())
