"""Sign-up: users created under the operator's sign-up policy (open or by invite), and the
invites admins issue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.accounts import repository
from benchstudio.accounts.domain import SignupPolicy, decide_signup
from benchstudio.accounts.models import Invite
from benchstudio.accounts.schemas import (
    InviteCreate,
    InviteCreated,
    InviteOut,
    NewUser,
    Registration,
    UserOut,
)
from benchstudio.accounts.service.hashing import BoundedHasher
from benchstudio.accounts.service.mailer import OutgoingMail
from benchstudio.audit import service as audit
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from benchstudio.core.passwords import PasswordHasher
from benchstudio.core.tokens import TokenKeys, new_opaque_token
from benchstudio.storage.service_context import ServiceContext

# Runs inside the new user's creation unit (a context joined to it, the new user's id): the
# composition root registers the demo-provider seeding here, so accounts need not know the
# catalog.
UserCreatedHook = Callable[[ServiceContext, str], Awaitable[None]]


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
            await hook(ctx.with_session(session), user.id)
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
