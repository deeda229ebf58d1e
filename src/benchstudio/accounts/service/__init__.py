"""Account use cases: users, registration under the sign-up policy, invites, password reset.

Sessions live in `benchstudio.auth`; revoking them all is a bump of the user's
`token_version`, which every access token and refresh family carries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts import repository
from benchstudio.accounts.domain import (
    SignupPolicy,
    canonical_email,
    decide_signup,
    password_problem,
)
from benchstudio.accounts.models import Invite, PasswordResetToken, User
from benchstudio.accounts.schemas import (
    InviteCreate,
    InviteCreated,
    InviteOut,
    NewUser,
    Registration,
    UserOut,
    UserSummary,
)
from benchstudio.accounts.service.hashing import BoundedHasher
from benchstudio.accounts.service.mailer import Mailer, OutgoingMail
from benchstudio.accounts.service.user_state_cache import UserStateCache
from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import (
    AppError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from benchstudio.core.passwords import PasswordHasher
from benchstudio.core.tokens import TokenKeys, new_opaque_token
from benchstudio.storage.service_context import ServiceContext

# Seconds another API replica may keep accepting a token its user has just lost (see the cache).
USER_STATE_TTL_S = 5.0

# Runs inside the new user's creation unit (session, user id): the composition root registers
# the demo-provider seeding here, so accounts need not know the catalog.
UserCreatedHook = Callable[[AsyncSession, str], Awaitable[None]]
# Runs in the unit that revokes a user's sessions (password change or reset, logout everywhere),
# given the context joined to that unit and the user id: auth passes the revocation of the
# user's personal API tokens, which accounts does not know.
CredentialsRevokedHook = Callable[[ServiceContext, str], Awaitable[None]]


@dataclass(frozen=True)
class UserState:
    """What authentication needs to know about a user on every request."""

    id: str
    email: str
    role: str
    is_active: bool
    token_version: int


def _state(user: User) -> UserState:
    return UserState(user.id, user.email, user.role, user.is_active, user.token_version)


_user_states: UserStateCache[UserState] = UserStateCache(USER_STATE_TTL_S, max_entries=10_000)


async def create_user(
    ctx: ServiceContext,
    new_user: NewUser,
    *,
    hasher: PasswordHasher,
    invite_code_hash: str | None = None,
    self_service: bool = False,
    on_created: Sequence[UserCreatedHook] = (),
) -> UserOut:
    """Create a user; the first user of an instance always becomes admin.

    The invite and the email are checked before the password is hashed (no Argon2 work for a
    request that fails anyway), and again in the writing unit. `ctx.actor_id` is who creates it
    (an admin, or None for the command line); a self-service sign-up is its own actor.
    """
    async with ctx.read() as session:
        await _check_new_user(session, new_user.email, invite_code_hash)
    password_hash = await BoundedHasher(hasher).hash(new_user.password)
    async with ctx.unit() as session:
        invite = await _check_new_user(session, new_user.email, invite_code_hash)
        role = "admin" if await repository.count_users(session) == 0 else new_user.role
        user = repository.add_user(session, new_user.email, password_hash, role)
        await session.flush()
        if invite is not None:
            invite.used_at, invite.used_by = utcnow(), user.id
        for hook in on_created:
            await hook(session, user.id)
        audit.record(
            session,
            "user.created",
            actor_id=user.id if self_service else ctx.actor_id,
            target=user.id,
            detail={"role": role, "invited": invite is not None},
        )
        return UserOut.model_validate(user)


async def _check_new_user(
    session: AsyncSession, email: str, invite_code_hash: str | None
) -> Invite | None:
    """The invite to use up (checked first: a bad one answers alike for every email)."""
    invite = None
    if invite_code_hash is not None:
        invite = await _usable_invite(session, invite_code_hash, email)
    if await repository.get_by_email(session, email) is not None:
        raise ConflictError("A user with this email already exists.", code="email_taken")
    return invite


async def _usable_invite(session: AsyncSession, code_hash: str, email: str) -> Invite:
    invite = await repository.get_invite_by_hash(session, code_hash)
    if (
        invite is None
        or invite.used_at is not None
        or invite.expires_at <= utcnow()
        or (invite.email is not None and invite.email != email)
    ):
        raise PermissionDeniedError("This invite code is not valid.", code="invalid_invite")
    return invite


@dataclass(frozen=True)
class SignupOutcome:
    """What a sign-up answers: the new user, signed in at once (open sign-up), or nothing to say
    but "check your e-mail" (invite sign-up, whether or not the email had an account) and a mail
    to send off the request path."""

    user: UserOut | None
    mail: OutgoingMail | None = None


async def register(
    ctx: ServiceContext,
    data: Registration,
    *,
    hasher: PasswordHasher,
    keys: TokenKeys,
    policy: SignupPolicy,
    link_base: str,
    on_created: Sequence[UserCreatedHook] = (),
) -> SignupOutcome:
    """Self-service sign-up, as the operator's policy allows.

    With an invite (the production default) nothing tells whether the email had an account: the
    invite is checked first (any bad one: the same 403), then a taken email uses up the invite
    and mails its owner, a free one gets the account, and both answer "check your e-mail".
    """
    decision = decide_signup(policy, has_invite=bool(data.invite_code))
    if not decision.allowed:
        raise PermissionDeniedError(decision.reason, code="signup_not_allowed")
    new_user = NewUser(email=data.email, password=data.password)
    if not (decision.needs_invite and data.invite_code):
        user = await create_user(
            ctx, new_user, hasher=hasher, self_service=True, on_created=on_created
        )
        return SignupOutcome(user)
    code_hash = keys.hash_token(data.invite_code)
    try:
        user = await create_user(
            ctx,
            new_user,
            hasher=hasher,
            invite_code_hash=code_hash,
            self_service=True,
            on_created=on_created,
        )
    except ConflictError:
        return SignupOutcome(
            None, await _invite_for_taken_email(ctx, code_hash, data.email, link_base)
        )
    return SignupOutcome(None, _welcome_mail(user.email, link_base))


async def _invite_for_taken_email(
    ctx: ServiceContext, code_hash: str, email: str, link_base: str
) -> OutgoingMail:
    """Use the invite up (one probe per invite) and tell the account's owner."""
    async with ctx.unit() as session:
        invite = await _usable_invite(session, code_hash, email)
        invite.used_at = utcnow()
        owner = await repository.get_by_email(session, email)
        audit.record(
            session,
            "user.signup_email_taken",
            actor_id=None,
            target=owner.id if owner else None,
            detail={"invite": invite.id},
        )
    base = link_base.rstrip("/")
    return OutgoingMail(
        to=email,
        subject="Someone tried to sign up to BenchStudio with your e-mail",
        body=(
            f"Someone used an invite code to sign up to BenchStudio as {email}, but this address "
            "already has an account, so nothing was created and the invite is used up.\n\n"
            f"If it was you, sign in at {base}/sign-in, or choose a new password at "
            f"{base}/forgot-password.\n\n"
            "If it was not you, ignore this mail: your account is unchanged."
        ),
    )


