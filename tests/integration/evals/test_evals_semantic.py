"""Semantic argument matching through the platform: an embeddings model in the catalog, a run
that records each argument's similarity (computed once per text pair) and charges the
embedding tokens to its job's ledger, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from evals_driver import Api, SimulatorThread, add_provider, app_api
from sqlalchemy import select

from benchstudio.config import Settings
from benchstudio.jobs.models import JobSpend
from benchstudio.storage.unit_of_work import read_unit

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _case(case_id: str, prompt: str, city: str) -> dict[str, Any]:
    expectation = {"acceptable": [city], "match": "semantic"}
    return {
        "id": case_id,
        "prompt": prompt,
        "expected_calls": [{"name": "get_weather", "arguments": {"city": expectation}}],
    }


# The scripted `good` model calls get_weather(city="Paris") for each of these prompts.
SUITE = {
    "name": "Semantic weather",
    "tools": [WEATHER_TOOL],
    "cases": [
        _case("france", "Weather in Paris?", "Paris, France"),
        _case("tokyo", "Weather in Paris today?", "Tokyo"),
        _case("again", "Is it raining in Paris?", "Paris, France"),
    ],
}


@pytest.fixture(scope="module")
def simulator() -> Iterator[SimulatorThread]:
    with SimulatorThread() as sim:
        yield sim


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    yield from app_api(settings)


def _embeddings_log(simulator: SimulatorThread) -> list[dict[str, Any]]:
    page = httpx.get(f"{simulator.base_url}/_sim/requests?limit=1000").json()
    return [item for item in page["items"] if item["path"].endswith("/embeddings")]


def _embeddings_requests(simulator: SimulatorThread) -> int:
    return len(_embeddings_log(simulator))


def _charged(api: Api, job_id: str) -> float:
    async def read() -> float:
        async with read_unit(api.client.app.state.database) as session:
            row = await session.execute(select(JobSpend).where(JobSpend.job_id == job_id))
            return float(row.scalar_one().charged_usd)

    return float(api.client.portal.call(read))


def _setup(api: Api, simulator: SimulatorThread) -> tuple[str, dict[str, str], str]:
    api.sign_up("semantic@example.com")
    suite = api.ok("POST", "/api/suites", 201, json=SUITE)
    provider, models = add_provider(api, simulator.base_url, ["good", "embed-small"])
    # $1,000 per million input tokens: a charge of 0.001 per token (embeddings write none).
    change = {"capability": "embeddings", "input_price": 1000.0}
    updated = api.ok("PATCH", f"/api/models/{models['embed-small']}", json=change)
    assert updated["capability"] == "embeddings" and updated["id"] == models["embed-small"]
    return provider, models, suite["id"]


def test_a_semantic_run_records_each_similarity_computed_once(
    api: Api, simulator: SimulatorThread
) -> None:
    provider, models, suite_id = _setup(api, simulator)
    before = _embeddings_requests(simulator)
    logged = len(_embeddings_log(simulator))
    semantic = {"source": "embeddings", "model_ref_id": models["embed-small"], "threshold": 0.5}
    body = {
        "suite_id": suite_id,
        "targets": [{"provider_id": provider, "model_id": models["good"]}],
        "semantic": semantic,
    }
    submitted = api.ok("POST", "/api/evals", 202, json=body)
    job = api.wait_job(submitted["job_id"], {"done", "failed", "cancelled"})
    assert job["status"] == "done", job
    run_id = submitted["run"]["id"]
    detail = api.ok("GET", f"/api/evals/{run_id}")
    recorded = detail["settings"]["semantic"]
    assert recorded["model_name"] == "Embed-Small" and recorded["threshold"] == 0.5
    rows = {r["case_id"]: r for r in api.ok("GET", f"/api/evals/{run_id}/cases")["items"]}
    assert rows["france"]["passed"] and rows["again"]["passed"]
    assert not rows["tokyo"]["passed"] and rows["tokyo"]["error_category"] == "wrong_argument"
    france = api.ok("GET", f"/api/evals/{run_id}/cases/{rows['france']['id']}")
    [record] = france["verdict"]["semantic"]
    assert record["argument"] == "city" and record["similarity"] > 0.5
    city = france["argument_checks"][0]["arguments"][0]
    assert city["status"] == "passed" and city["similarity"] == record["similarity"]
    tokyo = api.ok("GET", f"/api/evals/{run_id}/cases/{rows['tokyo']['id']}")
    tokyo_city = tokyo["argument_checks"][0]["arguments"][0]
    assert tokyo_city["status"] == "failed" and tokyo_city["similarity"] < 0.5
    # Three texts in two pairs, each pair computed once: one batch per distinct pair at most,
    # and one when both pairs were asked in the same loop turn (cases running concurrently).
    assert 1 <= _embeddings_requests(simulator) - before <= 2
    # Each text embedded once: "Paris, France" (4 tokens), "Paris" (2), "Tokyo" (2) by the
    # simulator's ceil(characters / 4); the job's ledger holds exactly their price.
    tokens = sum(item["prompt_tokens"] for item in _embeddings_log(simulator)[logged:])
    assert tokens == 8
    assert _charged(api, submitted["job_id"]) == pytest.approx(8 * 1000.0 / 1e6)


def test_a_semantic_suite_without_options_is_refused_naming_the_arguments(
    api: Api, simulator: SimulatorThread
) -> None:
    provider, models, suite_id = _setup(api, simulator)
    body: dict[str, Any] = {
        "suite_id": suite_id,
        "targets": [{"provider_id": provider, "model_id": models["good"]}],
    }
    response = api.call("POST", "/api/evals", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "semantic_config_required"
    assert "france: get_weather.city" in error["message"]
    assert "tokyo: get_weather.city" in error["message"]
    chat_model = {"source": "embeddings", "model_ref_id": models["good"], "threshold": 0.5}
    wrong = api.call("POST", "/api/evals", json={**body, "semantic": chat_model})
    assert wrong.status_code == 422 and "needs a embeddings model" not in wrong.text
    assert "needs an embeddings model" in wrong.json()["error"]["message"]
    assert api.ok("GET", "/api/evals")["total"] == 0
