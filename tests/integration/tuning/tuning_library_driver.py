"""Helpers for the tuner library's API tests (imported by module name): the experiment tests'
driver (sign-up, the scripted simulator, a provider, a finished eval run), and stored tuner
runs with their trials written straight through the ORM, as a finished tune job leaves them
(the library reads runs; it never runs one)."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchstudio.core.clock import utcnow
from benchstudio.storage.engine import Database
from benchstudio.storage.unit_of_work import write_unit
from benchstudio.tuning.models import TunerRun, TunerTrial


def _experiments_driver() -> Any:
    if "experiments_driver" in sys.modules:
        return sys.modules["experiments_driver"]
    path = Path(__file__).parents[1] / "experiments" / "experiments_driver.py"
    spec = importlib.util.spec_from_file_location("experiments_driver", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["experiments_driver"] = module
    spec.loader.exec_module(module)
    return module


_DRIVER = _experiments_driver()
Api = _DRIVER.Api
SimulatorThread = _DRIVER.SimulatorThread
app_api = _DRIVER.app_api
add_provider = _DRIVER.add_provider
create_experiment = _DRIVER.create_experiment
finished_run = _DRIVER.finished_run
pass_rate = _DRIVER.pass_rate


@dataclass
class TrialRow:
    kind: str
    state: str
    effective: dict[str, Any]
    score: float | None
    cost_usd: float = 0.0
    latency_p50_ms: float | None = 100.0
    eval_run_id: str | None = None
    partial: float | None = None
    point: dict[str, Any] = field(default_factory=dict)


def user_id(api: Any) -> str:
    me: dict[str, Any] = api.ok("GET", "/api/users/me")
    return str(me["id"])


@dataclass(frozen=True)
class StoredRun:
    id: str
    trial_ids: list[str]


async def _store(
    database: Database, owner_id: str, run: dict[str, Any], trials: list[TrialRow]
) -> StoredRun:
    now = utcnow()
    async with write_unit(database) as session:
        row = TunerRun(owner_id=owner_id, created_at=now - timedelta(minutes=5), **run)
        session.add(row)
        await session.flush()
        rows = []
        for number, trial in enumerate(trials):
            rows.append(
                TunerTrial(
                    tuner_run_id=row.id,
                    owner_id=owner_id,
                    number=number,
                    kind=trial.kind,
                    state=trial.state,
                    # The sampler's point: what was searched (seeds are the repeats').
                    point=trial.point or {k: v for k, v in trial.effective.items() if k != "seed"},
                    effective=trial.effective,
                    fingerprint=repr(sorted(trial.effective.items())),
                    eval_run_id=trial.eval_run_id,
                    score=trial.score,
                    score_low=None if trial.score is None else max(0.0, trial.score - 0.1),
                    score_high=None if trial.score is None else min(1.0, trial.score + 0.1),
                    repeat_scores=[] if trial.score is None else [trial.score],
                    values=[] if trial.score is None else [trial.score],
                    partial=trial.partial,
                    cases=12,
                    calls=12,
                    latency_p50_ms=trial.latency_p50_ms,
                    cost_usd=trial.cost_usd,
                    started_at=now - timedelta(minutes=4),
                    finished_at=None if trial.state == "running" else now,
                )
            )
        session.add_all(rows)
        await session.flush()
        return StoredRun(row.id, [trial.id for trial in rows])


def store_tuner_run(
    api: Any,
    *,
    suite: dict[str, Any],
    provider_id: str,
    model: str,
    model_ref_id: str | None,
    trials: list[TrialRow],
    status: str = "completed",
    profile: str = "lenient",
    name: str = "Tune the good model",
    experiment_id: str | None = None,
) -> StoredRun:
    """A tuner run of the signed-in user, with its trials, as the tune job stores them."""
    space = {
        "dimensions": [
            {"kind": "range", "name": "temperature", "low": 0.0, "high": 2.0, "step": 0.1},
            {"kind": "range", "name": "top_p", "low": 0.5, "high": 1.0, "step": 0.1},
            {"kind": "range", "name": "max_tokens", "low": 256, "high": 1024, "integer": True},
        ],
        "repeats": 1,
    }
    run = {
        "name": name,
        "status": status,
        "suite_id": suite["id"],
        "suite_version_id": suite.get("version_id") or "v" * 26,
        "suite_name": suite["name"],
        "suite_version": suite["version"],
        "profile": profile,
        "target": {
            "provider_id": provider_id,
            "model_id": model,
            "model_ref_id": model_ref_id,
            "label": model,
            "registry_provider": "openai",  # the demo simulator's table
            "params": {},
        },
        "space": space,
        "validated_space": space,
        "strategy": {"kind": "tpe", "seed": 0},
        "objective": {"source": "tool_eval", "metric": "pass_rate", "minimize": []},
        "stopping": {},
        "budget": {"max_trials": 20},
        "trials_done": sum(t.state != "running" for t in trials),
        "finished_at": None if status in ("queued", "running") else utcnow(),
        "experiment_id": experiment_id,
    }
    database = api.client.app.state.database
    stored: StoredRun = api.client.portal.call(_store, database, user_id(api), run, trials)
    return stored