def _welcome_mail(email: str, link_base: str) -> OutgoingMail:
    return OutgoingMail(
        to=email,
        subject="Your BenchStudio account is ready",
        body=(
            f"Your BenchStudio account {email} is ready.\n\n"
            f"Sign in at {link_base.rstrip('/')}/sign-in with the password you chose."
        ),
    )


async def verify_credentials(
    ctx: ServiceContext, email: str, password: str, *, hasher: PasswordHasher
) -> UserState | None:
    """The user when email and password match (active or not), else None. Rehashes on login."""
    bounded = BoundedHasher(hasher)
    async with ctx.read() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        stored = user.password_hash if user else None
        state = _state(user) if user else None
    if stored is None or state is None:
        await bounded.verify_nothing()
        return None
    valid, new_hash = await bounded.verify(password, stored)
    if not valid:
        return None
    if new_hash is not None:
        async with ctx.unit() as session:
            fresh = await repository.get_by_id(session, state.id)
            if fresh is not None and fresh.password_hash == stored:
                fresh.password_hash = new_hash
    return state


async def active_email_owner(ctx: ServiceContext, email: str) -> str | None:
    """The stored address of the active account with this e-mail, if any (for notices)."""
    async with ctx.read() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        return user.email if user is not None and user.is_active else None


async def get_user_state(ctx: ServiceContext, user_id: str) -> UserState | None:
    cached = _user_states.get(user_id)
    if cached is not None:
        return cached
    generation = _user_states.generation()
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        state = _state(user) if user else None
    if state is not None:
        _user_states.put(user_id, state, generation)
    return state


async def get_user(ctx: ServiceContext, user_id: str) -> UserOut:
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        return UserOut.model_validate(user)


async def record_login(ctx: ServiceContext, user_id: str, ip: str | None) -> None:
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is not None:
            user.last_login_at = utcnow()
        audit.record(session, "auth.login", actor_id=user_id, target=user_id, ip=ip)


