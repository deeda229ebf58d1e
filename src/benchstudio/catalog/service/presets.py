"""Catalog use cases for per-user defaults (prompt templates moved to the prompt library).

The default prompt template is a prompt-library entry, but catalog sits below the feature
domains and cannot import `prompts`. So the composition root registers the library's
ownership check here at start-up (`register_prompt_ownership_check`); until one is
registered, no default template is accepted (fail closed, never "anyone's id will do").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from benchstudio.catalog import repository
from benchstudio.catalog.models import CatalogModel, ParameterSet, UserDefaults
from benchstudio.catalog.repository import Owned
from benchstudio.catalog.schemas import DefaultsIn, DefaultsOut
from benchstudio.core.clock import utcnow
from benchstudio.core.errors import NotFoundError
from benchstudio.storage.service_context import ServiceContext

# (ctx scoped to the owner, joined to the caller's unit; entry id) -> whether the owner owns
# that benchmark prompt.
PromptOwnershipCheck = Callable[[ServiceContext, str], Awaitable[bool]]
_prompt_ownership_check: PromptOwnershipCheck | None = None


def register_prompt_ownership_check(check: PromptOwnershipCheck | None) -> None:
    """Set by the composition root (`benchstudio.app`) with the prompt library's check."""
    global _prompt_ownership_check
    _prompt_ownership_check = check


async def _require_owned(
    session: AsyncSession,
    table: type[Owned],
    owner_id: str,
    object_id: str | None,
    what: str,
) -> None:
    """References to another user's objects look exactly like references to nothing."""
    if (
        object_id is not None
        and await repository.get_owned(session, table, owner_id, object_id) is None
    ):
        raise NotFoundError(f"No such {what}.")


async def _require_owned_prompt(ctx: ServiceContext, prompt_id: str | None) -> None:
    if prompt_id is None:
        return
    check = _prompt_ownership_check
    if check is None or not await check(ctx, prompt_id):
        raise NotFoundError("No such prompt template.")


def _defaults_out(row: UserDefaults | None) -> DefaultsOut:
    if row is None:
        return DefaultsOut()
    return DefaultsOut(
        model_ref_id=row.model_ref_id,
        parameter_set_id=row.profile_id,
        prompt_template_id=row.prompt_template_id,
        preferences=dict(row.preferences or {}),
    )


async def get_defaults(ctx: ServiceContext) -> DefaultsOut:
    async with ctx.read() as session:
        owner_id = ctx.require_owner()
        return _defaults_out(await repository.get_defaults(session, owner_id))


async def set_defaults(ctx: ServiceContext, data: DefaultsIn) -> DefaultsOut:
    async with ctx.unit() as session:
        owner_id = ctx.require_owner()
        await _require_owned(session, CatalogModel, owner_id, data.model_ref_id, "model")
        await _require_owned(
            session, ParameterSet, owner_id, data.parameter_set_id, "parameter set"
        )
        await _require_owned_prompt(ctx.with_session(session), data.prompt_template_id)
        row = await repository.get_defaults(session, owner_id)
        if row is None:
            row = UserDefaults(owner_id=owner_id)
            session.add(row)
        row.model_ref_id = data.model_ref_id
        row.profile_id = data.parameter_set_id
        row.prompt_template_id = data.prompt_template_id
        row.preferences = dict(data.preferences)
        row.updated_at = utcnow()
        await session.flush()
        return _defaults_out(row)


async def forget_default_template(ctx: ServiceContext, prompt_id: str) -> None:
    """The owner deleted (archived) this prompt: it stops being their default template."""
    async with ctx.unit() as session:
        await session.execute(
            update(UserDefaults)
            .where(
                UserDefaults.owner_id == ctx.require_owner(),
                UserDefaults.prompt_template_id == prompt_id,
            )
            .values(prompt_template_id=None)
        )
