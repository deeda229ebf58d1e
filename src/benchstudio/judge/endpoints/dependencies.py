"""The judge routes' context: the caller's catalog (judge models) and the job system."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from benchstudio.catalog.service import CatalogContext, VaultDep
from benchstudio.http.dependencies import SettingsDep
from benchstudio.http.service_context import OwnerContext
from benchstudio.jobs.runtime import JobRuntime
from benchstudio.judge.service.context import JudgeContext


async def judge_context(
    request: Request, owner: OwnerContext, vault: VaultDep, settings: SettingsDep
) -> JudgeContext:
    runtime = request.app.state.jobs
    assert isinstance(runtime, JobRuntime)
    return JudgeContext(
        db=owner.db,
        owner_id=owner.owner_id,
        actor_id=owner.actor_id,
        catalog=CatalogContext.from_settings(owner.db, vault, settings, owner_id=owner.owner_id),
        jobs=runtime.service,
    )


JudgeCtx = Annotated[JudgeContext, Depends(judge_context)]
