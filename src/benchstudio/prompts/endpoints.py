"""Prompt library routes (`/api/prompts`) and the hidden `/api/prompt-templates` alias.

Entries belong to their owner: another user's id answers 404, exactly like a missing one.
Built-in entries (ids `builtin-…`) are readable by every signed-in user and editable by
no one (403 `builtin_read_only`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from benchstudio.core.input_types import ObjectId, QueryText
from benchstudio.http.service_context import OwnerContext
from benchstudio.prompts import service
from benchstudio.prompts.domain import PromptKind
from benchstudio.prompts.schemas import (
    PromptCopyIn,
    PromptCreate,
    PromptDetail,
    PromptDiffOut,
    PromptEntryOut,
    PromptPatch,
    PromptTemplateIn,
    PromptTemplateOut,
    PromptTextIn,
    PromptUsageOut,
    PromptVersionOut,
)

MAX_VERSION = 1_000_000
router = APIRouter(tags=["prompt library"])
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION)]
OptionalVersion = Annotated[int | None, Query(ge=1, le=MAX_VERSION)]


@router.get("/prompts", response_model=list[PromptEntryOut])
async def list_prompts(
    ctx: OwnerContext,
    kind: PromptKind | None = None,
    tag: QueryText | None = None,
    q: Annotated[QueryText | None, Query(description="Words in the name or description.")] = None,
) -> list[PromptEntryOut]:
    """The built-in entries first, then the caller's, newest edit first."""
    return await service.list_prompts(ctx, kind=kind, tag=tag, query=q)


@router.post("/prompts", response_model=PromptDetail, status_code=201)
async def create_prompt(data: PromptCreate, ctx: OwnerContext) -> PromptDetail:
    return await service.create_prompt(ctx, data)


@router.get("/prompts/{prompt_id}", response_model=PromptDetail)
async def get_prompt(prompt_id: ObjectId, ctx: OwnerContext) -> PromptDetail:
    return await service.get_prompt(ctx, prompt_id)


@router.patch("/prompts/{prompt_id}", response_model=PromptDetail)
async def update_prompt(prompt_id: ObjectId, data: PromptPatch, ctx: OwnerContext) -> PromptDetail:
    """Name, description and tags; the text changes through a new version."""
    return await service.update_prompt(ctx, prompt_id, data)


@router.delete("/prompts/{prompt_id}", status_code=204)
async def delete_prompt(prompt_id: ObjectId, ctx: OwnerContext) -> Response:
    """Archive: what ran with its versions keeps them."""
    await service.delete_prompt(ctx, prompt_id)
    return Response(status_code=204)


@router.post("/prompts/{prompt_id}/versions", response_model=PromptDetail, status_code=201)
async def add_version(prompt_id: ObjectId, data: PromptTextIn, ctx: OwnerContext) -> PromptDetail:
    return await service.add_prompt_version(ctx, prompt_id, data)


@router.get("/prompts/{prompt_id}/versions/{prompt_version}", response_model=PromptVersionOut)
async def get_version(
    prompt_id: ObjectId, prompt_version: VersionNumber, ctx: OwnerContext
) -> PromptVersionOut:
    return await service.get_version(ctx, prompt_id, prompt_version)


@router.get("/prompts/{prompt_id}/diff", response_model=PromptDiffOut)
async def diff_versions(
    prompt_id: ObjectId,
    ctx: OwnerContext,
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=MAX_VERSION)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=1, le=MAX_VERSION)] = None,
) -> PromptDiffOut:
    """Any two versions; by default the one before the latest against the latest."""
    return await service.diff_versions(ctx, prompt_id, from_version, to_version)


@router.get("/prompts/{prompt_id}/used-by", response_model=list[PromptUsageOut])
async def used_by(prompt_id: ObjectId, ctx: OwnerContext) -> list[PromptUsageOut]:
    return await service.used_by(ctx, prompt_id)


@router.post("/prompts/{prompt_id}/copy", response_model=PromptDetail, status_code=201)
async def copy_prompt(
    prompt_id: ObjectId, ctx: OwnerContext, data: PromptCopyIn | None = None
) -> PromptDetail:
    """A new entry of the caller's from the latest version (a built-in's, or their own)."""
    return await service.copy_prompt(ctx, prompt_id, data or PromptCopyIn())


# The templates of old, kept for API clients until they move to `/api/prompts?kind=benchmark`.
alias = APIRouter(prefix="/prompt-templates", include_in_schema=False, deprecated=True)


@alias.get("", response_model=list[PromptTemplateOut])
async def list_templates(ctx: OwnerContext) -> list[PromptTemplateOut]:
    return await service.list_templates(ctx)


@alias.post("", response_model=PromptTemplateOut, status_code=201)
async def create_template(data: PromptTemplateIn, ctx: OwnerContext) -> PromptTemplateOut:
    return await service.save_template(ctx, data)


@alias.get("/{template_id}", response_model=PromptTemplateOut)
async def get_template(template_id: ObjectId, ctx: OwnerContext) -> PromptTemplateOut:
    return await service.get_template(ctx, template_id)


@alias.put("/{template_id}", response_model=PromptTemplateOut)
async def replace_template(
    template_id: ObjectId, data: PromptTemplateIn, ctx: OwnerContext
) -> PromptTemplateOut:
    return await service.save_template(ctx, data, template_id)


@alias.delete("/{template_id}", status_code=204)
async def delete_template(template_id: ObjectId, ctx: OwnerContext) -> Response:
    await service.delete_template(ctx, template_id)
    return Response(status_code=204)


router.include_router(alias)
