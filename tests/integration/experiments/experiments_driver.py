"""Helpers for experiment API tests (imported by module name): the eval tests' API driver and
scripted simulator, and small steps (an experiment, a finished eval run filed under it)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any


def _evals_driver() -> Any:
    """The eval tests' API driver (one source of truth for signing up and polling jobs)."""
    if "evals_driver" in sys.modules:
        return sys.modules["evals_driver"]
    path = Path(__file__).parents[1] / "evals" / "evals_driver.py"
    spec = importlib.util.spec_from_file_location("evals_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["evals_driver"] = module
    spec.loader.exec_module(module)
    return module


_DRIVER = _evals_driver()
Api = _DRIVER.Api
SimulatorThread = _DRIVER.SimulatorThread
app_api = _DRIVER.app_api
add_provider = _DRIVER.add_provider


def create_experiment(
    api: Any, suite_id: str, provider_id: str, models: list[str], **extra: Any
) -> dict[str, Any]:
    body = {
        "name": "Sample suite: good vs sloppy",
        "suite_id": suite_id,
        "models": [{"provider_id": provider_id, "model_id": m} for m in models],
        **extra,
    }
    created: dict[str, Any] = api.ok("POST", "/api/experiments", 201, json=body)
    return created


def finished_run(
    api: Any,
    suite_id: str,
    provider_id: str,
    model: str,
    experiment_id: str | None,
    **extra: Any,
) -> dict[str, Any]:
    """Submit one target's eval (filed under the experiment) and wait until it is done."""
    target = {"provider_id": provider_id, "model_id": model, **extra.pop("target", {})}
    body = {"suite_id": suite_id, "targets": [target], "experiment_id": experiment_id, **extra}
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done", job
    run: dict[str, Any] = api.ok("GET", f"/api/evals/{submitted['run']['id']}")
    return run


def pass_rate(run: dict[str, Any]) -> float:
    (summary,) = run["summaries"].values()
    rate: float = summary["pass_rate"]["rate"]
    return rate


def result_of(detail: dict[str, Any], run_id: str) -> dict[str, Any]:
    (found,) = [r for r in detail["results"] if r["kind"] == "eval" and r["ref_id"] == run_id]
    return found


def stored_config(settings: Any, run_id: str) -> dict[str, Any]:
    """A run's stored configuration (targets as submitted, settings) read from the database:
    the API shows only part of each target (not its own system prompt and parameters)."""
    import asyncio

    from sqlalchemy import text

    from benchstudio.storage.engine import DatabaseConfig, open_database

    async def read() -> dict[str, Any]:
        db = open_database(DatabaseConfig(settings.database_url, settings.database_schema))
        try:
            async with db.reader() as session:
                query = text("SELECT config FROM eval_runs WHERE id = :id")
                value = (await session.execute(query, {"id": run_id})).scalar_one()
        finally:
            await db.dispose()
        config: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
        return config

    return asyncio.run(read())