async def change_password(
    ctx: ServiceContext,
    current: str,
    new: str,
    ip: str | None,
    *,
    hasher: PasswordHasher,
    on_revoked: Sequence[CredentialsRevokedHook] = (),
) -> None:
    """Check the owner's current password, store the new one and revoke every session (and,
    through `on_revoked`, every other credential)."""
    user_id = ctx.require_owner()
    bounded = BoundedHasher(hasher)
    async with ctx.read() as session:
        user = await repository.get_by_id(session, user_id)
        stored, email = (user.password_hash, user.email) if user else (None, "")
    if stored is None:
        raise AuthenticationError("Not signed in.")
    _check_new_password(new, email)
    valid, _ = await bounded.verify(current, stored)
    if not valid:
        raise PermissionDeniedError("The current password is wrong.", code="wrong_password")
    new_hash = await bounded.hash(new)
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise AuthenticationError("Not signed in.")
        user.password_hash = new_hash
        await repository.bump_token_version(session, user_id)
        await repository.expire_reset_tokens(session, user_id, utcnow())
        audit.record(session, "auth.password_changed", actor_id=user_id, target=user_id, ip=ip)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user_id)
    _user_states.forget(user_id)


async def revoke_all_sessions(
    ctx: ServiceContext, *, reason: str, on_revoked: Sequence[CredentialsRevokedHook] = ()
) -> None:
    """End every session of the owner (and, through `on_revoked`, every other credential)."""
    user_id = ctx.require_owner()
    async with ctx.unit() as session:
        await repository.bump_token_version(session, user_id)
        audit.record(session, reason, actor_id=user_id, target=user_id)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user_id)
    _user_states.forget(user_id)


# Reset links mailed to one account within a link's lifetime; further requests mail nothing.
RESET_MAILS_PER_WINDOW = 3


async def request_password_reset(
    ctx: ServiceContext,
    *,
    keys: TokenKeys,
    mailer: Mailer,
    email: str,
    link_base: str,
    ttl_s: int,
    ip: str | None,
) -> None:
    """Mail a single-use reset link if the account exists; the caller learns nothing either way.

    Meant to run after the answer has gone (a background task), so its time tells nothing. At
    most `RESET_MAILS_PER_WINDOW` links per account per link lifetime: a mailbox is not flooded.
    """
    token = new_opaque_token()
    async with ctx.unit() as session:
        user = await repository.get_by_email(session, canonical_email(email))
        if user is None or not user.is_active:
            audit.record(session, "auth.password_reset_unknown", actor_id=None, ip=ip)
            return
        now = utcnow()
        recent = await repository.count_resets_since(
            session, user.id, now - timedelta(seconds=ttl_s)
        )
        if recent >= RESET_MAILS_PER_WINDOW:
            audit.record(
                session, "auth.password_reset_suppressed", actor_id=None, target=user.id, ip=ip
            )
            return
        session.add(
            PasswordResetToken(
                user_id=user.id,
                token_hash=keys.hash_token(token),
                created_at=now,
                expires_at=now + timedelta(seconds=ttl_s),
            )
        )
        audit.record(
            session, "auth.password_reset_requested", actor_id=user.id, target=user.id, ip=ip
        )
        to = user.email
    link = f"{link_base.rstrip('/')}/reset-password?token={token}"
    minutes = ttl_s // 60
    body = (
        f"Someone asked to reset the BenchStudio password of {to}.\n\n"
        f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
        "If it was not you, ignore this mail: your password stays as it is."
    )
    await mailer.send(OutgoingMail(to=to, subject="Reset your BenchStudio password", body=body))


async def confirm_password_reset(
    ctx: ServiceContext,
    token: str,
    new_password: str,
    *,
    hasher: PasswordHasher,
    keys: TokenKeys,
    on_revoked: Sequence[CredentialsRevokedHook] = (),
) -> None:
    """Use a reset token once: set the password and revoke every session.

    The token is checked before the new password is hashed: a guessed token costs no Argon2 work.
    """
    token_hash = keys.hash_token(token)
    async with ctx.read() as session:
        _, user = await _usable_reset(session, token_hash, utcnow())
        email = user.email
    _check_new_password(new_password, email)
    new_hash = await BoundedHasher(hasher).hash(new_password)
    async with ctx.unit() as session:
        now = utcnow()
        row, user = await _usable_reset(session, token_hash, now)
        if not await repository.consume_reset_token(session, row.id, now):
            raise _invalid_reset()
        user.password_hash = new_hash
        await repository.bump_token_version(session, user.id)
        await repository.expire_reset_tokens(session, user.id, now)
        audit.record(session, "auth.password_reset", actor_id=user.id, target=user.id)
        for hook in on_revoked:
            await hook(ctx.with_session(session), user.id)
        changed = user.id
    _user_states.forget(changed)


