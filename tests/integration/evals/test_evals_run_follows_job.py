"""An eval run follows its job: cancelled while queued (its handler never ran), or repaired at
a server start when its job row is gone."""

from __future__ import annotations

import asyncio
from typing import Any

from evals_driver import Api, add_provider, app_api
from sqlalchemy import delete, update

from benchstudio.config import Settings
from benchstudio.evals.models import EvalRun
from benchstudio.jobs.models import Job
from benchstudio.storage.engine import DatabaseConfig, open_database
from benchstudio.storage.unit_of_work import write_unit


def _idle(settings: Settings) -> Settings:
    """No dispatcher: submitted jobs stay queued."""
    return settings.model_copy(update={"jobs_dispatcher": False})


def _queued_eval(api: Api, email: str) -> dict[str, Any]:
    api.sign_up(email)
    suite = api.ok("POST", "/api/suites/sample", 201)
    provider, models = add_provider(api, "http://127.0.0.1:9", ["good"])
    body = {"suite_id": suite["id"], "targets": [{"provider_id": provider, "model_id": "good"}]}
    submitted: dict[str, Any] = api.ok("POST", "/api/evals", 202, json=body)
    assert models and submitted["run"]["status"] == "queued"
    return submitted


def test_an_eval_cancelled_while_queued_is_cancelled_too(settings: Settings) -> None:
    for api in app_api(_idle(settings)):
        submitted = _queued_eval(api, "queued-eval@example.com")
        api.ok("POST", f"/api/jobs/{submitted['job_id']}/cancel")
        detail = api.ok("GET", f"/api/evals/{submitted['run']['id']}")
        assert detail["status"] == "cancelled" and detail["finished_at"] is not None


async def _orphan(config: DatabaseConfig, run_id: str, job_id: str) -> None:
    db = open_database(config)
    try:
        async with write_unit(db) as session:
            await session.execute(
                update(EvalRun).where(EvalRun.id == run_id).values(status="running")
            )
            await session.execute(delete(Job).where(Job.id == job_id))
    finally:
        await db.dispose()


def test_a_server_start_fails_an_eval_run_whose_job_is_gone(settings: Settings) -> None:
    for api in app_api(_idle(settings)):
        submitted = _queued_eval(api, "orphan-eval@example.com")
        token = api.token
    config = DatabaseConfig(settings.database_url, settings.database_schema)
    asyncio.run(_orphan(config, submitted["run"]["id"], submitted["job_id"]))
    for api in app_api(_idle(settings)):
        api.token = token
        detail = api.ok("GET", f"/api/evals/{submitted['run']['id']}")
        assert detail["status"] == "failed" and "deleted" in detail["error"]