def _check_new_password(password: str, email: str) -> None:
    if problem := password_problem(password, email):
        raise AppError(problem, code="weak_password", status_code=422)


def _invalid_reset() -> AuthenticationError:
    return AuthenticationError("This reset link is invalid or expired.", code="invalid_token")


async def _usable_reset(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[PasswordResetToken, User]:
    row = await repository.get_reset_by_hash(session, token_hash)
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise _invalid_reset()
    user = await repository.get_by_id(session, row.user_id)
    if user is None or not user.is_active:
        raise _invalid_reset()
    return row, user


async def create_invite(
    ctx: ServiceContext, data: InviteCreate, *, keys: TokenKeys
) -> InviteCreated:
    code = new_opaque_token("inv_")
    async with ctx.unit() as session:
        now = utcnow()
        invite = Invite(
            code_hash=keys.hash_token(code),
            email=data.email,
            created_by=ctx.actor_id,
            created_at=now,
            expires_at=now + timedelta(days=data.expires_in_days),
        )
        session.add(invite)
        await session.flush()
        audit.record(session, "invite.created", actor_id=ctx.actor_id, target=invite.id)
        return InviteCreated(**InviteOut.model_validate(invite).model_dump(), code=code)


async def list_invites(ctx: ServiceContext) -> list[InviteOut]:
    async with ctx.read() as session:
        return [InviteOut.model_validate(i) for i in await repository.list_invites(session)]


async def delete_invite(ctx: ServiceContext, invite_id: str) -> None:
    async with ctx.unit() as session:
        invite = await session.get(Invite, invite_id)
        if invite is None:
            raise NotFoundError("No such invite.")
        await session.delete(invite)
        audit.record(session, "invite.deleted", actor_id=ctx.actor_id, target=invite_id)


async def admin_update_user(
    ctx: ServiceContext, user_id: str, *, role: str | None, is_active: bool | None
) -> UserOut:
    """Change role and/or active flag; never leaves the instance without an active admin."""
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        losing_admin = (
            user.role == "admin"
            and user.is_active
            and ((role is not None and role != "admin") or is_active is False)
        )
        if losing_admin and await repository.count_active_admins(session) <= 1:
            raise ConflictError("The last active admin cannot be demoted or disabled.")
        if role is not None and role != user.role:
            audit.record(
                session,
                "user.role_changed",
                actor_id=ctx.actor_id,
                target=user_id,
                detail={"from": user.role, "to": role},
            )
            user.role = role
            await repository.bump_token_version(session, user_id)
        if is_active is not None and is_active != user.is_active:
            user.is_active = is_active
            action = "user.enabled" if is_active else "user.disabled"
            audit.record(session, action, actor_id=ctx.actor_id, target=user_id)
            await repository.bump_token_version(session, user_id)
        await session.flush()
        await session.refresh(user)
        out = UserOut.model_validate(user)
    _user_states.forget(user_id)
    return out


async def delete_user(ctx: ServiceContext, user_id: str) -> None:
    """Delete a user and (by cascade) all their data; audit rows stay."""
    async with ctx.unit() as session:
        user = await repository.get_by_id(session, user_id)
        if user is None:
            raise NotFoundError("No such user.")
        if (
            user.role == "admin"
            and user.is_active
            and await repository.count_active_admins(session) <= 1
        ):
            raise ConflictError("The last active admin cannot be deleted.")
        audit.record(
            session,
            "user.deleted",
            actor_id=ctx.actor_id if ctx.actor_id != user_id else None,
            target=user_id,
            detail={"email": user.email},
        )
        await repository.delete_user(session, user_id)
    _user_states.forget(user_id)


async def list_users(
    ctx: ServiceContext, *, query: str | None, limit: int, offset: int
) -> tuple[list[UserSummary], int]:
    async with ctx.read() as session:
        rows, total = await repository.list_users(session, query=query, limit=limit, offset=offset)
        return [UserSummary.model_validate(r) for r in rows], total


# Reads for other domains inside their own unit of work (admin's limits and system view): they
# pass `ctx.with_session(session)` and get plain values by id, never a `User` row.


async def user_exists(ctx: ServiceContext, user_id: str) -> bool:
    async with ctx.read() as session:
        return await repository.user_exists(session, user_id)


async def user_counts(ctx: ServiceContext) -> repository.UserCounts:
    """All users, active users, and admins (active or not)."""
    async with ctx.read() as session:
        return await repository.user_counts(session)
